// Add: y = x + x2 (same shape and dtype), fused activation; fixed point: the exact sum
// at max(fl_x, fl_x2), requantized once.
#include "op_registry.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(2, 2);
  const TensorDesc &xt = c.x(), &b = *c.in(1), &yt = c.y();
  c.need_numeric(xt);
  c.need_dtype(b, xt.dtype, "input");
  c.need_dtype(yt, xt.dtype, "output");
  c.need_shape(b, xt.shape, "input");
  c.need_shape(yt, xt.shape, "output");
  c.op.macs = xt.numel;
}

NodePtr bind(Bind& b) {
  return b.by_element_type([&](auto tag) {
    using T = decltype(tag);
    const OpDesc& op = b.op();
    KernelNode<k::AddArgs<T>> n;
    n.args.count = b.in(0).numel;
    n.args.q = b.formats(0);
    n.args.act = fused(op.activation);
    n.bind(&n.args.x, op.inputs[0]);
    n.bind(&n.args.x2, op.inputs[1]);
    n.bind(&n.args.y, op.outputs[0]);
    return b.finish(n, k::Op::kAdd, elem_precision(b.in(0).dtype));
  });
}

const OpDef kAdd{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(add) { t.add(OpId::Add, kAdd); }

}  // namespace slimrt::ops
