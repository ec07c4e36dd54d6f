// Slice [begin, end) of one axis, and Reverse of one whole axis (any element type but
// packed bits; both run on SliceArgs: x [outer][axis][inner]). A slice along the
// outermost axis (every axis before it of extent 1) is a view: a contiguous run of the
// input's bytes (Bind::can_view). A reverse always copies.
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  const bool reverse = c.op.type == OpType::Reverse;
  c.same_format_out(reverse ? "reversed" : "sliced");
  const OpDesc& op = c.op;
  const TensorDesc& xt = c.x();
  if (op.axis < 0 || size_t(op.axis) >= xt.shape.size()) c.fail("axis %d is out of range", op.axis);
  std::vector<int64_t> want = xt.shape;
  if (!reverse) {
    if (op.begin < 0 || op.end <= op.begin || op.end > xt.shape[size_t(op.axis)])
      c.fail("slice [%d, %d) is outside the axis of %lld", op.begin, op.end, (long long)xt.shape[size_t(op.axis)]);
    want[size_t(op.axis)] = op.end - op.begin;
  }
  c.need_shape(c.y(), want, "output");
}

static NodePtr bind(Bind& b) {
  const bool reverse = b.op().type == OpType::Reverse;
  KernelNode<k::SliceArgs> n;
  const auto& x = b.in(0);
  const size_t a = size_t(b.op().axis);
  n.args.outer = prod(x.shape, 0, a);
  n.args.axis = x.shape[a];
  n.args.inner = prod(x.shape, a + 1, x.shape.size());
  n.args.begin = reverse ? 0 : b.op().begin;
  n.args.end = reverse ? n.args.axis : b.op().end;
  n.args.elem_bytes = elem_bytes(x.dtype);
  if (reverse) return b.finish_xy(n, k::Op::kReverse, k::Precision::kAny);
  const int xi = b.op().inputs[0], yi = b.op().outputs[0];
  if (n.args.outer == 1 && b.can_view(yi, xi))
    b.add_view(yi, xi, size_t(n.args.begin * n.args.inner * n.args.elem_bytes), "Slice/any/view");
  return b.finish_xy(n, k::Op::kSlice, k::Precision::kAny);
}

SLIMRT_REGISTER_OPS(slice) { t.add({OpId::Slice, OpId::Reverse}, {&check, &bind, 1, 1}); }

}  // namespace slimrt::ops
