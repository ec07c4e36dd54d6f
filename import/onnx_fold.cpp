// Node attributes, and the nodes evaluated on constants at import: Constant, Shape,
// Gather, Unsqueeze / Squeeze / Reshape / Concat / Slice of constants, Cast, the four
// arithmetic ops with broadcasting, ConstantOfShape, Expand, Identity. Together they fold the
// Shape → Gather → Unsqueeze → Concat → Reshape subgraphs that torch.onnx.export
// writes for x.view(x.size(0), -1) once the input shape is fixed.
#include <algorithm>
#include <cmath>

#include "import/onnx_internal.h"

namespace slimlab::onnx_import::detail {

// ---- attributes -------------------------------------------------------------------

const onnx::AttributeProto* Importer::attr(const std::string& name) const {
  for (const onnx::AttributeProto& a : node_->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t Importer::attr_int(const std::string& name, int64_t fallback) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INT) fail("attribute '" + name + "' is not an INT");
  return a->i();
}

float Importer::attr_float(const std::string& name, float fallback) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT) fail("attribute '" + name + "' is not a FLOAT");
  return a->f();
}

std::string Importer::attr_string(const std::string& name, const std::string& fallback) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::STRING) fail("attribute '" + name + "' is not a STRING");
  return a->s();
}

std::vector<int64_t> Importer::attr_ints(const std::string& name) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return {};
  if (a->type() != onnx::AttributeProto::INTS) fail("attribute '" + name + "' is not INTS");
  if (a->ints_size() > kMaxRank * 2) fail("attribute '" + name + "' has " + std::to_string(a->ints_size()) + " entries");
  return {a->ints().begin(), a->ints().end()};
}

std::optional<Tensor> Importer::attr_tensor(const std::string& name) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return std::nullopt;
  if (a->type() != onnx::AttributeProto::TENSOR) fail("attribute '" + name + "' is not a TENSOR");
  return read_tensor(a->t(), "node '" + node_->name() + "' attribute '" + name + "'");
}

std::vector<int64_t> Importer::axes(int input_index) const {
  if (attr("axes")) return attr_ints("axes");
  if (const Value* v = input(input_index, /*optional=*/true)) {
    if (!v->is_const) fail("the axes input must be a constant");
    return v->c.ints();
  }
  return {};
}

namespace {

Tensor ints_tensor(const std::vector<int64_t>& v) {
  Tensor t;
  t.integer = true;
  t.dims = {int64_t(v.size())};
  t.v.assign(v.begin(), v.end());
  return t;
}

// An axis in [−rank, rank) made non-negative; fails outside.
int64_t norm_axis(const Importer& im, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    im.fail("axis " + std::to_string(axis) + " is outside rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

// Elements of a folded result: a few bytes of a file (ConstantOfShape, a broadcast) can
// ask for far more values than it holds, so folded tensors have a tighter limit.
int64_t folded_numel(const Importer& im, const Shape& dims) {
  const int64_t n = checked_numel(dims, "node '" + im.node().name() + "' output");
  if (n > kMaxFoldedElements)
    im.fail("the folded result " + ir::to_string(dims) + " has more than " + std::to_string(kMaxFoldedElements) +
            " elements");
  return n;
}

bool all_const(const Importer& im, size_t from = 0) {
  for (size_t i = from; i < im.input_count(); ++i) {
    const Value* v = im.input(int(i), /*optional=*/true);
    if (v && !v->is_const) return false;
  }
  return true;
}

bool fold_constant(Importer& im) {
  std::optional<Tensor> t = im.attr_tensor("value");
  if (!t) {
    if (im.attr("value_float")) t = Tensor{{}, false, {im.attr_float("value_float", 0)}};
    else if (im.attr("value_int")) t = Tensor{{}, true, {double(im.attr_int("value_int", 0))}};
    else if (im.attr("value_floats")) {
      const onnx::AttributeProto* a = im.attr("value_floats");
      t = Tensor{{a->floats_size()}, false, {a->floats().begin(), a->floats().end()}};
    }
    else if (im.attr("value_ints")) t = ints_tensor(im.attr_ints("value_ints"));
    else im.fail("no 'value' attribute of a supported kind (tensor, float, int, ints)");
  }
  im.set_const(0, std::move(*t));
  return true;
}

bool fold_shape(Importer& im) {
  const Value* v = im.input(0);
  std::vector<int64_t> full;
  if (v->is_const) {
    full = v->c.dims;
  } else {
    full = v->full(im.batch());
  }
  const int64_t rank = int64_t(full.size());
  int64_t start = im.attr_int("start", 0), end = im.attr_int("end", rank);
  start = std::clamp(start < 0 ? start + rank : start, int64_t(0), rank);
  end = std::clamp(end < 0 ? end + rank : end, int64_t(0), rank);
  im.set_const(0, ints_tensor({full.begin() + start, full.begin() + std::max(start, end)}));
  return true;
}

// Strides of a row-major tensor.
Shape strides_of(const Shape& dims) {
  Shape s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

bool fold_gather(Importer& im) {
  if (!all_const(im)) return false;
  const Tensor& data = im.const_input(0);
  const Tensor& idx = im.const_input(1);
  if (data.dims.empty()) im.fail("cannot gather from a scalar");
  const int64_t axis = norm_axis(im, im.attr_int("axis", 0), int64_t(data.dims.size()));
  const int64_t n = data.dims[size_t(axis)];
  const Shape st = strides_of(data.dims);
  const int64_t outer = ir::numel(Shape(data.dims.begin(), data.dims.begin() + axis));
  const int64_t inner = st[size_t(axis)];
  Tensor out;
  out.integer = data.integer;
  out.dims.assign(data.dims.begin(), data.dims.begin() + axis);
  out.dims.insert(out.dims.end(), idx.dims.begin(), idx.dims.end());
  out.dims.insert(out.dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  folded_numel(im, out.dims);
  for (int64_t o = 0; o < outer; ++o)
    for (double d : idx.v) {
      int64_t k = to_int(d);
      if (k < -n || k >= n) im.fail("index " + std::to_string(k) + " is outside 0.." + std::to_string(n - 1));
      if (k < 0) k += n;
      const auto first = data.v.begin() + (o * n + k) * inner;
      out.v.insert(out.v.end(), first, first + inner);
    }
  im.set_const(0, std::move(out));
  return true;
}

// Squeeze / Unsqueeze / Flatten / Reshape of a constant: its values with new dims.
bool fold_redim(Importer& im, Shape dims) {
  Tensor t = im.const_input(0);
  if (checked_numel(dims, "node '" + im.node().name() + "' output") != t.numel())
    im.fail("cannot give " + ir::to_string(t.dims) + " the shape " + ir::to_string(dims));
  t.dims = std::move(dims);
  im.set_const(0, std::move(t));
  return true;
}

// a op b under ONNX's (numpy's) broadcasting; op: Add, Sub, Mul, Div.
Tensor broadcast_binary(const Importer& im, const Tensor& a, const Tensor& b, const std::string& op) {
  const size_t rank = std::max(a.dims.size(), b.dims.size());
  Shape da(rank - a.dims.size(), 1), db(rank - b.dims.size(), 1), out(rank);
  da.insert(da.end(), a.dims.begin(), a.dims.end());
  db.insert(db.end(), b.dims.begin(), b.dims.end());
  for (size_t i = 0; i < rank; ++i) {
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1)
      im.fail("shapes " + ir::to_string(a.dims) + " and " + ir::to_string(b.dims) + " do not broadcast");
    out[i] = da[i] == 1 ? db[i] : da[i];
  }
  Tensor r;
  r.integer = a.integer && b.integer;
  r.dims = out;
  const int64_t n = folded_numel(im, out);
  const Shape so = strides_of(out), sa = strides_of(da), sb = strides_of(db);
  r.v.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t ia = 0, ib = 0;
    for (size_t k = 0; k < rank; ++k) {
      const int64_t c = (i / so[k]) % out[k];
      ia += (da[k] == 1 ? 0 : c) * sa[k];
      ib += (db[k] == 1 ? 0 : c) * sb[k];
    }
    const double x = a.v[size_t(ia)], y = b.v[size_t(ib)];
    double z = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : 0;
    if (op == "Div") {
      if (y == 0 && r.integer) im.fail("integer division by zero");
      z = r.integer ? std::trunc(x / y) : x / y;
    }
    r.v[size_t(i)] = z;
  }
  return r;
}

bool fold_binary(Importer& im, const std::string& op) {
  if (!all_const(im)) return false;
  im.set_const(0, broadcast_binary(im, im.const_input(0), im.const_input(1), op));
  return true;
}

// Expand of a constant (the Shape → … → Expand subgraphs of exported models): the input
// broadcast with the target shape, as x · ones(shape). Expand on the data path is not
// folded and has no layer (an unsupported-op error).
bool fold_expand(Importer& im) {
  if (!all_const(im)) return false;
  const std::vector<int64_t> target = im.const_input(1).ints();
  Tensor ones;
  ones.integer = true;
  for (int64_t d : target) {
    if (d < 0) im.fail("the target shape " + ir::to_string(Shape(target.begin(), target.end())) + " has a negative dim");
    ones.dims.push_back(d);
  }
  ones.v.assign(size_t(folded_numel(im, ones.dims)), 1.0);
  Tensor r = broadcast_binary(im, im.const_input(0), ones, "Mul");
  r.integer = im.const_input(0).integer;
  im.set_const(0, std::move(r));
  return true;
}

bool fold_concat(Importer& im) {
  if (!all_const(im)) return false;
  const Tensor& first = im.const_input(0);
  const int64_t rank = int64_t(first.dims.size());
  const int64_t axis = norm_axis(im, im.attr_int("axis", 0), rank);
  Tensor out = first;
  const int64_t outer = ir::numel(Shape(first.dims.begin(), first.dims.begin() + axis));
  std::vector<const Tensor*> parts;
  out.dims[size_t(axis)] = 0;
  for (size_t i = 0; i < im.input_count(); ++i) {
    const Tensor& t = im.const_input(int(i));
    if (int64_t(t.dims.size()) != rank) im.fail("inputs of different ranks");
    for (int64_t k = 0; k < rank; ++k)
      if (k != axis && t.dims[size_t(k)] != first.dims[size_t(k)]) im.fail("inputs differ outside the axis");
    out.dims[size_t(axis)] += t.dims[size_t(axis)];
    out.integer = out.integer && t.integer;
    parts.push_back(&t);
  }
  out.v.clear();
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor* t : parts) {
      const int64_t block = t->numel() / std::max<int64_t>(1, outer);
      out.v.insert(out.v.end(), t->v.begin() + o * block, t->v.begin() + (o + 1) * block);
    }
  im.set_const(0, std::move(out));
  return true;
}

bool fold_cast(Importer& im) {
  if (!all_const(im)) return false;
  Tensor t = im.const_input(0);
  using TP = onnx::TensorProto;
  const int64_t to = im.attr_int("to", TP::FLOAT);
  t.integer = to != TP::FLOAT && to != TP::DOUBLE && to != TP::FLOAT16;
  if (t.integer)
    for (double& d : t.v) d = to == TP::BOOL ? double(d != 0) : std::trunc(d);
  im.set_const(0, std::move(t));
  return true;
}

bool fold_slice(Importer& im) {
  if (!all_const(im)) return false;
  const Tensor& t = im.const_input(0);
  const int64_t rank = int64_t(t.dims.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (im.opset() < 10) {
    starts = im.attr_ints("starts");
    ends = im.attr_ints("ends");
    axes = im.attr_ints("axes");
  } else {
    starts = im.const_input(1).ints();
    ends = im.const_input(2).ints();
    if (const Value* v = im.input(3, true)) axes = v->c.ints();
    if (const Value* v = im.input(4, true)) steps = v->c.ints();
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    im.fail("starts, ends, axes and steps differ in length");
  Shape lo(size_t(rank), 0), step(size_t(rank), 1), out = t.dims;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t ax = size_t(norm_axis(im, axes[i], rank));
    const int64_t n = t.dims[ax];
    if (steps[i] != 1) im.fail("slices with a step other than 1 are not supported");
    auto clampi = [n](int64_t v) { return std::clamp(v < 0 ? v + n : v, int64_t(0), n); };
    lo[ax] = clampi(starts[i]);
    out[ax] = std::max<int64_t>(0, clampi(ends[i]) - lo[ax]);
  }
  Tensor r;
  r.integer = t.integer;
  r.dims = out;
  const int64_t n = folded_numel(im, out);
  const Shape so = strides_of(out), st = strides_of(t.dims);
  for (int64_t i = 0; i < n; ++i) {
    int64_t src = 0;
    for (size_t k = 0; k < size_t(rank); ++k) src += ((i / so[k]) % out[k] + lo[k]) * st[k];
    r.v.push_back(t.v[size_t(src)]);
  }
  im.set_const(0, std::move(r));
  return true;
}

bool fold_constant_of_shape(Importer& im) {
  if (!all_const(im)) return false;
  Tensor out;
  out.dims = im.const_input(0).ints();
  std::optional<Tensor> value = im.attr_tensor("value");
  out.integer = value ? value->integer : false;
  const double fill = value && !value->v.empty() ? value->v[0] : 0.0;
  out.v.assign(size_t(folded_numel(im, out.dims)), fill);
  im.set_const(0, std::move(out));
  return true;
}

// Dims of Unsqueeze / Squeeze on a constant.
Shape squeezed(const Importer& im, const Shape& dims, bool unsqueeze) {
  std::vector<int64_t> ax = im.axes(1);
  Shape out = dims;
  if (unsqueeze) {
    const int64_t rank = int64_t(dims.size() + ax.size());
    for (int64_t& a : ax) a = norm_axis(im, a, rank);
    std::sort(ax.begin(), ax.end());
    for (int64_t a : ax) out.insert(out.begin() + std::min<int64_t>(a, int64_t(out.size())), 1);
    return out;
  }
  if (ax.empty()) {
    out.clear();
    for (int64_t d : dims)
      if (d != 1) out.push_back(d);
    return out;
  }
  for (int64_t& a : ax) a = norm_axis(im, a, int64_t(dims.size()));
  std::sort(ax.rbegin(), ax.rend());
  for (int64_t a : ax) {
    if (dims[size_t(a)] != 1) im.fail("cannot squeeze axis " + std::to_string(a) + " of extent " + std::to_string(dims[size_t(a)]));
    out.erase(out.begin() + a);
  }
  return out;
}

}  // namespace

// Reshape target: ONNX's 0 (copy) and −1 (infer) resolved against `dims` (batch included).
Shape reshape_target(const Importer& im, const Shape& dims, const std::vector<int64_t>& target) {
  Shape out;
  int64_t infer = -1, known = 1;
  const bool allow_zero = im.attr_int("allowzero", 0) != 0;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0 && !allow_zero) {
      if (i >= dims.size()) im.fail("shape entry 0 at position " + std::to_string(i) + " has no input axis to copy");
      d = dims[i];
    }
    if (d == -1) {
      if (infer >= 0) im.fail("more than one -1 in the target shape");
      infer = int64_t(i);
      out.push_back(1);
      continue;
    }
    if (d < 0 || d > kMaxDim) im.fail("target shape entry " + std::to_string(d) + " is not valid");
    out.push_back(d);
    known *= std::max<int64_t>(d, 1);
    if (known > kMaxElements) im.fail("target shape " + ir::to_string(target) + " is too large");
  }
  const int64_t n = ir::numel(dims);
  if (infer >= 0) {
    if (known == 0 || n % known != 0) im.fail("cannot infer -1 in " + ir::to_string(target) + " for " + ir::to_string(dims));
    out[size_t(infer)] = n / known;
  }
  if (ir::numel(out) != n) im.fail("cannot reshape " + ir::to_string(dims) + " into " + ir::to_string(target));
  return out;
}

const std::map<std::string, FoldHandler>& fold_ops() {
  static const std::map<std::string, FoldHandler> ops = {
      {"Constant", fold_constant},
      {"Shape", fold_shape},
      {"Gather", fold_gather},
      {"Concat", fold_concat},
      {"Cast", fold_cast},
      {"Slice", fold_slice},
      {"ConstantOfShape", fold_constant_of_shape},
      {"Expand", fold_expand},
      {"DequantizeLinear", fold_dequantize},
      {"Add", [](Importer& im) { return fold_binary(im, "Add"); }},
      {"Sub", [](Importer& im) { return fold_binary(im, "Sub"); }},
      {"Mul", [](Importer& im) { return fold_binary(im, "Mul"); }},
      {"Div", [](Importer& im) { return fold_binary(im, "Div"); }},
      {"Identity", [](Importer& im) { return all_const(im) && fold_redim(im, im.const_input(0).dims); }},
      {"Unsqueeze",
       [](Importer& im) { return all_const(im) && fold_redim(im, squeezed(im, im.const_input(0).dims, true)); }},
      {"Squeeze",
       [](Importer& im) { return all_const(im) && fold_redim(im, squeezed(im, im.const_input(0).dims, false)); }},
      {"Reshape",
       [](Importer& im) {
         return all_const(im) && fold_redim(im, reshape_target(im, im.const_input(0).dims, im.const_input(1).ints()));
       }},
  };
  return ops;
}

}  // namespace slimlab::onnx_import::detail
