// Add: y = x + x2 (one dtype), fused activation; fixed point: the exact sum at
// max(fl_x, fl_x2), requantized once. Sub, Mul, Div the same way (kernels.h AddArgs).
// The inputs broadcast (numpy / ONNX rules on the per-sample shapes, trailing axes
// aligned): the output has their broadcast shape (kernels.h Broadcast).
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  c.need_numeric(c.x());
  const TensorDesc &x = c.x(), &x2 = *c.in(1);
  c.need_dtype(x2, x.dtype, "input");
  c.need_dtype(c.y(), x.dtype, "output");
  std::vector<int64_t> out;
  k::Broadcast bc;
  if (!k::broadcast_shape(x.shape, x2.shape, out))
    c.fail("inputs '%s' %s and '%s' %s do not broadcast", x.name.c_str(), shape_str(x.shape).c_str(), x2.name.c_str(),
           shape_str(x2.shape).c_str());
  if (c.y().shape != out)
    c.fail("output '%s' has shape %s, expected %s (the broadcast of %s and %s)", c.y().name.c_str(),
           shape_str(c.y().shape).c_str(), shape_str(out).c_str(), shape_str(x.shape).c_str(), shape_str(x2.shape).c_str());
  if (!k::make_broadcast(x.shape, x2.shape, out, bc))
    c.fail("broadcasting %s against %s needs more than %d axes", shape_str(x.shape).c_str(), shape_str(x2.shape).c_str(),
           k::kMaxBroadcastRank);
  c.op.macs = c.y().numel;
}

static NodePtr bind(Bind& b) {
  return b.by_element_type([&](auto tag) {
    KernelNode<k::AddArgs<decltype(tag)>> n;
    n.args.count = b.out().numel;
    k::make_broadcast(b.in(0).shape, b.in(1).shape, b.out().shape, n.args.bc);  // checked by check()
    n.args.q = b.formats(0);
    n.args.act = fused(b.op().activation);
    n.bind(&n.args.x2, b.op().inputs[1]);
    return b.finish_xy(n, k::to_kernel_op(OpId(b.op().type)), elem_precision(b.in(0).dtype));
  });
}

SLIMRT_REGISTER_OPS(add) { t.add({OpId::Add, OpId::Sub, OpId::Mul, OpId::Div}, {&check, &bind, 2, 2}); }

}  // namespace slimrt::ops
