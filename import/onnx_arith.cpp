// ONNX Add / Sub / Mul / Div → IR layers.
//   data ⊕ data      an add / sub / mul / div layer; the inputs broadcast over their
//                    per-sample axes (the batch axis must line up on both)
//   data ⊕ constant  a scalar or per-channel constant (axis 0 of the sample, ONNX's
//                    [C, 1, …] / [1, C, 1, …] or one value) is y = x·s + t per channel:
//                    folded into the conv / dense / batch norm that only this node
//                    reads, else a batch norm layer that computes exactly x·s + t
// (Div by c is multiplication by 1/c; c / x and other constants are refused).
#include <cmath>
#include <optional>

#include "import/onnx_internal.h"

namespace slimlab::onnx_import::detail {

namespace {

using K = ir::LayerKind;

// y = x·s + t, one (s, t) per channel of the data operand.
struct Affine {
  std::vector<double> s, t;
};

// The constant's value per channel of a data value of per-sample shape `x` (axis 0),
// aligned as ONNX broadcasts (trailing axes, the data's batch axis first): nullopt
// unless it is one value or varies along axis 0 only without widening the data.
std::optional<std::vector<double>> per_channel(const Shape& x, const Tensor& c) {
  if (x.empty()) return std::nullopt;
  Shape d = c.dims;
  if (d.size() > x.size() + 1) return std::nullopt;
  if (d.size() == x.size() + 1) {  // aligned with the batch axis: must be 1
    if (d[0] != 1) return std::nullopt;
    d.erase(d.begin());
  }
  d.insert(d.begin(), x.size() - d.size(), 1);
  const int64_t C = x[0];
  if (c.numel() == 1) return std::vector<double>(size_t(C), c.v[0]);
  if (d[0] != C) return std::nullopt;
  for (size_t k = 1; k < d.size(); ++k)
    if (d[k] != 1) return std::nullopt;
  return c.v;
}

bool weighted(K k) { return k == K::kDense || k == K::kConv1d || k == K::kConv2d || k == K::kDepthwiseConv2d; }

// Output channels of a conv / dense / batch norm.
int64_t units(const ir::Layer& l) {
  if (l.kind != K::kBatchNorm) return l.out_features;
  const ir::Param* g = l.param("weight");
  return g ? g->numel() : 0;
}

ir::Param& need(ir::Layer& l, const std::string& name, int64_t units) {
  if (ir::Param* p = l.param(name)) return *p;
  l.bias = true;  // a conv / dense without bias gets one
  ir::Param p;
  p.name = name;
  p.shape = {units};
  p.data.assign(size_t(units), 0.0f);
  l.params.push_back(p);
  return l.params.back();
}

// Folds y = x·s + t into `l` (a conv / dense: rows of the weight and the bias; a batch
// norm: gamma and beta), whose output x is.
void fold(ir::Layer& l, const Affine& a) {
  const int64_t C = int64_t(a.s.size());
  ir::Param& b = need(l, "bias", C);
  ir::Param* w = l.param("weight");
  const size_t row = w->data.size() / size_t(C);
  for (size_t c = 0; c < size_t(C); ++c) {
    for (size_t k = 0; k < row; ++k) w->data[c * row + k] = float(double(w->data[c * row + k]) * a.s[c]);
    b.data[c] = float(double(b.data[c]) * a.s[c] + a.t[c]);
  }
}

// The batch-norm variance whose float sum with ε = 1e-5 is exactly 1: the layer computes
// (x − 0)·1·gamma + beta.
constexpr float kUnitVariance = 1.0f - 1e-5f;
static_assert(kUnitVariance + 1e-5f == 1.0f, "1 − ε + ε is 1 in float");

// data ⊕ constant as y = x·s + t.
void affine(Importer& im, const Value& x, const std::string& x_name, const Affine& a) {
  ir::Layer& p = im.layer(x.layer);
  if ((weighted(p.kind) || p.kind == K::kBatchNorm) && im.uses(x_name) == 1 && im.layer_reads(x.layer) == 1 &&
      x.shape == p.output_shape &&
      units(p) == int64_t(a.s.size())) {
    fold(p, a);
    im.set_output(0, x);
    return;
  }
  std::vector<float> gamma, beta;
  for (size_t c = 0; c < a.s.size(); ++c) {
    gamma.push_back(float(a.s[c]));
    beta.push_back(float(a.t[c]));
  }
  ir::Layer l;
  l.kind = K::kBatchNorm;
  l.inputs = {im.materialize(x)};
  l.name = im.layer_name("_affine");
  const std::string name = im.add_layer(l, {{"weight", gamma},
                                            {"bias", beta},
                                            {"running_mean", std::vector<float>(a.s.size(), 0.0f)},
                                            {"running_var", std::vector<float>(a.s.size(), kUnitVariance)}});
  im.set_output(0, Value{false, {}, name, x.shape});
}

// Add / Sub / Mul / Div of a data value and a constant.
void with_constant(Importer& im, K kind, bool const_first) {
  const int xi = const_first ? 1 : 0;
  const Value& x = im.layer_input(xi);
  const Tensor& c = im.const_input(1 - xi);
  const std::string op = im.node().op_type();
  const std::optional<std::vector<double>> v = per_channel(x.shape, c);
  if (!v)
    im.fail(op + " of the data path " + ir::to_string(x.full(-1)) + " and the constant " + ir::to_string(c.dims) +
            ": only a scalar or a per-channel constant ([C, 1, …] along the sample's first axis, C = " +
            std::to_string(x.shape.empty() ? 0 : x.shape[0]) +
            ") is supported. Fix: make the constant a scalar or per-channel one, or apply it inside the layer before");
  Affine a{std::vector<double>(v->size(), 1.0), std::vector<double>(v->size(), 0.0)};
  for (size_t k = 0; k < v->size(); ++k) {
    const double cv = (*v)[k];
    if (kind == K::kAdd) a.t[k] = cv;
    if (kind == K::kSub) {
      a.s[k] = const_first ? -1.0 : 1.0;
      a.t[k] = const_first ? cv : -cv;
    }
    if (kind == K::kMul) a.s[k] = cv;
    if (kind == K::kDiv) {
      if (const_first) im.fail("Div of a constant by the data path (c / x) has no IR layer");
      if (cv == 0 || !std::isfinite(1.0 / cv)) im.fail("Div by the constant " + std::to_string(cv) + " is not finite");
      a.s[k] = 1.0 / cv;
    }
    if (!std::isfinite(a.s[k]) || !std::isfinite(a.t[k])) im.fail("the constant " + ir::to_string(c.dims) + " is not finite");
  }
  affine(im, x, im.node().input(xi), a);
}

// Add / Sub / Mul / Div: two data values (broadcast) or one and a constant (constants fold).
void arith(Importer& im, K kind) {
  const Value* a = im.input(0);
  const Value* b = im.input(1);
  if (a->is_const != b->is_const) return with_constant(im, kind, a->is_const);
  const Value& x = im.layer_input(0);
  const Value& y = im.layer_input(1);
  const std::string shapes = ir::to_string(x.full(-1)) + " and " + ir::to_string(y.full(-1));
  if (x.shape.size() != y.shape.size())
    im.fail("inputs " + shapes + " differ in rank: ONNX would align the batch axis (-1) of one with a sample axis of "
            "the other. Fix: give both the same rank (unsqueeze the smaller one after its batch axis)");
  const std::optional<Shape> out = ir::broadcast_shapes(x.shape, y.shape);
  if (!out) im.fail("inputs " + shapes + " do not broadcast (each axis must match or be 1; -1 is the batch axis)");
  ir::Layer l;
  l.kind = kind;
  l.inputs = {im.materialize(x), im.materialize(y)};
  const std::string name = im.add_layer(l);
  im.set_output(0, Value{false, {}, name, *out});
}

}  // namespace

void add_arith_ops(std::map<std::string, Handler>& ops) {
  ops["Add"] = [](Importer& im) { arith(im, K::kAdd); };
  ops["Sub"] = [](Importer& im) { arith(im, K::kSub); };
  ops["Mul"] = [](Importer& im) { arith(im, K::kMul); };
  ops["Div"] = [](Importer& im) { arith(im, K::kDiv); };
}

}  // namespace slimlab::onnx_import::detail
