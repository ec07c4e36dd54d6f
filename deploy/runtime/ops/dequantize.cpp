// Dequantize: fixed point (i8, i16; i32 by a built-in node) → f32, or packed signs → ±1
// (kernel UnpackBits: [spatial..., C] back to CHW).
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  const TensorDesc &xt = c.x(), &yt = c.y();
  if (!is_fixed(xt.dtype) && xt.dtype != DType::I32 && xt.dtype != DType::BIN) c.fail("dequantizes i8, i16, i32 or bin");
  c.need_dtype(yt, DType::F32, "output");
  if (xt.dtype == DType::BIN) {
    std::vector<int64_t> want{xt.shape.back()};
    want.insert(want.end(), xt.shape.begin(), xt.shape.end() - 1);
    c.need_shape(yt, want, "output");
  } else {
    c.need_shape(yt, xt.shape, "output");
  }
}

namespace {
struct DequantizeI32Node : Node {
  const int32_t* x = nullptr;
  float* y = nullptr;
  int64_t count = 0;
  int fl = 0;
  void run() override {
    for (int64_t i = 0; i < count; ++i) y[i] = float(fixed::dequantize(x[i], fl));
  }
};
}  // namespace

static NodePtr bind(Bind& b) {
  const auto& x = b.in(0);
  const k::Precision p = elem_precision(x.dtype);
  if (x.dtype == DType::I8) return b.elementwise<k::DequantizeArgs<int8_t>>(k::Op::kDequantize, p);
  if (x.dtype == DType::I16) return b.elementwise<k::DequantizeArgs<int16_t>>(k::Op::kDequantize, p);
  if (x.dtype == DType::BIN) {
    KernelNode<k::UnpackBitsArgs> n;
    n.args.channels = int(x.shape.back());
    n.args.spatial = int(x.numel / x.shape.back());
    return b.finish_xy(n, k::Op::kUnpackBits, k::Precision::kBnn);
  }
  auto n = std::make_unique<DequantizeI32Node>();
  n->count = x.numel;
  n->fl = x.fl;
  return b.builtin(std::move(n), "Dequantize/i32/builtin");
}

SLIMRT_REGISTER_OPS(dequantize) { t.add({OpId::Dequantize}, {&check, &bind, 1, 1}); }

}  // namespace slimrt::ops
