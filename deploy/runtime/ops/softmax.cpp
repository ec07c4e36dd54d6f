// Softmax over the last axis (f32, or fixed point through double exp: kernels.h).
#include "op_registry.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(1, 1);
  c.need_numeric(c.x());
  c.need_dtype(c.y(), c.x().dtype, "output");
  c.need_shape(c.y(), c.x().shape, "output");
  c.op.macs = c.x().numel;
}

NodePtr bind(Bind& b) {
  return b.by_element_type([&](auto tag) {
    using T = decltype(tag);
    KernelNode<k::SoftmaxArgsT<T>> n;
    const auto& x = b.in(0);
    n.args.cols = int(x.shape.back());
    n.args.rows = int(x.numel / x.shape.back());
    n.args.q = b.formats(0);
    b.bind_xy(n);
    return b.finish(n, k::Op::kSoftmax, elem_precision(x.dtype));
  });
}

const OpDef kSoftmax{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(softmax) { t.add(OpId::Softmax, kSoftmax); }

}  // namespace slimrt::ops
