// Scale: per-channel y = x · scale[c] + shift[c] over [C, ...] (a batch norm that could
// not be folded), f32, run by a built-in node.
#include "op_registry.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(3, 3);
  const TensorDesc &xt = c.x(), &yt = c.y();
  c.need_dtype(xt, DType::F32, "input");
  c.need_dtype(yt, DType::F32, "output");
  c.need_shape(yt, xt.shape, "output");
  for (size_t i = 1; i < 3; ++i) c.need_vector(i, xt.shape[0], "scale/shift", false);
  c.op.macs = xt.numel;
}

struct ScaleNode : Node {
  const float* x = nullptr;
  float* y = nullptr;
  const float* scale = nullptr;
  const float* shift = nullptr;
  int64_t channels = 0, inner = 0;
  void run() override {
    for (int64_t c = 0; c < channels; ++c) {
      const float s = scale[c], b = shift[c];
      const float* xi = x + c * inner;
      float* yi = y + c * inner;
      for (int64_t i = 0; i < inner; ++i) yi[i] = xi[i] * s + b;
    }
  }
};

NodePtr bind(Bind& b) {
  auto n = std::make_unique<ScaleNode>();
  const auto& x = b.in(0);
  n->channels = x.shape[0];
  n->inner = x.numel / x.shape[0];
  n->scale = static_cast<const float*>(b.weights(1));
  n->shift = static_cast<const float*>(b.weights(2));
  n->bind(&n->x, b.op().inputs[0]);
  n->bind(&n->y, b.op().outputs[0]);
  n->kernel_name = "Scale/f32/builtin";
  return n;
}

const OpDef kScale{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(scale) { t.add(OpId::Scale, kScale); }

}  // namespace slimrt::ops
