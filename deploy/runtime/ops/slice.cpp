// Slice [begin, end) of one axis (any element type but packed bits).
#include "op_registry.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(1, 1);
  const OpDesc& op = c.op;
  const TensorDesc &xt = c.x(), &yt = c.y();
  if (xt.dtype == DType::BIN) c.fail("packed tensors cannot be sliced");
  c.need_dtype(yt, xt.dtype, "output");
  c.same_fl(xt, yt);
  const size_t rank = xt.shape.size();
  if (op.axis < 0 || size_t(op.axis) >= rank) c.fail("axis %d is out of range", op.axis);
  if (op.begin < 0 || op.end <= op.begin || op.end > xt.shape[size_t(op.axis)])
    c.fail("slice [%d, %d) is outside the axis of %lld", op.begin, op.end, (long long)xt.shape[size_t(op.axis)]);
  std::vector<int64_t> want = xt.shape;
  want[size_t(op.axis)] = op.end - op.begin;
  c.need_shape(yt, want, "output");
}

NodePtr bind(Bind& b) {
  KernelNode<k::SliceArgs> n;
  const auto& x = b.in(0);
  const OpDesc& op = b.op();
  const size_t a = size_t(op.axis);
  n.args.outer = prod(x.shape, 0, a);
  n.args.axis = x.shape[a];
  n.args.inner = prod(x.shape, a + 1, x.shape.size());
  n.args.begin = op.begin;
  n.args.end = op.end;
  n.args.elem_bytes = elem_bytes(x.dtype);
  b.bind_xy(n);
  return b.finish(n, k::Op::kSlice, k::Precision::kAny);
}

const OpDef kSlice{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(slice) { t.add(OpId::Slice, kSlice); }

}  // namespace slimrt::ops
