#include "experiments/results.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "datasets/errors.h"
#include "datasets/h5.h"
#include "datasets/h5_guard.h"
#include "datasets/text.h"

namespace fs = std::filesystem;

namespace slimlab::exp {

namespace {

constexpr int64_t kMaxEpochs = 10'000'000;
constexpr int64_t kMaxLayers = 1'000'000;
constexpr int64_t kMaxClasses = 1'000'000;
constexpr int64_t kMaxStages = 10'000;
constexpr int64_t kMaxTables = 10'000;

std::string format_name(const ir::NumericFormat& f) {
  if (f.precision == ir::Precision::kFixed)
    return "fixed<" + std::to_string(f.fixed.il) + "," + std::to_string(f.fixed.fl) + ">";
  return ir::to_string(f.precision);
}

void write_metrics(h5::File& f, const std::string& group, const train::EvalMetrics& m) {
  const int64_t k = m.num_classes;
  const bool full = k > 0 && m.confusion.size() == size_t(k * k);
  if (!m.confusion.empty() && !full)
    throw std::invalid_argument(group + ": confusion has " + std::to_string(m.confusion.size()) +
                                " entries for " + std::to_string(k) + " classes (expected " + std::to_string(k) +
                                "×" + std::to_string(k) + ")");
  f.write(group + "/confusion", m.confusion, full ? std::vector<int64_t>{k, k} : std::vector<int64_t>{0, 0});
  f.set_attr(group, "loss", m.loss);
  f.set_attr(group, "accuracy", m.accuracy);
  f.set_attr(group, "macro_f1", m.macro_f1);
  f.set_attr(group, "num_classes", m.num_classes);
  f.set_attr(group, "samples", m.samples);
}

// Shapes of several layers: their ranks and the concatenated extents.
void write_shapes(h5::File& f, const std::string& group, const std::vector<const std::vector<int64_t>*>& shapes) {
  std::vector<int64_t> rank, flat;
  for (const auto* s : shapes) {
    rank.push_back(int64_t(s->size()));
    flat.insert(flat.end(), s->begin(), s->end());
  }
  f.write(group + "/output_rank", rank, {int64_t(rank.size())});
  f.write(group + "/output_shapes", flat, {int64_t(flat.size())});
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// An HDF5-safe name for a group or attribute we create from a record's keys.
void check_name(const std::string& what, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw std::invalid_argument("write_results: " + what + " '" + name + "' is not usable as an HDF5 name");
}

void write_stages(h5::File& f, const std::string& root, const std::vector<compress::StageRecord>& stages) {
  f.create_group(root);
  f.set_attr(root, "count", int64_t(stages.size()));
  for (size_t i = 0; i < stages.size(); ++i) {
    const compress::StageRecord& st = stages[i];
    const std::string g = root + "/" + std::to_string(i);
    f.create_group(g);
    f.set_attr(g, "type", st.type);
    f.create_group(g + "/metrics");
    for (const auto& [k, v] : st.metrics) {
      check_name("stage metric", k);
      f.set_attr(g + "/metrics", k, v);
    }
    f.create_group(g + "/info");
    for (const auto& [k, v] : st.info) {
      check_name("stage info key", k);
      f.set_attr(g + "/info", k, v);
    }
    f.create_group(g + "/tables");
    f.set_attr(g + "/tables", "count", int64_t(st.tables.size()));
    size_t k = 0;
    for (const auto& [name, t] : st.tables) {
      const std::string tg = g + "/tables/" + std::to_string(k++);
      const int64_t cols = int64_t(t.columns.size()), rows = int64_t(t.rows.size());
      std::vector<double> flat;
      flat.reserve(size_t(cols * rows));
      for (const auto& r : t.rows) {
        if (int64_t(r.size()) != cols)
          throw std::invalid_argument("write_results: stage " + std::to_string(i) + " table '" + name + "' has a row of " +
                                      std::to_string(r.size()) + " values for " + std::to_string(cols) + " columns");
        flat.insert(flat.end(), r.begin(), r.end());
      }
      if (!t.row_labels.empty() && int64_t(t.row_labels.size()) != rows)
        throw std::invalid_argument("write_results: stage " + std::to_string(i) + " table '" + name + "' has " +
                                    std::to_string(t.row_labels.size()) + " row labels for " + std::to_string(rows) +
                                    " rows");
      f.create_group(tg);
      f.set_attr(tg, "name", name);
      f.write_strings(tg + "/columns", t.columns);
      f.write(tg + "/rows", flat, {rows, cols});
      f.write_strings(tg + "/row_labels", t.row_labels);
    }
  }
}

// ---- reading, with every length checked ----------------------------------------

class Reader {
 public:
  Reader(const h5::File& f, const fs::path& path) : f_(f), path_(path.string()) {}

  [[noreturn]] void fail(const std::string& what) const { throw data::DataError(path_, what); }

  std::string str_attr(const std::string& obj, const std::string& key, bool required = false) const {
    auto v = f_.attr_string(obj, key);
    if (!v && required) fail("attribute '" + key + "' of '" + obj + "' is missing or not a string");
    return v.value_or("");
  }
  double num_attr(const std::string& obj, const std::string& key) const {
    auto v = f_.attr_double(obj, key);
    if (!v) fail("attribute '" + key + "' of '" + obj + "' is missing or not a number");
    return *v;
  }
  int64_t int_attr(const std::string& obj, const std::string& key, int64_t lo, int64_t hi) const {
    const double v = num_attr(obj, key);
    if (!(v >= double(lo) && v <= double(hi)) || v != std::floor(v))
      fail("attribute '" + key + "' of '" + obj + "' is " + number(v) + ", expected an integer in [" +
           std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return int64_t(v);
  }
  double float_attr(const std::string& obj, const std::string& key) const {
    const double v = num_attr(obj, key);
    if (std::isinf(v)) fail("attribute '" + key + "' of '" + obj + "' is infinite");
    return v;
  }

  std::vector<int64_t> expect_1d(const std::string& name, int64_t expected_len = -1) const {
    const auto shape = f_.shape(name);
    if (shape.size() != 1) fail("dataset '" + name + "' has rank " + std::to_string(shape.size()) + ", expected 1");
    if (expected_len >= 0 && shape[0] != expected_len)
      fail("dataset '" + name + "' has " + std::to_string(shape[0]) + " values, expected " +
           std::to_string(expected_len));
    return shape;
  }
  std::vector<std::string> strings(const std::string& name, int64_t expected_len = -1) const {
    expect_1d(name, expected_len);
    return f_.read_strings(name);
  }
  std::vector<int64_t> ints(const std::string& name, int64_t expected_len = -1, int64_t min_value = INT64_MIN) const {
    expect_1d(name, expected_len);
    auto v = f_.read_int64s(name);
    for (int64_t x : v)
      if (x < min_value) fail("dataset '" + name + "' holds " + std::to_string(x) + " (must be ≥ " + std::to_string(min_value) + ")");
    return v;
  }
  std::vector<double> doubles(const std::string& name, int64_t expected_len) const {
    expect_1d(name, expected_len);
    return f_.read_doubles(name);
  }
  std::string single_string(const std::string& name) const {
    auto v = strings(name, 1);
    return v[0];
  }

  train::EvalMetrics metrics(const std::string& group) const {
    train::EvalMetrics m;
    if (!f_.exists(group)) fail("missing group '" + group + "'");
    m.loss = float_attr(group, "loss");
    m.accuracy = float_attr(group, "accuracy");
    m.macro_f1 = float_attr(group, "macro_f1");
    m.num_classes = int_attr(group, "num_classes", 0, kMaxClasses);
    m.samples = int_attr(group, "samples", 0, INT64_MAX / 2);
    const std::string name = group + "/confusion";
    const auto shape = f_.shape(name);
    const int64_t k = m.num_classes;
    const bool empty = shape == std::vector<int64_t>{0, 0};
    if (!empty && shape != std::vector<int64_t>{k, k})
      fail("dataset '" + name + "' is not " + std::to_string(k) + "×" + std::to_string(k) + " (num_classes)");
    m.confusion = f_.read_int64s(name);
    for (int64_t c : m.confusion)
      if (c < 0) fail("dataset '" + name + "' holds a negative count");
    return m;
  }

  std::vector<std::vector<int64_t>> shapes(const std::string& group, int64_t layers) const {
    const auto rank = ints(group + "/output_rank", layers, 0);
    int64_t total = 0;
    for (int64_t r : rank) {
      if (r > 16) fail("dataset '" + group + "/output_rank' holds a rank of " + std::to_string(r));
      total += r;
    }
    const auto flat = ints(group + "/output_shapes", total, 0);
    std::vector<std::vector<int64_t>> out;
    size_t at = 0;
    for (int64_t r : rank) {
      out.emplace_back(flat.begin() + long(at), flat.begin() + long(at + size_t(r)));
      at += size_t(r);
    }
    return out;
  }

  int64_t layer_count(const std::string& names) const {
    const int64_t n = expect_1d(names)[0];
    if (n > kMaxLayers) fail("dataset '" + names + "' lists " + std::to_string(n) + " layers");
    return n;
  }

  std::vector<compress::StageRecord> stages(const std::string& root) const {
    std::vector<compress::StageRecord> out;
    if (!f_.exists(root)) return out;
    const int64_t n = int_attr(root, "count", 0, kMaxStages);
    for (int64_t i = 0; i < n; ++i) {
      const std::string g = root + "/" + std::to_string(i);
      if (!f_.exists(g)) fail("missing group '" + g + "' (" + root + " says " + std::to_string(n) + " stages)");
      compress::StageRecord st;
      st.type = str_attr(g, "type", true);
      if (f_.exists(g + "/metrics"))
        for (const std::string& k : f_.attr_names(g + "/metrics")) st.metrics[k] = num_attr(g + "/metrics", k);
      if (f_.exists(g + "/info"))
        for (const std::string& k : f_.attr_names(g + "/info")) st.info[k] = str_attr(g + "/info", k, true);
      const std::string tables = g + "/tables";
      const int64_t tn = f_.exists(tables) ? int_attr(tables, "count", 0, kMaxTables) : 0;
      for (int64_t k = 0; k < tn; ++k) {
        const std::string tg = tables + "/" + std::to_string(k);
        if (!f_.exists(tg)) fail("missing group '" + tg + "'");
        const std::string name = str_attr(tg, "name", true);
        compress::Table t;
        t.columns = strings(tg + "/columns");
        const int64_t cols = int64_t(t.columns.size());
        const auto shape = f_.shape(tg + "/rows");
        if (shape.size() != 2 || shape[1] != cols)
          fail("dataset '" + tg + "/rows' is not [rows, " + std::to_string(cols) + "] (its columns)");
        if (shape[0] > kMaxEpochs) fail("dataset '" + tg + "/rows' has " + std::to_string(shape[0]) + " rows");
        const auto flat = f_.read_doubles(tg + "/rows");
        if (int64_t(flat.size()) != shape[0] * cols) fail("dataset '" + tg + "/rows' holds the wrong number of values");
        for (int64_t r = 0; r < shape[0]; ++r)
          t.rows.emplace_back(flat.begin() + long(r * cols), flat.begin() + long((r + 1) * cols));
        t.row_labels = strings(tg + "/row_labels");
        if (!t.row_labels.empty() && int64_t(t.row_labels.size()) != shape[0])
          fail("dataset '" + tg + "/row_labels' has " + std::to_string(t.row_labels.size()) + " labels for " +
               std::to_string(shape[0]) + " rows");
        if (!st.tables.emplace(name, std::move(t)).second) fail("stage " + std::to_string(i) + " has two tables named '" + name + "'");
      }
      out.push_back(std::move(st));
    }
    return out;
  }

 private:
  const h5::File& f_;
  std::string path_;
};

// The profile's integer totals, as attributes of /resources: the first four since
// version 1, the MACs by precision since version 2.
using Count = int64_t train::ResourceProfile::*;
const std::pair<const char*, Count> kTotals[] = {{"params", &train::ResourceProfile::params},
                                                 {"bytes", &train::ResourceProfile::bytes},
                                                 {"macs", &train::ResourceProfile::macs},
                                                 {"peak_activation_bytes", &train::ResourceProfile::peak_activation_bytes}};
const std::pair<const char*, Count> kMacSplit[] = {{"macs_fp32", &train::ResourceProfile::macs_fp32},
                                                   {"macs_fp16", &train::ResourceProfile::macs_fp16},
                                                   {"macs_int16", &train::ResourceProfile::macs_int16},
                                                   {"macs_int8", &train::ResourceProfile::macs_int8},
                                                   {"macs_binary", &train::ResourceProfile::macs_binary}};

// The columns a Graph IR summary and a resource profile share: names, kinds,
// precisions, params and output shapes of each layer, in `group` (made here).
template <class Layer>
void write_layer_columns(h5::File& f, const std::string& group, const std::vector<Layer>& layers) {
  std::vector<std::string> names, kinds, precisions;
  std::vector<int64_t> params;
  std::vector<const std::vector<int64_t>*> shapes;
  for (const Layer& l : layers) {
    names.push_back(l.name);
    kinds.push_back(l.kind);
    precisions.push_back(l.precision);
    params.push_back(l.params);
    shapes.push_back(&l.output_shape);
  }
  f.create_group(group);
  f.write_strings(group + "/names", names);
  f.write_strings(group + "/kinds", kinds);
  f.write_strings(group + "/precisions", precisions);
  f.write(group + "/params", params, {int64_t(params.size())});
  write_shapes(f, group, shapes);
}

// The layer columns write_layer_columns wrote: one Layer per row of `group`.
template <class Layer>
std::vector<Layer> read_layer_columns(const Reader& in, const std::string& group) {
  const int64_t n = in.layer_count(group + "/names");
  const auto names = in.strings(group + "/names", n);
  const auto kinds = in.strings(group + "/kinds", n);
  const auto precisions = in.strings(group + "/precisions", n);
  const auto params = in.ints(group + "/params", n, 0);
  const auto shapes = in.shapes(group, n);
  std::vector<Layer> layers(static_cast<size_t>(n), Layer{});
  for (size_t i = 0; i < size_t(n); ++i) {
    layers[i].name = names[i];
    layers[i].kind = kinds[i];
    layers[i].precision = precisions[i];
    layers[i].params = params[i];
    layers[i].output_shape = shapes[i];
  }
  return layers;
}

}  // namespace

const std::vector<CurveField>& curve_fields() {
  static const std::vector<CurveField> fields = {
      {"train_loss", &train::EpochMetrics::train_loss},
      {"train_accuracy", &train::EpochMetrics::train_accuracy},
      {"val_loss", &train::EpochMetrics::val_loss},
      {"val_accuracy", &train::EpochMetrics::val_accuracy},
      {"val_macro_f1", &train::EpochMetrics::val_macro_f1},
      {"lr", &train::EpochMetrics::lr},
      {"seconds", &train::EpochMetrics::seconds},
      {"samples_per_second", &train::EpochMetrics::samples_per_second},
      {"data_wait_fraction", &train::EpochMetrics::data_wait_fraction},
  };
  return fields;
}

void write_results(const RunRecord& r, const fs::path& path) {
  // The reader refuses anything else, so refuse it here, before a file exists.
  if (r.status != "running" && r.status != "finished" && r.status != "failed")
    throw std::invalid_argument("write_results: status '" + r.status + "' (expected running, finished or failed)");
  h5::File f = h5::File::create(path);
  f.set_attr("/", "slimlab_results_version", int64_t(kResultsVersion));
  const std::pair<const char*, const std::string*> strings[] = {
      {"experiment", &r.experiment}, {"run_id", &r.run_id},         {"status", &r.status},
      {"started", &r.started},       {"finished", &r.finished},     {"git_commit", &r.git_commit},
      {"dataset_source", &r.dataset_source}, {"model", &r.model},   {"techniques", &r.techniques}};
  for (const auto& [key, value] : strings) f.set_attr("/", key, *value);
  f.set_attr("/", "num_classes", r.num_classes);
  f.set_attr("/", "train_size", r.train_size);
  f.set_attr("/", "val_size", r.val_size);
  f.set_attr("/", "test_size", r.test_size);
  f.set_attr("/", "best_epoch", int64_t(r.result.best_epoch));
  f.set_attr("/", "stopped_early", int64_t(r.result.stopped_early ? 1 : 0));
  f.set_attr("/", "train_seconds", r.result.train_seconds);
  f.set_attr("/", "latency_ms", r.latency_ms);
  f.set_attr("/", "arena_bytes", r.arena_bytes);
  f.set_attr("/", "file_bytes", r.file_bytes);

  // Long texts as datasets: attributes are limited to 64 KiB.
  f.write_strings("config", {r.config_toml});
  f.write_strings("error", {r.error});
  f.write_strings("class_names", r.class_names);
  f.write("input_shape", r.input_shape, {int64_t(r.input_shape.size())});

  const int64_t epochs = int64_t(r.result.epochs.size());
  std::vector<double> epoch;
  for (const auto& m : r.result.epochs) epoch.push_back(double(m.epoch));
  f.write("curves/epoch", epoch, {epochs});
  for (const CurveField& c : curve_fields()) {
    std::vector<double> v;
    for (const auto& m : r.result.epochs) v.push_back(m.*c.member);
    f.write(std::string("curves/") + c.name, v, {epochs});
  }

  f.create_group("metrics/val");
  f.create_group("metrics/test");
  write_metrics(f, "metrics/val", r.result.val);
  write_metrics(f, "metrics/test", r.result.test);

  {
    write_layer_columns(f, "graph", r.graph);
    std::vector<std::string> inputs;
    for (const LayerSummary& l : r.graph) {
      std::string in;
      for (const auto& x : l.inputs) in += (in.empty() ? "" : ",") + x;
      inputs.push_back(in);
    }
    f.write_strings("graph/inputs", inputs);
  }
  if (!r.base_graph.empty()) write_layer_columns(f, "base_graph", r.base_graph);
  {
    const auto& res = r.resources;
    write_layer_columns(f, "resources", res.layers);
    std::vector<std::string> mac_precisions;
    std::vector<int64_t> bytes, macs, act;
    std::vector<double> energy;
    for (const auto& l : res.layers) {
      mac_precisions.push_back(l.mac_precision);
      energy.push_back(l.energy_pj);
      bytes.push_back(l.bytes);
      macs.push_back(l.macs);
      act.push_back(l.activation_bytes);
    }
    const std::vector<int64_t> n = {int64_t(res.layers.size())};
    f.write("resources/bytes", bytes, n);
    f.write("resources/macs", macs, n);
    f.write("resources/activation_bytes", act, n);
    for (const auto& [k, m] : kTotals) f.set_attr("resources", k, res.*m);
    f.write_strings("resources/mac_precisions", mac_precisions);
    f.write("resources/energy_pj", energy, n);
    for (const auto& [k, m] : kMacSplit) f.set_attr("resources", k, res.*m);
    f.set_attr("resources", "energy_pj", res.energy_pj);
    f.set_attr("resources", "energy_compute_pj", res.energy_compute_pj);
    f.set_attr("resources", "energy_weights_pj", res.energy_weights_pj);
    f.set_attr("resources", "energy_activations_pj", res.energy_activations_pj);
    f.set_attr("resources", "weight_memory", res.weight_memory);
    f.set_attr("resources", "activation_memory", res.activation_memory);
  }
  write_stages(f, "stages", r.stages);
  f.create_group("tags");
  for (const auto& [k, v] : r.tags) f.set_attr("tags", k, v);
  f.commit();
}

namespace {

RunRecord read_results_unguarded(const fs::path& path) {
  const h5::File f = h5::File::open_read(path);
  const Reader in(f, path);
  RunRecord r;
  r.dir = path.parent_path();

  const auto version = f.attr_double("/", "slimlab_results_version");
  if (!version) in.fail("not a SlimLab results file (no slimlab_results_version attribute)");
  if (*version < 1 || *version > kResultsVersion || *version != std::floor(*version))
    in.fail("results version " + number(*version) + " is not one this SlimLab reads (1–" +
            std::to_string(kResultsVersion) + ")");

  r.experiment = in.str_attr("/", "experiment", true);
  r.run_id = in.str_attr("/", "run_id", true);
  r.status = in.str_attr("/", "status", true);
  if (r.status != "running" && r.status != "finished" && r.status != "failed")
    in.fail("attribute 'status' is '" + r.status + "' (expected running, finished or failed)");
  r.started = in.str_attr("/", "started");
  r.finished = in.str_attr("/", "finished");
  r.git_commit = in.str_attr("/", "git_commit");
  r.dataset_source = in.str_attr("/", "dataset_source");
  r.model = in.str_attr("/", "model");
  r.techniques = in.str_attr("/", "techniques");
  r.num_classes = in.int_attr("/", "num_classes", 0, kMaxClasses);
  r.train_size = in.int_attr("/", "train_size", 0, INT64_MAX / 2);
  r.val_size = in.int_attr("/", "val_size", 0, INT64_MAX / 2);
  r.test_size = in.int_attr("/", "test_size", 0, INT64_MAX / 2);
  r.result.stopped_early = in.int_attr("/", "stopped_early", 0, 1) == 1;
  r.result.train_seconds = in.float_attr("/", "train_seconds");
  r.latency_ms = in.float_attr("/", "latency_ms");
  r.arena_bytes = in.int_attr("/", "arena_bytes", -1, INT64_MAX / 2);
  r.file_bytes = in.int_attr("/", "file_bytes", -1, INT64_MAX / 2);

  r.config_toml = in.single_string("config");
  r.error = in.single_string("error");
  r.class_names = in.strings("class_names");
  if (!r.class_names.empty() && int64_t(r.class_names.size()) != r.num_classes)
    in.fail("dataset 'class_names' has " + std::to_string(r.class_names.size()) + " names for " +
            std::to_string(r.num_classes) + " classes");
  r.input_shape = in.ints("input_shape", -1, 0);
  if (r.input_shape.size() > 16) in.fail("dataset 'input_shape' has rank " + std::to_string(r.input_shape.size()));

  // Curves: every field one value per epoch.
  const int64_t epochs = in.expect_1d("curves/epoch")[0];
  if (epochs > kMaxEpochs) in.fail("dataset 'curves/epoch' lists " + std::to_string(epochs) + " epochs");
  const auto epoch = in.doubles("curves/epoch", epochs);
  r.result.epochs.resize(size_t(epochs));
  for (size_t i = 0; i < epoch.size(); ++i) {
    if (!(epoch[i] >= 0 && epoch[i] <= double(kMaxEpochs)) || epoch[i] != std::floor(epoch[i]))
      in.fail("dataset 'curves/epoch' holds " + number(epoch[i]) + ", not an epoch number");
    r.result.epochs[i].epoch = int(epoch[i]);
  }
  for (const CurveField& c : curve_fields()) {
    const auto v = in.doubles(std::string("curves/") + c.name, epochs);
    for (size_t i = 0; i < v.size(); ++i) r.result.epochs[i].*c.member = v[i];
  }
  r.result.best_epoch = int(in.int_attr("/", "best_epoch", 0, kMaxEpochs));

  r.result.val = in.metrics("metrics/val");
  r.result.test = in.metrics("metrics/test");

  r.graph = read_layer_columns<LayerSummary>(in, "graph");
  {
    const auto inputs = in.strings("graph/inputs", int64_t(r.graph.size()));
    for (size_t i = 0; i < r.graph.size(); ++i) r.graph[i].inputs = data::split(inputs[i], ',');
  }
  if (f.exists("base_graph")) r.base_graph = read_layer_columns<LayerSummary>(in, "base_graph");
  {
    auto& res = r.resources;
    res.layers = read_layer_columns<train::LayerResources>(in, "resources");
    const int64_t n = int64_t(res.layers.size());
    const auto bytes = in.ints("resources/bytes", n, 0);
    const auto macs = in.ints("resources/macs", n, 0);
    const auto act = in.ints("resources/activation_bytes", n, 0);
    for (size_t i = 0; i < size_t(n); ++i) {
      res.layers[i].bytes = bytes[i];
      res.layers[i].macs = macs[i];
      res.layers[i].activation_bytes = act[i];
    }
    for (const auto& [k, m] : kTotals) res.*m = in.int_attr("resources", k, 0, INT64_MAX / 2);
    if (*version >= 2) {
      const auto mp = in.strings("resources/mac_precisions", n);
      const auto energy = in.doubles("resources/energy_pj", n);
      for (size_t i = 0; i < size_t(n); ++i) {
        res.layers[i].mac_precision = mp[i];
        res.layers[i].energy_pj = energy[i];
      }
      for (const auto& [k, m] : kMacSplit) res.*m = in.int_attr("resources", k, 0, INT64_MAX / 2);
      res.energy_pj = in.float_attr("resources", "energy_pj");
      res.energy_compute_pj = in.float_attr("resources", "energy_compute_pj");
      res.energy_weights_pj = in.float_attr("resources", "energy_weights_pj");
      res.energy_activations_pj = in.float_attr("resources", "energy_activations_pj");
      res.weight_memory = in.str_attr("resources", "weight_memory");
      res.activation_memory = in.str_attr("resources", "activation_memory");
    }
  }
  r.stages = in.stages("stages");
  if (f.exists("tags"))
    for (const std::string& k : f.attr_names("tags")) r.tags[k] = in.str_attr("tags", k, true);
  return r;
}

}  // namespace

RunRecord read_results(const fs::path& path) {
  return h5::read_guarded(path, [&] { return read_results_unguarded(path); });
}

void write_stage_record(const compress::StageRecord& r, const fs::path& path) {
  h5::File f = h5::File::create(path);
  f.set_attr("/", "slimlab_stage_record_version", int64_t(1));
  write_stages(f, "stages", {r});
  f.commit();
}

namespace {

compress::StageRecord read_stage_record_unguarded(const fs::path& path) {
  const h5::File f = h5::File::open_read(path);
  const Reader in(f, path);
  if (!f.attr_double("/", "slimlab_stage_record_version")) in.fail("not a SlimLab stage record (no version attribute)");
  auto v = in.stages("stages");
  if (v.size() != 1) in.fail("holds " + std::to_string(v.size()) + " stage records, expected 1");
  return v[0];
}

}  // namespace

compress::StageRecord read_stage_record(const fs::path& path) {
  return h5::read_guarded(path, [&] { return read_stage_record_unguarded(path); });
}

std::vector<LayerSummary> summarize_graph(const ir::Graph& g) {
  std::vector<LayerSummary> out;
  for (const ir::Layer& l : g.layers) {
    LayerSummary s;
    s.name = l.name;
    s.kind = ir::to_string(l.kind);
    s.inputs = l.inputs;
    s.output_shape = l.output_shape;
    s.params = l.parameter_count();
    s.precision = l.params.empty() ? "-" : format_name(l.params[0].format);
    for (const ir::Param& p : l.params)
      if (format_name(p.format) != s.precision) s.precision = "mixed";
    out.push_back(std::move(s));
  }
  return out;
}

std::string iso8601_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace slimlab::exp
