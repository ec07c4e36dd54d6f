// Scale: per-channel y = x · scale[c] + shift[c] over [C, ...] (a batch norm that could
// not be folded), f32, run by a built-in node.
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  c.need_dtype(c.x(), DType::F32, "input");
  c.same_out(false);
  for (size_t i = 1; i < 3; ++i) c.need_vector(i, c.x().shape[0], "scale/shift", false);
  c.op.macs = c.x().numel;
}

namespace {
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
}  // namespace

static NodePtr bind(Bind& b) {
  auto n = std::make_unique<ScaleNode>();
  n->channels = b.in(0).shape[0];
  n->inner = b.in(0).numel / n->channels;
  n->scale = static_cast<const float*>(b.weights(1));
  n->shift = static_cast<const float*>(b.weights(2));
  return b.builtin(std::move(n), "Scale/f32/builtin");
}

SLIMRT_REGISTER_OPS(scale) { t.add({OpId::Scale}, {&check, &bind, 3, 3}); }

}  // namespace slimrt::ops
