// Element-wise activations, one input, same shape out:
//   Relu, HardTanh and the constant clamps of the op list (SLIMRT_CONST_CLAMP_OPS):
//                          the output shares the input's fixed-point format;
//   Sign                   ±1 in the output's format, or packed sign bits (BNN input:
//                          CHW → [spatial..., C] packed along C, kernel PackBits);
//   the unary ops of kernels/unary.inc (Sigmoid, HardSwish, LeakyRelu, …): any output
//   format, attributes alpha / beta (finite) — adding one there registers it here.
#include <cmath>

#include "op_registry.h"

namespace slimrt::kernels::unary_names {
#include "kernels/unary.inc"  // for SLIMRT_UNARY_OPS
}

namespace slimrt::ops {

static bool is_clamp(OpType t) {
#define SLIMRT_IS_CLAMP_(Name, lo, hi) || t == OpType::Name
  return t == OpType::Relu || t == OpType::HardTanh SLIMRT_CONST_CLAMP_OPS(SLIMRT_IS_CLAMP_);
#undef SLIMRT_IS_CLAMP_
}

static void check(Check& c) {
  const OpDesc& op = c.op;
  const TensorDesc &xt = c.x(), &yt = c.y();
  c.need_numeric(xt);
  if (op.type == OpType::HardTanh && !(op.min_value <= op.max_value))
    c.fail("hard-tanh bounds [%f, %f] are not ordered", double(op.min_value), double(op.max_value));
  if (!std::isfinite(op.alpha) || !std::isfinite(op.beta))
    c.fail("attributes alpha %f, beta %f must be finite", double(op.alpha), double(op.beta));
  if (op.type == OpType::Sign && yt.dtype == DType::BIN) {
    std::vector<int64_t> want(xt.shape.begin() + 1, xt.shape.end());
    want.push_back(xt.shape[0]);
    c.need_shape(yt, want, "output");
  } else {
    c.same_out(false);
    if (is_clamp(op.type)) c.same_fl(xt, yt);
  }
  c.op.macs = xt.numel;
}

static NodePtr bind(Bind& b) {
  return b.by_element_type([&](auto tag) -> NodePtr {
    using T = decltype(tag);
    const OpDesc& op = b.op();
    const auto& x = b.in(0);
    if (op.type == OpType::Sign && b.out().dtype == DType::BIN) {
      KernelNode<k::PackBitsArgs<T>> n;
      n.args.channels = int(x.shape[0]);
      n.args.spatial = int(x.numel / x.shape[0]);
      return b.finish_xy(n, k::Op::kPackBits, elem_precision(x.dtype));
    }
    KernelNode<k::ActivationArgs<T>> n;
    n.args.count = x.numel;
    n.args.min_value = op.min_value;
    n.args.max_value = op.max_value;
    n.args.p = {op.alpha, op.beta};
    n.args.q = b.formats(0);
    return b.finish_xy(n, k::to_kernel_op(OpId(op.type)), elem_precision(x.dtype));
  });
}

SLIMRT_REGISTER_OPS(activation) {
#define SLIMRT_UNARY_ID_(Name) OpId::Name,
#define SLIMRT_CLAMP_ID_(Name, lo, hi) OpId::Name,
  t.add({OpId::Relu, OpId::HardTanh, OpId::Sign, SLIMRT_CONST_CLAMP_OPS(SLIMRT_CLAMP_ID_) SLIMRT_UNARY_OPS(SLIMRT_UNARY_ID_)},
        {&check, &bind, 1, 1});
#undef SLIMRT_CLAMP_ID_
#undef SLIMRT_UNARY_ID_
}

}  // namespace slimrt::ops
