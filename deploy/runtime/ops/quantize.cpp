// Quantize: f32 → fixed point in the output's format (kernel Quantize), or fixed →
// fixed in another format / storage (kernel Requantize).
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  const TensorDesc &xt = c.x(), &yt = c.y();
  if (xt.dtype != DType::F32 && !is_fixed(xt.dtype)) c.fail("quantizes f32 or fixed point");
  if (!is_fixed(yt.dtype)) c.fail("output '%s' must be i8 or i16", yt.name.c_str());
  c.need_shape(yt, xt.shape, "output");
}

static NodePtr bind(Bind& b) {
  const auto& x = b.in(0);
  const k::Precision p = elem_precision(b.out().dtype);
  if (x.dtype == DType::F32)
    return p == k::Precision::kI8 ? b.elementwise<k::QuantizeArgs<int8_t>>(k::Op::kQuantize, p)
                                  : b.elementwise<k::QuantizeArgs<int16_t>>(k::Op::kQuantize, p);
  KernelNode<k::RequantizeArgs> n;
  n.args.count = x.numel;
  n.args.x_bits = x.dtype == DType::I8 ? 8 : 16;
  n.args.y_bits = b.out().dtype == DType::I8 ? 8 : 16;
  n.args.q = b.formats(0);
  return b.finish_xy(n, k::Op::kRequantize, k::Precision::kAny);
}

SLIMRT_REGISTER_OPS(quantize) { t.add({OpId::Quantize}, {&check, &bind, 1, 1}); }

}  // namespace slimrt::ops
