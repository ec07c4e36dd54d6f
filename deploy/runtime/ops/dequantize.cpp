// Dequantize: fixed point (i8, i16; i32 by a built-in node) → f32, or packed signs → ±1
// (kernel UnpackBits: [spatial..., C] back to CHW).
#include "op_registry.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(1, 1);
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

struct DequantizeI32Node : Node {
  const int32_t* x = nullptr;
  float* y = nullptr;
  int64_t count = 0;
  int fl = 0;
  void run() override {
    for (int64_t i = 0; i < count; ++i) y[i] = float(fixed::dequantize(x[i], fl));
  }
};

template <class T>
NodePtr bind_typed(Bind& b) {
  KernelNode<k::DequantizeArgs<T>> n;
  n.args.count = b.in(0).numel;
  n.args.q = b.formats(0);
  b.bind_xy(n);
  return b.finish(n, k::Op::kDequantize, elem_precision(b.in(0).dtype));
}

NodePtr bind(Bind& b) {
  const auto& x = b.in(0);
  if (x.dtype == DType::I8) return bind_typed<int8_t>(b);
  if (x.dtype == DType::I16) return bind_typed<int16_t>(b);
  if (x.dtype == DType::BIN) {
    KernelNode<k::UnpackBitsArgs> n;
    n.args.channels = int(x.shape.back());
    n.args.spatial = int(x.numel / x.shape.back());
    b.bind_xy(n);
    return b.finish(n, k::Op::kUnpackBits, k::Precision::kBnn);
  }
  auto n = std::make_unique<DequantizeI32Node>();
  n->count = x.numel;
  n->fl = x.fl;
  n->bind(&n->x, b.op().inputs[0]);
  n->bind(&n->y, b.op().outputs[0]);
  n->kernel_name = "Dequantize/i32/builtin";
  return n;
}

const OpDef kDequantize{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(dequantize) { t.add(OpId::Dequantize, kDequantize); }

}  // namespace slimrt::ops
