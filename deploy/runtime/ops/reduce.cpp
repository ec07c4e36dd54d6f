// GlobalAvgPool [C, ...] → [C] (mean over the inner axes) and MeanOverTime [T, F] → [F].
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  const TensorDesc &xt = c.x(), &yt = c.y();
  c.need_numeric(xt);
  c.need_dtype(yt, xt.dtype, "output");
  if (c.op.type == OpType::MeanOverTime) {
    c.need_rank(xt, 2, "input");
    c.need_shape(yt, {xt.shape[1]}, "output");
  } else {
    if (xt.shape.size() < 2) c.fail("input '%s' needs [C, ...]", xt.name.c_str());
    c.need_shape(yt, {xt.shape[0]}, "output");
  }
  c.op.macs = xt.numel;
}

static NodePtr bind(Bind& b) {
  return b.by_element_type([&](auto tag) {
    KernelNode<k::ReduceMeanArgs<decltype(tag)>> n;
    const auto& x = b.in(0);
    n.args.outer = int(x.shape[0]);
    n.args.inner = int(x.numel / x.shape[0]);
    n.args.q = b.formats(0);
    return b.finish_xy(n, k::to_kernel_op(OpId(b.op().type)), elem_precision(x.dtype));
  });
}

SLIMRT_REGISTER_OPS(reduce) { t.add({OpId::GlobalAvgPool, OpId::MeanOverTime}, {&check, &bind, 1, 1}); }

}  // namespace slimrt::ops
