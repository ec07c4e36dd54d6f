#include "train/graph_io.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>
#include <stdexcept>
#include <string>
#include <vector>

#include "datasets/errors.h"
#include "datasets/h5.h"
#include "datasets/h5_guard.h"

namespace slimlab::ir {

namespace {

constexpr const char* kFormat = "slimlab-graph";
constexpr int64_t kVersion = 1;
// Limits that no real model reaches; a file past them is hostile or damaged.
constexpr int64_t kMaxLayers = 100000;
constexpr int64_t kMaxParams = 64;
constexpr int64_t kMaxRank = 8;
constexpr int64_t kMaxDim = int64_t(1) << 31;
constexpr int64_t kMaxNumel = int64_t(1) << 32;

std::string index_name(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04zu", i);
  return buf;
}

const char* precision_name(Precision p) { return to_string(p); }

std::optional<Precision> precision_from(const std::string& s) {
  for (Precision p : {Precision::kFloat32, Precision::kFloat16, Precision::kFixed, Precision::kBinary})
    if (s == to_string(p)) return p;
  return std::nullopt;
}

void write_format(h5::File& f, const std::string& obj, const std::string& prefix, const NumericFormat& nf) {
  f.set_attr(obj, prefix + "precision", std::string(precision_name(nf.precision)));
  f.set_attr(obj, prefix + "il", int64_t(nf.fixed.il));
  f.set_attr(obj, prefix + "fl", int64_t(nf.fixed.fl));
  f.set_attr(obj, prefix + "codebook_bits", int64_t(nf.codebook_bits));
  f.set_attr(obj, prefix + "codebooks", int64_t(nf.codebooks));
}

void write_ints(h5::File& f, const std::string& name, const std::vector<int64_t>& v) {
  f.write(name, v, {int64_t(v.size())});
}

// Reading side: every accessor names the file and the object on failure.
class Reader {
 public:
  explicit Reader(const std::filesystem::path& p) : path_(p), f_(h5::File::open_read(p)) {}

  [[noreturn]] void fail(const std::string& what) const { throw data::DataError(path_.string(), what); }

  std::string str(const std::string& obj, const std::string& key) const {
    auto v = f_.attr_string(obj, key);
    if (!v) fail("'" + obj + "': missing string attribute '" + key + "'");
    return *v;
  }
  double num(const std::string& obj, const std::string& key) const {
    auto v = f_.attr_double(obj, key);
    if (!v) fail("'" + obj + "': missing numeric attribute '" + key + "'");
    if (!std::isfinite(*v)) fail("'" + obj + "': attribute '" + key + "' is not finite");
    return *v;
  }
  int64_t integer(const std::string& obj, const std::string& key, int64_t lo, int64_t hi) const {
    const double v = num(obj, key);
    if (v != std::floor(v) || v < double(lo) || v > double(hi))
      fail("'" + obj + "': attribute '" + key + "' = " + data::format_number(v) + " is outside [" +
           std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return int64_t(v);
  }
  // A 1-D int64 dataset of at most `max_len` entries, each in [lo, hi].
  std::vector<int64_t> ints(const std::string& name, size_t max_len, int64_t lo, int64_t hi) const {
    require(name);
    auto shape = f_.shape(name);
    if (shape.size() != 1 || shape[0] < 0 || size_t(shape[0]) > max_len)
      fail("dataset '" + name + "' must be 1-D with at most " + std::to_string(max_len) + " entries");
    auto v = f_.read_int64s(name);
    for (int64_t x : v)
      if (x < lo || x > hi)
        fail("dataset '" + name + "': value " + std::to_string(x) + " is outside [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "]");
    return v;
  }
  std::vector<std::string> strings(const std::string& name, size_t max_len) const {
    require(name);
    auto shape = f_.shape(name);
    if (shape.size() != 1 || shape[0] < 0 || size_t(shape[0]) > max_len)
      fail("dataset '" + name + "' must be 1-D with at most " + std::to_string(max_len) + " entries");
    return f_.read_strings(name);
  }
  void require(const std::string& name) const {
    if (!f_.exists(name)) fail("missing '" + name + "'");
  }
  NumericFormat format(const std::string& obj, const std::string& prefix) const {
    NumericFormat nf;
    const std::string p = str(obj, prefix + "precision");
    auto prec = precision_from(p);
    if (!prec) fail("'" + obj + "': unknown precision '" + p + "' in attribute '" + prefix + "precision'");
    nf.precision = *prec;
    nf.fixed.il = int(integer(obj, prefix + "il", -64, 64));
    nf.fixed.fl = int(integer(obj, prefix + "fl", -64, 64));
    // Added after the first files were written: absent means no codebook.
    if (f_.attr_double(obj, prefix + "codebook_bits")) {
      nf.codebook_bits = int(integer(obj, prefix + "codebook_bits", 0, 32));
      nf.codebooks = int(integer(obj, prefix + "codebooks", 0, kMaxDim));
    }
    return nf;
  }
  const h5::File& file() const { return f_; }

 private:
  std::filesystem::path path_;
  h5::File f_;
};

void check_numel(const Reader& r, const std::string& name, const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d > 0 && n > kMaxNumel / d) r.fail("dataset '" + name + "': the shape has too many entries");
    n *= d;
  }
}

std::vector<UnitRef> read_refs(const Reader& r, const std::string& g, const std::string& side) {
  constexpr size_t kMaxRefs = 4096;
  auto layers = r.strings(g + "/" + side + "_layer", kMaxRefs);
  auto params = r.strings(g + "/" + side + "_param", kMaxRefs);
  const std::string tname = g + "/" + side + "_table";
  r.require(tname);
  auto tshape = r.file().shape(tname);
  if (tshape.size() != 2 || tshape[1] != 4 || tshape[0] != int64_t(layers.size()) || params.size() != layers.size())
    r.fail("'" + g + "': " + side + " datasets disagree in length (table must be [n, 4])");
  auto table = r.file().read_int64s(tname);
  std::vector<UnitRef> out;
  for (size_t i = 0; i < layers.size(); ++i) {
    UnitRef u;
    u.layer = layers[i];
    u.param = params[i];
    const int64_t axis = table[i * 4], block = table[i * 4 + 1], stride = table[i * 4 + 2];
    if (axis < 0 || axis >= kMaxRank || block < 1 || block > kMaxDim || stride < 0 || stride > kMaxDim)
      r.fail("dataset '" + tname + "': row " + std::to_string(i) + " has an invalid axis/block/gate_stride");
    u.axis = int(axis);
    u.block = block;
    u.gate_stride = stride;
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace

void write_graph_h5(const std::filesystem::path& path, const Graph& graph) {
  h5::File f = h5::File::create(path);
  f.set_attr("/", "format", std::string(kFormat));
  f.set_attr("/", "version", kVersion);
  f.set_attr("/", "model", graph.model);
  f.set_attr("/", "num_classes", graph.num_classes);
  write_ints(f, "/input_shape", graph.input_shape);
  f.create_group("/layers");
  f.set_attr("/layers", "count", int64_t(graph.layers.size()));
  for (size_t i = 0; i < graph.layers.size(); ++i) {
    const Layer& l = graph.layers[i];
    const std::string g = "/layers/" + index_name(i);
    f.create_group(g);
    f.set_attr(g, "name", l.name);
    f.set_attr(g, "kind", std::string(to_string(l.kind)));
    f.set_attr(g, "in_features", l.in_features);
    f.set_attr(g, "out_features", l.out_features);
    f.set_attr(g, "groups", l.groups);
    f.set_attr(g, "axis", l.axis);
    f.set_attr(g, "begin", l.begin);
    f.set_attr(g, "end", l.end);
    f.set_attr(g, "bias", int64_t(l.bias ? 1 : 0));
    f.set_attr(g, "min_value", double(l.min_value));
    f.set_attr(g, "max_value", double(l.max_value));
    f.set_attr(g, "alpha", double(l.alpha));
    f.set_attr(g, "beta", double(l.beta));
    write_format(f, g, "act_", l.activation_format);
    write_format(f, g, "gate_pre_", l.gate_preactivation_format);
    write_format(f, g, "gate_", l.gate_format);
    write_format(f, g, "cell_", l.cell_format);
    f.write_strings(g + "/inputs", l.inputs);
    write_ints(f, g + "/output_shape", l.output_shape);
    write_ints(f, g + "/kernel", l.kernel);
    write_ints(f, g + "/stride", l.stride);
    write_ints(f, g + "/padding", l.padding);
    write_ints(f, g + "/dilation", l.dilation);
    write_ints(f, g + "/perm", l.perm);
    f.create_group(g + "/params");
    f.set_attr(g + "/params", "count", int64_t(l.params.size()));
    for (size_t j = 0; j < l.params.size(); ++j) {
      const Param& p = l.params[j];
      const std::string pg = g + "/params/" + index_name(j);
      f.create_group(pg);
      f.set_attr(pg, "name", p.name);
      f.set_attr(pg, "trainable", int64_t(p.trainable ? 1 : 0));
      write_format(f, pg, "", p.format);
      write_ints(f, pg + "/shape", p.shape);
      if (!p.data.empty()) {
        if (int64_t(p.data.size()) != p.numel())
          throw data::DataError(path.string(), "layer '" + l.name + "' param '" + p.name + "': " +
                                                   std::to_string(p.data.size()) + " values for " +
                                                   std::to_string(p.numel()) + " entries");
        f.write(pg + "/data", p.data, p.shape);
      }
    }
  }
  f.create_group("/groups");
  f.set_attr("/groups", "count", int64_t(graph.groups.size()));
  for (size_t k = 0; k < graph.groups.size(); ++k) {
    const PrunableGroup& pg = graph.groups[k];
    const std::string g = "/groups/" + index_name(k);
    f.create_group(g);
    f.set_attr(g, "name", pg.name);
    f.set_attr(g, "kind", pg.kind);
    f.set_attr(g, "units", pg.units);
    for (const auto* side : {"producers", "consumers"}) {
      const auto& refs = std::string(side) == "producers" ? pg.producers : pg.consumers;
      std::vector<std::string> ls, ps;
      std::vector<int64_t> table;
      for (const UnitRef& u : refs) {
        ls.push_back(u.layer);
        ps.push_back(u.param);
        table.insert(table.end(), {int64_t(u.axis), u.block, u.gate_stride, 0});
      }
      f.write_strings(g + "/" + side + "_layer", ls);
      f.write_strings(g + "/" + side + "_param", ps);
      f.write(g + "/" + side + "_table", table, {int64_t(refs.size()), 4});
    }
  }
  f.commit();
}

namespace {

Graph read_graph_h5_unguarded(const std::filesystem::path& path) {
  Reader r(path);
  const std::string fmt = r.str("/", "format");
  if (fmt != kFormat) r.fail("not a SlimLab graph file (format '" + fmt + "', expected '" + kFormat + "')");
  const int64_t version = r.integer("/", "version", 0, 1 << 20);
  if (version != kVersion)
    r.fail("graph file version " + std::to_string(version) + " is not supported (this build reads version " +
           std::to_string(kVersion) + ")");
  Graph g;
  g.model = r.str("/", "model");
  g.num_classes = r.integer("/", "num_classes", 0, kMaxDim);
  g.input_shape = r.ints("/input_shape", kMaxRank, 0, kMaxDim);
  check_numel(r, "/input_shape", g.input_shape);

  const int64_t n_layers = r.integer("/layers", "count", 0, kMaxLayers);
  g.layers.reserve(size_t(n_layers));
  for (int64_t i = 0; i < n_layers; ++i) {
    const std::string lg = "/layers/" + index_name(size_t(i));
    r.require(lg);
    Layer l;
    l.name = r.str(lg, "name");
    const std::string kind = r.str(lg, "kind");
    auto k = layer_kind_from_string(kind);
    if (!k) r.fail("'" + lg + "' (layer '" + l.name + "'): unknown layer kind '" + kind + "'");
    l.kind = *k;
    l.in_features = r.integer(lg, "in_features", 0, kMaxDim);
    l.out_features = r.integer(lg, "out_features", 0, kMaxDim);
    l.groups = r.integer(lg, "groups", 1, kMaxDim);
    l.axis = r.integer(lg, "axis", -kMaxRank, kMaxRank);
    l.begin = r.integer(lg, "begin", 0, kMaxDim);
    l.end = r.integer(lg, "end", 0, kMaxDim);
    l.bias = r.integer(lg, "bias", 0, 1) != 0;
    l.min_value = float(r.num(lg, "min_value"));
    l.max_value = float(r.num(lg, "max_value"));
    if (r.file().attr_double(lg, "alpha")) l.alpha = float(r.num(lg, "alpha"));  // absent before leaky_relu
    if (r.file().attr_double(lg, "beta")) l.beta = float(r.num(lg, "beta"));
    l.activation_format = r.format(lg, "act_");
    for (auto [prefix, target] : {std::pair<const char*, NumericFormat*>{"gate_pre_", &l.gate_preactivation_format},
                                  {"gate_", &l.gate_format},
                                  {"cell_", &l.cell_format}})
      if (r.file().attr_string(lg, std::string(prefix) + "precision")) *target = r.format(lg, prefix);
    l.inputs = r.strings(lg + "/inputs", 1024);
    l.output_shape = r.ints(lg + "/output_shape", kMaxRank, 0, kMaxDim);
    check_numel(r, lg + "/output_shape", l.output_shape);
    l.kernel = r.ints(lg + "/kernel", kMaxRank, 0, kMaxDim);
    l.stride = r.ints(lg + "/stride", kMaxRank, 0, kMaxDim);
    l.padding = r.ints(lg + "/padding", kMaxRank, 0, kMaxDim);
    l.dilation = r.ints(lg + "/dilation", kMaxRank, 0, kMaxDim);
    l.perm = r.ints(lg + "/perm", kMaxRank, 0, kMaxRank - 1);
    const int64_t n_params = r.integer(lg + "/params", "count", 0, kMaxParams);
    for (int64_t j = 0; j < n_params; ++j) {
      const std::string pg = lg + "/params/" + index_name(size_t(j));
      r.require(pg);
      Param p;
      p.name = r.str(pg, "name");
      p.trainable = r.integer(pg, "trainable", 0, 1) != 0;
      p.format = r.format(pg, "");
      p.shape = r.ints(pg + "/shape", kMaxRank, 0, kMaxDim);
      int64_t numel = 1;
      for (int64_t d : p.shape) {
        if (d > 0 && numel > kMaxNumel / d) r.fail("'" + pg + "/shape' (param '" + p.name + "'): too many entries");
        numel *= d;
      }
      const std::string dname = pg + "/data";
      if (r.file().exists(dname)) {
        auto dshape = r.file().shape(dname);
        int64_t dn = 1;
        for (int64_t d : dshape) {
          if (d < 0 || (d > 0 && dn > kMaxNumel / d)) r.fail("dataset '" + dname + "' is too large");
          dn *= d;
        }
        if (dn != numel)
          r.fail("dataset '" + dname + "' (layer '" + l.name + "', param '" + p.name + "') holds " +
                 std::to_string(dn) + " values, its shape needs " + std::to_string(numel));
        p.data = r.file().read_floats(dname);
      }
      l.params.push_back(std::move(p));
    }
    g.layers.push_back(std::move(l));
  }

  const int64_t n_groups = r.integer("/groups", "count", 0, kMaxLayers);
  for (int64_t k = 0; k < n_groups; ++k) {
    const std::string gg = "/groups/" + index_name(size_t(k));
    r.require(gg);
    PrunableGroup pg;
    pg.name = r.str(gg, "name");
    pg.kind = r.str(gg, "kind");
    pg.units = r.integer(gg, "units", 0, kMaxDim);
    pg.producers = read_refs(r, gg, "producers");
    pg.consumers = read_refs(r, gg, "consumers");
    g.groups.push_back(std::move(pg));
  }

  try {
    g.validate();
  } catch (const std::exception& e) {
    r.fail(std::string("invalid graph: ") + e.what());
  }
  return g;
}

}  // namespace

Graph read_graph_h5(const std::filesystem::path& path) {
  return h5::read_guarded(path, [&] { return read_graph_h5_unguarded(path); });
}

}  // namespace slimlab::ir
