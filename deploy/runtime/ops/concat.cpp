// Concat along one axis (any element type but packed bits; up to 64 inputs). Along
// the outermost axis (every axis before it of extent 1) each input's producer writes
// straight into its part of the output — the inputs become views of the output
// (Bind::can_view) and nothing is copied; else (or when an input is a constant, a
// view already, or given twice) the inputs are copied.
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  const OpDesc& op = c.op;
  const TensorDesc& yt = c.y();
  const size_t rank = yt.shape.size();
  if (op.axis < 0 || size_t(op.axis) >= rank) c.fail("axis %d is out of range", op.axis);
  int64_t sum = 0;
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    const TensorDesc& t = *c.in(i);
    if (t.dtype == DType::BIN) c.fail("packed tensors cannot be concatenated");
    c.need_dtype(t, yt.dtype, "input");
    c.same_fl(t, yt);
    c.need_rank(t, rank, "input");
    for (size_t a = 0; a < rank; ++a)
      if (int(a) != op.axis && t.shape[a] != yt.shape[a])
        c.fail("input '%s' %s does not match output %s off the concat axis", t.name.c_str(), shape_str(t.shape).c_str(),
               shape_str(yt.shape).c_str());
    sum += t.shape[size_t(op.axis)];
  }
  if (sum != yt.shape[size_t(op.axis)]) c.fail("the inputs do not add up to the output along the concat axis");
}

namespace {
struct ConcatNode : KernelNodeBase {
  std::vector<const void*> xs;
  std::vector<int64_t> inner;
};
}  // namespace

// The inputs as views of the output, when every one can be.
static void bind_view(Bind& b, int64_t outer) {
  const OpDesc& op = b.op();
  if (outer != 1) return;
  const int y = op.outputs[0];
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    if (!b.can_view(op.inputs[i], y)) return;
    for (size_t j = 0; j < i; ++j)
      if (op.inputs[j] == op.inputs[i]) return;
  }
  size_t offset = 0;
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    b.add_view(op.inputs[i], y, offset, "Concat/any/view");
    offset += b.in(i).bytes;
  }
}

static NodePtr bind(Bind& b) {
  const OpDesc& op = b.op();
  bind_view(b, prod(b.out().shape, 0, size_t(op.axis)));
  auto* c = new ConcatNode;
  KernelNode<k::ConcatArgs> n{std::unique_ptr<KernelNodeBase>(c)};
  const size_t a = size_t(op.axis);
  const auto& y = b.out();
  n.args.outer = prod(y.shape, 0, a);
  c->xs.resize(op.inputs.size());
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    const auto& x = b.in(i);
    c->inner.push_back(prod(x.shape, a, x.shape.size()));
    if (x.constant()) c->xs[i] = b.weights(i);  // its bytes in the file: no arena slot
    else n.bind(&c->xs[i], op.inputs[i]);
  }
  n.args.inputs = int(op.inputs.size());
  n.args.x = c->xs.data();
  n.args.inner = c->inner.data();
  n.args.elem_bytes = elem_bytes(y.dtype);
  n.bind(&n.args.y, op.outputs[0]);
  return b.finish(n, k::Op::kConcat, k::Precision::kAny);
}

SLIMRT_REGISTER_OPS(concat) { t.add({OpId::Concat}, {&check, &bind, 1, 64}); }

}  // namespace slimrt::ops
