// Add: y = x + x2 (same shape and dtype), fused activation; fixed point: the exact sum
// at max(fl_x, fl_x2), requantized once. Sub, Mul, Div the same way (kernels.h AddArgs).
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  c.same_out(true);
  c.need_dtype(*c.in(1), c.x().dtype, "input");
  c.need_shape(*c.in(1), c.x().shape, "input");
  c.op.macs = c.x().numel;
}

static NodePtr bind(Bind& b) {
  return b.by_element_type([&](auto tag) {
    KernelNode<k::AddArgs<decltype(tag)>> n;
    n.args.count = b.in(0).numel;
    n.args.q = b.formats(0);
    n.args.act = fused(b.op().activation);
    n.bind(&n.args.x2, b.op().inputs[1]);
    return b.finish_xy(n, k::to_kernel_op(OpId(b.op().type)), elem_precision(b.in(0).dtype));
  });
}

SLIMRT_REGISTER_OPS(add) { t.add({OpId::Add, OpId::Sub, OpId::Mul, OpId::Div}, {&check, &bind, 2, 2}); }

}  // namespace slimrt::ops
