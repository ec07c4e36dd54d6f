#include "compress/surgery.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>

#include "train/op_facts.h"

namespace slimlab::compress {

namespace {

using ir::Shape;

bool is_conv(ir::LayerKind k) {
  return k == ir::LayerKind::kConv1d || k == ir::LayerKind::kConv2d || k == ir::LayerKind::kDepthwiseConv2d;
}

ir::Layer& layer_or_throw(ir::Graph& g, const std::string& name, const std::string& who) {
  ir::Layer* l = g.layer(name);
  if (!l) throw std::invalid_argument(who + ": no layer '" + name + "' in model '" + g.model + "'");
  return *l;
}

ir::Param& param_or_throw(ir::Layer& l, const std::string& name, const std::string& who) {
  ir::Param* p = l.param(name);
  if (!p) throw std::invalid_argument(who + ": layer '" + l.name + "' has no parameter '" + name + "'");
  return *p;
}

// Which unit owns each entry along a UnitRef's axis (-1: none), for a group of `units`.
std::vector<int64_t> unit_of_entry(const ir::UnitRef& r, int64_t units, int64_t extent, const std::string& who) {
  const int64_t span = units * r.block;
  const int64_t stride = r.gate_stride > 0 ? r.gate_stride : span;
  if (stride != span || extent % span != 0 || (r.gate_stride == 0 && extent != span))
    throw std::invalid_argument(who + ": " + r.layer + "." + r.param + " axis " + std::to_string(r.axis) + " has " +
                                std::to_string(extent) + " entries, which do not match " + std::to_string(units) +
                                " units × block " + std::to_string(r.block) +
                                (r.gate_stride > 0 ? " in gate blocks of " + std::to_string(r.gate_stride) : ""));
  std::vector<int64_t> owner(static_cast<size_t>(extent));
  for (int64_t e = 0; e < extent; ++e) owner[size_t(e)] = (e % span) / r.block;
  return owner;
}

// Keeps the entries `idx` (ascending) along `axis` of a parameter (shape and data).
void take_along_axis(ir::Param& p, int axis, const std::vector<int64_t>& idx) {
  const int64_t extent = p.shape[size_t(axis)];
  int64_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= p.shape[size_t(a)];
  for (size_t a = size_t(axis) + 1; a < p.shape.size(); ++a) inner *= p.shape[a];
  if (!p.data.empty()) {
    std::vector<float> out;
    out.reserve(size_t(outer * int64_t(idx.size()) * inner));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t e : idx) {
        const float* src = p.data.data() + (o * extent + e) * inner;
        out.insert(out.end(), src, src + inner);
      }
    p.data = std::move(out);
  }
  p.shape[size_t(axis)] = int64_t(idx.size());
}

// Layer attributes that follow from the parameter shapes after a cut.
void refresh_attributes(ir::Layer& l) {
  switch (l.kind) {
    case ir::LayerKind::kDense: {
      const ir::Param* w = l.param("weight");
      l.out_features = w->shape[0];
      l.in_features = w->shape[1];
      break;
    }
    case ir::LayerKind::kConv1d:
    case ir::LayerKind::kConv2d: {
      const ir::Param* w = l.param("weight");
      l.out_features = w->shape[0];
      l.in_features = w->shape[1] * l.groups;
      break;
    }
    case ir::LayerKind::kBatchNorm:
      l.in_features = l.out_features = l.param("weight")->shape[0];
      break;
    case ir::LayerKind::kGru:
    case ir::LayerKind::kLstm:
      l.out_features = l.param("weight_hh_l0")->shape[1];
      l.in_features = l.param("weight_ih_l0")->shape[1];
      break;
    default:
      throw std::invalid_argument("surgery: layer '" + l.name + "' (" + ir::to_string(l.kind) +
                                  ") cannot have units removed");
  }
}

// The new output of a reshape whose input changed from old_in to new_in: axes are
// matched in runs of equal products; a run whose input product changed must map to
// a single output axis (otherwise which output axis shrinks is ambiguous).
Shape reshape_output(const ir::Layer& l, const Shape& old_in, const Shape& new_in, const Shape& old_out) {
  if (old_in == new_in) return old_out;
  Shape out = old_out;
  size_t i = 0, j = 0;
  while (i < old_in.size() || j < old_out.size()) {
    const size_t i0 = i, j0 = j;
    int64_t pin = 1, pout = 1;
    if (i < old_in.size()) pin *= old_in[i++];
    if (j < old_out.size()) pout *= old_out[j++];
    while (pin != pout) {
      if (pin < pout && i < old_in.size()) {
        pin *= old_in[i++];
      } else if (pout < pin && j < old_out.size()) {
        pout *= old_out[j++];
      } else {
        throw std::invalid_argument("surgery: reshape '" + l.name + "' from " + ir::to_string(old_in) + " to " +
                                    ir::to_string(old_out) + " has no axis correspondence");
      }
    }
    int64_t new_p = 1;
    for (size_t a = i0; a < i; ++a) new_p *= new_in[a];
    if (new_p != pin) {
      if (j - j0 != 1)
        throw std::invalid_argument("surgery: reshape '" + l.name + "' splits input axes that lose units (" +
                                    ir::to_string(old_in) + " → " + ir::to_string(old_out) + ")");
      out[j0] = new_p;
    }
  }
  return out;
}

// Output shape of every layer again, from the (possibly cut) attributes and inputs (the
// op facts' shape rules). A reshape's target follows its input (reshape_output); a
// slice must not cut along an axis that lost units.
void propagate_shapes(ir::Graph& g) {
  std::map<std::string, Shape> old_shape;
  for (const ir::Layer& l : g.layers) old_shape[l.name] = l.output_shape;
  for (ir::Layer& l : g.layers) {
    ir::InputShapes ins;
    for (const std::string& in : l.inputs) ins.push_back(&g.layer(in)->output_shape);
    if (l.kind == ir::LayerKind::kReshape) {
      l.output_shape = reshape_output(l, old_shape.at(l.inputs.at(0)), *ins.at(0), l.output_shape);
    } else if (l.kind == ir::LayerKind::kSlice &&
               (*ins.at(0))[size_t(l.axis)] != old_shape.at(l.inputs[0])[size_t(l.axis)]) {
      throw std::invalid_argument("surgery: slice '" + l.name + "' cuts along an axis that loses units");
    }
    l.output_shape = ir::infer_output_shape(g, l, ins);
  }
}

ir::Graph structure_of(const ir::Graph& g) {
  ir::Graph s;
  s.model = g.model;
  s.input_shape = g.input_shape;
  s.num_classes = g.num_classes;
  s.groups = g.groups;
  s.layers.reserve(g.layers.size());
  for (const ir::Layer& l : g.layers) {
    ir::Layer c = l;
    for (ir::Param& p : c.params) std::vector<float>().swap(p.data);
    s.layers.push_back(std::move(c));
  }
  return s;
}

// Entries along `axis` of a parameter for each coordinate of the other axes: calls
// f(flat_index, axis_coordinate) for every element.
template <typename F>
void for_each_along(const ir::Param& p, int axis, F&& f) {
  const int64_t extent = p.shape[size_t(axis)];
  int64_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= p.shape[size_t(a)];
  for (size_t a = size_t(axis) + 1; a < p.shape.size(); ++a) inner *= p.shape[a];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t e = 0; e < extent; ++e)
      for (int64_t k = 0; k < inner; ++k) f((o * extent + e) * inner + k, e);
}

void require_weights(const ir::Param& p, const std::string& who, const std::string& layer) {
  if (int64_t(p.data.size()) != p.numel())
    throw std::invalid_argument(who + ": " + layer + "." + p.name + " has no weights (a structure-only graph)");
}

// Moves consumer references to (layer, param, axis 1) — the input side — onto `to`.
void retarget_input_refs(ir::Graph& g, const std::string& layer, const std::string& to) {
  for (ir::PrunableGroup& grp : g.groups)
    for (ir::UnitRef& r : grp.consumers)
      if (r.layer == layer && r.axis == 1) r.layer = to;
}

void insert_before(ir::Graph& g, const std::string& before, ir::Layer l) {
  auto it = std::find_if(g.layers.begin(), g.layers.end(), [&](const ir::Layer& x) { return x.name == before; });
  g.layers.insert(it, std::move(l));
}

ir::Param make_param(const std::string& name, Shape shape, std::vector<float> data, ir::NumericFormat fmt) {
  ir::Param p;
  p.name = name;
  p.shape = std::move(shape);
  p.data = std::move(data);
  p.format = fmt;
  return p;
}

using MatrixRM = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The leading `r` left singular vectors of M (columns of the result).
// The r leading left singular vectors of m (r ≤ rows). A thin SVD has only
// min(rows, cols) of them; when r exceeds that (a conv whose unfolding is wider than it
// is tall, e.g. 32 filters over 1 channel × 3×3) the full U supplies an orthonormal
// complement, so r = rows still reconstructs exactly.
Eigen::MatrixXd leading_left_vectors(const Eigen::MatrixXd& m, int64_t r) {
  if (r > std::min(m.rows(), m.cols())) {
    Eigen::BDCSVD<Eigen::MatrixXd> svd(m, Eigen::ComputeFullU);
    return svd.matrixU().leftCols(Eigen::Index(r));
  }
  Eigen::BDCSVD<Eigen::MatrixXd> svd(m, Eigen::ComputeThinU);
  return svd.matrixU().leftCols(Eigen::Index(r));
}

// A Tucker-2 decomposition of a conv weight W [N, C, K] (K = kernel entries):
// W ≈ G ×0 U ×1 V with U [N, r_out], V [C, r_in] and the core G [r_out, r_in, K].
struct Tucker2 {
  Eigen::MatrixXd u, v;
  std::vector<float> core;  // G, row-major
};

// W ×1 Vᵀ, mode-0 unfolded: [N, r·K], entry (o, r·K + q) = Σ_c V(c, r) W(o, c, q).
Eigen::MatrixXd project_inputs(const std::vector<float>& w, int64_t n_out, int64_t c_in, int64_t k,
                               const Eigen::MatrixXd& v) {
  Eigen::MatrixXd p(n_out, v.cols() * k);
  for (int64_t o = 0; o < n_out; ++o)
    for (int64_t r = 0; r < v.cols(); ++r)
      for (int64_t q = 0; q < k; ++q) {
        double s = 0;
        for (int64_t c = 0; c < c_in; ++c) s += v(c, r) * double(w[size_t((o * c_in + c) * k + q)]);
        p(o, r * k + q) = s;
      }
  return p;
}

// HOSVD factors refined by `iterations` of HOOI, then the core.
Tucker2 tucker2(const std::vector<float>& w, int64_t n_out, int64_t c_in, int64_t k, int64_t rank_in,
                int64_t rank_out, int iterations) {
  // W as a tensor [N, C, K]; mode-0 unfolding [N, C·K], mode-1 unfolding [C, N·K].
  auto at = [&](int64_t o, int64_t c, int64_t q) { return double(w[size_t((o * c_in + c) * k + q)]); };
  Eigen::MatrixXd w0(n_out, c_in * k), w1(c_in, n_out * k);
  for (int64_t o = 0; o < n_out; ++o)
    for (int64_t c = 0; c < c_in; ++c)
      for (int64_t q = 0; q < k; ++q) {
        w0(o, c * k + q) = at(o, c, q);
        w1(c, o * k + q) = at(o, c, q);
      }
  Tucker2 t;
  t.u = leading_left_vectors(w0, rank_out);  // [N, r_out]
  t.v = leading_left_vectors(w1, rank_in);   // [C, r_in]
  // HOOI: each factor again from W projected on the other one.
  for (int it = 0; it < iterations; ++it) {
    t.u = leading_left_vectors(project_inputs(w, n_out, c_in, k, t.v), rank_out);
    Eigen::MatrixXd p1(c_in, rank_out * k);  // W ×0 Uᵀ, mode-1 unfolded
    for (int64_t c = 0; c < c_in; ++c)
      for (int64_t q = 0; q < k; ++q)
        for (int64_t r = 0; r < rank_out; ++r) {
          double s = 0;
          for (int64_t o = 0; o < n_out; ++o) s += t.u(o, r) * at(o, c, q);
          p1(c, r * k + q) = s;
        }
    t.v = leading_left_vectors(p1, rank_in);
  }
  // Core G = W ×0 Uᵀ ×1 Vᵀ: [r_out, r_in, K], in two contractions: (W ×1 Vᵀ), then Uᵀ ·.
  const Eigen::MatrixXd gm = t.u.transpose() * project_inputs(w, n_out, c_in, k, t.v);  // row a = G[a] flattened
  t.core.resize(size_t(rank_out * rank_in * k));
  for (int64_t a = 0; a < rank_out; ++a)
    for (int64_t j = 0; j < rank_in * k; ++j) t.core[size_t(a * rank_in * k + j)] = float(gm(a, j));
  return t;
}

}  // namespace

const ir::PrunableGroup& find_group(const ir::Graph& g, const std::string& name) {
  for (const ir::PrunableGroup& grp : g.groups)
    if (grp.name == name) return grp;
  std::string names;
  for (const ir::PrunableGroup& grp : g.groups) names += (names.empty() ? "" : ", ") + grp.name;
  throw std::invalid_argument("model '" + g.model + "' has no prunable group '" + name + "' (its groups: " +
                              (names.empty() ? "none" : names) + ")");
}

void remove_units(ir::Graph& g, const std::string& group, std::vector<int64_t> keep) {
  ir::PrunableGroup* grp = nullptr;
  for (ir::PrunableGroup& x : g.groups)
    if (x.name == group) grp = &x;
  if (!grp) find_group(g, group);  // throws with the list of groups
  const std::string who = "surgery: group '" + group + "'";
  std::sort(keep.begin(), keep.end());
  if (keep.empty()) throw std::invalid_argument(who + ": at least one unit must be kept");
  if (std::adjacent_find(keep.begin(), keep.end()) != keep.end())
    throw std::invalid_argument(who + ": unit " + std::to_string(*std::adjacent_find(keep.begin(), keep.end())) +
                                " is listed twice");
  if (keep.front() < 0 || keep.back() >= grp->units)
    throw std::invalid_argument(who + ": unit " + std::to_string(keep.front() < 0 ? keep.front() : keep.back()) +
                                " is outside [0, " + std::to_string(grp->units) + ")");
  const int64_t units = grp->units;
  std::vector<char> kept(size_t(units), 0);
  for (int64_t u : keep) kept[size_t(u)] = 1;

  // Check every reference before touching anything, so a bad group leaves g as it was.
  std::vector<ir::UnitRef> refs = grp->producers;
  refs.insert(refs.end(), grp->consumers.begin(), grp->consumers.end());
  for (const ir::UnitRef& r : refs) {
    ir::Param& p = param_or_throw(layer_or_throw(g, r.layer, who), r.param, who);
    if (r.axis < 0 || r.axis >= int(p.shape.size()))
      throw std::invalid_argument(who + ": " + r.layer + "." + r.param + " has no axis " + std::to_string(r.axis));
    unit_of_entry(r, units, p.shape[size_t(r.axis)], who);
    if (is_conv(g.layer(r.layer)->kind) && g.layer(r.layer)->groups != 1)
      throw std::invalid_argument(who + ": grouped/depthwise convolution '" + r.layer + "' is not supported");
  }
  std::set<std::string> touched;
  for (const ir::UnitRef& r : refs) {
    ir::Layer& l = *g.layer(r.layer);
    ir::Param& p = *l.param(r.param);
    const std::vector<int64_t> owner = unit_of_entry(r, units, p.shape[size_t(r.axis)], who);
    std::vector<int64_t> idx;
    for (size_t e = 0; e < owner.size(); ++e)
      if (kept[size_t(owner[e])]) idx.push_back(int64_t(e));
    take_along_axis(p, r.axis, idx);
    touched.insert(r.layer);
  }
  grp->units = int64_t(keep.size());
  for (ir::UnitRef& r : grp->producers)
    if (r.gate_stride > 0) r.gate_stride = grp->units * r.block;
  for (ir::UnitRef& r : grp->consumers)
    if (r.gate_stride > 0) r.gate_stride = grp->units * r.block;
  for (ir::Layer& l : g.layers)
    if (touched.count(l.name)) refresh_attributes(l);
  propagate_shapes(g);
  g.validate();
}

ir::Graph prune_units(const ir::Graph& g, const std::map<std::string, std::vector<int64_t>>& keep) {
  ir::Graph out = g;
  for (const auto& [group, units] : keep) remove_units(out, group, units);
  return out;
}

int64_t parameter_count_after(const ir::Graph& g, const std::map<std::string, int64_t>& kept) {
  ir::Graph s = structure_of(g);
  for (const auto& [group, n] : kept) {
    const ir::PrunableGroup& grp = find_group(s, group);
    if (n < 1 || n > grp.units)
      throw std::invalid_argument("group '" + group + "': cannot keep " + std::to_string(n) + " of " +
                                  std::to_string(grp.units) + " units");
    if (n == grp.units) continue;
    std::vector<int64_t> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    remove_units(s, group, idx);
  }
  return s.parameter_count();
}

std::vector<std::string> mask_layers(const ir::Graph& g, const ir::PrunableGroup& group) {
  std::set<std::string> producers;
  for (const ir::UnitRef& r : group.producers) producers.insert(r.layer);
  std::set<std::string> fed;  // producers whose output feeds another producer
  for (const std::string& p : producers) {
    const ir::Layer* l = g.layer(p);
    if (!l) throw std::invalid_argument("group '" + group.name + "': no layer '" + p + "'");
    for (const std::string& in : l->inputs)
      if (producers.count(in)) fed.insert(in);
  }
  std::vector<std::string> out;
  for (const ir::Layer& l : g.layers)
    if (producers.count(l.name) && !fed.count(l.name)) out.push_back(l.name);
  return out;
}

void scale_consumer_inputs(ir::Graph& g, const std::string& group, const std::vector<float>& scale) {
  const ir::PrunableGroup grp = find_group(g, group);
  const std::string who = "scale_consumer_inputs: group '" + group + "'";
  if (int64_t(scale.size()) != grp.units)
    throw std::invalid_argument(who + ": " + std::to_string(scale.size()) + " scales for " +
                                std::to_string(grp.units) + " units");
  for (const ir::UnitRef& r : grp.consumers) {
    ir::Param& p = param_or_throw(layer_or_throw(g, r.layer, who), r.param, who);
    require_weights(p, who, r.layer);
    const std::vector<int64_t> owner = unit_of_entry(r, grp.units, p.shape[size_t(r.axis)], who);
    for_each_along(p, r.axis, [&](int64_t i, int64_t e) { p.data[size_t(i)] *= scale[size_t(owner[size_t(e)])]; });
  }
}

UnitMatrix unit_matrix(const ir::Graph& g, const ir::PrunableGroup& group) {
  const std::string who = "unit_matrix: group '" + group.name + "'";
  std::vector<std::vector<float>> rows(size_t(group.units));
  for (const ir::UnitRef& r : group.producers) {
    const ir::Layer* l = g.layer(r.layer);
    if (!l) throw std::invalid_argument(who + ": no layer '" + r.layer + "'");
    const ir::Param* p = l->param(r.param);
    if (!p) throw std::invalid_argument(who + ": no parameter " + r.layer + "." + r.param);
    if (!p->trainable) continue;
    require_weights(*p, who, r.layer);
    const std::vector<int64_t> owner = unit_of_entry(r, group.units, p->shape[size_t(r.axis)], who);
    for_each_along(*p, r.axis,
                   [&](int64_t i, int64_t e) { rows[size_t(owner[size_t(e)])].push_back(p->data[size_t(i)]); });
  }
  UnitMatrix m;
  m.rows = group.units;
  m.cols = int64_t(rows[0].size());
  m.data.reserve(size_t(m.rows * m.cols));
  for (const auto& row : rows) m.data.insert(m.data.end(), row.begin(), row.end());
  return m;
}

Table kept_units_table(const ir::Graph& original, const ir::Graph& pruned) {
  Table t;
  t.columns = {"units", "kept", "kept_fraction"};
  for (const ir::PrunableGroup& g : original.groups) {
    const ir::PrunableGroup& p = find_group(pruned, g.name);
    t.row_labels.push_back(g.name);
    t.rows.push_back({double(g.units), double(p.units), double(p.units) / double(g.units)});
  }
  return t;
}

// ---- low rank -------------------------------------------------------------------

std::vector<double> dense_singular_values(const ir::Graph& g, const std::string& layer) {
  const std::string who = "svd: layer '" + layer + "'";
  const ir::Layer* l = g.layer(layer);
  if (!l) throw std::invalid_argument(who + ": no such layer in model '" + g.model + "'");
  if (l->kind != ir::LayerKind::kDense) throw std::invalid_argument(who + " is not a dense layer");
  const ir::Param& w = *l->param("weight");
  require_weights(w, who, layer);
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> wm(
      w.data.data(), Eigen::Index(w.shape[0]), Eigen::Index(w.shape[1]));
  Eigen::BDCSVD<Eigen::MatrixXd> svd(wm.cast<double>());
  const Eigen::VectorXd s = svd.singularValues();
  return std::vector<double>(s.data(), s.data() + s.size());
}

int64_t rank_for_energy(const std::vector<double>& s, double energy) {
  if (!(energy > 0 && energy <= 1)) throw std::invalid_argument("energy must be in (0, 1]");
  double total = 0;
  for (double v : s) total += v * v;
  double acc = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    acc += s[i] * s[i];
    if (acc >= energy * total * (1 - 1e-12)) return int64_t(i + 1);
  }
  return int64_t(s.size());
}

void svd_split_dense(ir::Graph& g, const std::string& layer, int64_t rank) {
  const std::string who = "svd: layer '" + layer + "'";
  ir::Layer& l = layer_or_throw(g, layer, who);
  if (l.kind != ir::LayerKind::kDense) throw std::invalid_argument(who + " is not a dense layer");
  ir::Param& w = *l.param("weight");
  require_weights(w, who, layer);
  const int64_t m = w.shape[0], n = w.shape[1];
  if (rank < 1 || rank > std::min(m, n))
    throw std::invalid_argument(who + ": rank " + std::to_string(rank) + " is outside [1, " +
                                std::to_string(std::min(m, n)) + "]");
  const std::string first = layer + ".lr_in";
  if (g.layer(first)) throw std::invalid_argument(who + ": already split ('" + first + "' exists)");
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> wm(
      w.data.data(), Eigen::Index(m), Eigen::Index(n));
  Eigen::BDCSVD<Eigen::MatrixXd> svd(wm.cast<double>(), Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::Index c = Eigen::Index(rank);
  const Eigen::VectorXd root = svd.singularValues().head(c).cwiseSqrt();
  // W ≈ (U_c Σ^½)(Σ^½ V_cᵀ): the balanced split keeps both factors at similar scales.
  const MatrixRM second = svd.matrixU().leftCols(c) * root.asDiagonal();             // [m, c]
  const MatrixRM first_w = root.asDiagonal() * svd.matrixV().leftCols(c).transpose();  // [c, n]

  ir::Layer in;
  in.name = first;
  in.kind = ir::LayerKind::kDense;
  in.inputs = l.inputs;
  in.in_features = n;
  in.out_features = rank;
  in.output_shape = {rank};
  in.bias = false;
  in.activation_format = l.activation_format;
  in.params = {make_param("weight", {rank, n}, std::vector<float>(first_w.data(), first_w.data() + first_w.size()),
                          w.format)};
  w.shape = {m, rank};
  w.data.assign(second.data(), second.data() + second.size());
  l.in_features = rank;
  l.inputs = {first};
  retarget_input_refs(g, layer, first);
  insert_before(g, layer, std::move(in));
  g.validate();
}

void tucker2_split_conv(ir::Graph& g, const std::string& layer, int64_t rank_in, int64_t rank_out,
                        int hooi_iterations) {
  const std::string who = "tucker2: layer '" + layer + "'";
  ir::Layer& l = layer_or_throw(g, layer, who);
  if (l.kind != ir::LayerKind::kConv1d && l.kind != ir::LayerKind::kConv2d)
    throw std::invalid_argument(who + " is not a conv layer");
  if (l.groups != 1) throw std::invalid_argument(who + ": grouped convolutions are not supported");
  ir::Param& w = *l.param("weight");
  require_weights(w, who, layer);
  const int64_t n_out = w.shape[0], c_in = w.shape[1];
  const int64_t k = w.numel() / (n_out * c_in);  // kernel entries
  if (rank_in < 1 || rank_in > c_in)
    throw std::invalid_argument(who + ": rank_in " + std::to_string(rank_in) + " is outside [1, " +
                                std::to_string(c_in) + "]");
  if (rank_out < 1 || rank_out > n_out)
    throw std::invalid_argument(who + ": rank_out " + std::to_string(rank_out) + " is outside [1, " +
                                std::to_string(n_out) + "]");
  const std::string in_name = layer + ".tk_in", core_name = layer + ".tk_core";
  if (g.layer(in_name) || g.layer(core_name)) throw std::invalid_argument(who + ": already split");

  const Tucker2 f = tucker2(w.data, n_out, c_in, k, rank_in, rank_out, hooi_iterations);
  const Eigen::MatrixXd& u = f.u;
  const Eigen::MatrixXd& v = f.v;
  std::vector<float> core = f.core;

  const size_t spatial = l.kernel.size();
  const Shape ones(spatial, 1), zeros(spatial, 0);
  const ir::Layer* src = g.layer(l.inputs.at(0));
  Shape in_spatial(src->output_shape.begin() + 1, src->output_shape.end());

  ir::Layer first;
  first.name = in_name;
  first.kind = l.kind;
  first.inputs = l.inputs;
  first.in_features = c_in;
  first.out_features = rank_in;
  first.kernel = ones;
  first.stride = ones;
  first.padding = zeros;
  first.dilation = ones;
  first.bias = false;
  first.activation_format = l.activation_format;
  first.output_shape = {rank_in};
  first.output_shape.insert(first.output_shape.end(), in_spatial.begin(), in_spatial.end());
  Shape first_shape{rank_in, c_in};
  first_shape.insert(first_shape.end(), ones.begin(), ones.end());
  std::vector<float> first_w(size_t(rank_in * c_in));
  for (int64_t r = 0; r < rank_in; ++r)
    for (int64_t c = 0; c < c_in; ++c) first_w[size_t(r * c_in + c)] = float(v(c, r));
  first.params = {make_param("weight", first_shape, std::move(first_w), w.format)};

  ir::Layer mid = l;  // the original geometry
  mid.name = core_name;
  mid.inputs = {in_name};
  mid.in_features = rank_in;
  mid.out_features = rank_out;
  mid.bias = false;
  mid.output_shape[0] = rank_out;
  Shape core_shape{rank_out, rank_in};
  core_shape.insert(core_shape.end(), l.kernel.begin(), l.kernel.end());
  mid.params = {make_param("weight", core_shape, std::move(core), w.format)};

  // The original layer becomes the 1×1 expansion r_out → N with its bias.
  std::vector<float> last_w(size_t(n_out * rank_out));
  for (int64_t o = 0; o < n_out; ++o)
    for (int64_t r = 0; r < rank_out; ++r) last_w[size_t(o * rank_out + r)] = float(u(o, r));
  Shape last_shape{n_out, rank_out};
  last_shape.insert(last_shape.end(), ones.begin(), ones.end());
  w.shape = last_shape;
  w.data = std::move(last_w);
  l.in_features = rank_out;
  l.kernel = ones;
  l.stride = ones;
  l.padding = zeros;
  l.dilation = ones;
  l.inputs = {core_name};

  retarget_input_refs(g, layer, in_name);
  insert_before(g, layer, std::move(first));
  insert_before(g, layer, std::move(mid));
  g.validate();
}

}  // namespace slimlab::compress
