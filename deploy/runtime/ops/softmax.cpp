// Softmax and LogSoftmax over the last axis (f32, or fixed point through double exp: kernels.h).
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  c.same_out(true);
  c.op.macs = c.x().numel;
}

static NodePtr bind(Bind& b) {
  return b.by_element_type([&](auto tag) {
    KernelNode<k::SoftmaxArgsT<decltype(tag)>> n;
    const auto& x = b.in(0);
    n.args.cols = int(x.shape.back());
    n.args.rows = int(x.numel / x.shape.back());
    n.args.q = b.formats(0);
    n.args.log = b.op().type == OpType::LogSoftmax;
    return b.finish_xy(n, n.args.log ? k::Op::kLogSoftmax : k::Op::kSoftmax, elem_precision(x.dtype));
  });
}

SLIMRT_REGISTER_OPS(softmax) { t.add({OpId::Softmax, OpId::LogSoftmax}, {&check, &bind, 1, 1}); }

}  // namespace slimrt::ops
