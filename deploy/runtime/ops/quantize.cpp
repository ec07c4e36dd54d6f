// Quantize: f32 → fixed point in the output's format (kernel Quantize), or fixed →
// fixed in another format / storage (kernel Requantize).
#include "op_registry.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(1, 1);
  const TensorDesc &xt = c.x(), &yt = c.y();
  if (xt.dtype != DType::F32 && !is_fixed(xt.dtype)) c.fail("quantizes f32 or fixed point");
  if (!is_fixed(yt.dtype)) c.fail("output '%s' must be i8 or i16", yt.name.c_str());
  c.need_shape(yt, xt.shape, "output");
}

template <class T>
NodePtr bind_typed(Bind& b) {
  KernelNode<k::QuantizeArgs<T>> n;
  n.args.count = b.in(0).numel;
  n.args.q = b.formats(0);
  b.bind_xy(n);
  return b.finish(n, k::Op::kQuantize, elem_precision(b.out().dtype));
}

NodePtr bind(Bind& b) {
  const auto& x = b.in(0);
  if (x.dtype == DType::F32) return b.out().dtype == DType::I8 ? bind_typed<int8_t>(b) : bind_typed<int16_t>(b);
  KernelNode<k::RequantizeArgs> n;
  n.args.count = x.numel;
  n.args.x_bits = x.dtype == DType::I8 ? 8 : 16;
  n.args.y_bits = b.out().dtype == DType::I8 ? 8 : 16;
  n.args.q = b.formats(0);
  b.bind_xy(n);
  return b.finish(n, k::Op::kRequantize, k::Precision::kAny);
}

const OpDef kQuantize{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(quantize) { t.add(OpId::Quantize, kQuantize); }

}  // namespace slimrt::ops
