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
  // Distinct buffers (the usual case) as restrict pointers, 4 at a time, so the compiler
  // emits vector code (SLP) at -O2; the same arithmetic per element either way.
  static void affine(const float* __restrict xi, float* __restrict yi, int64_t n, float s, float b) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      yi[i] = xi[i] * s + b;
      yi[i + 1] = xi[i + 1] * s + b;
      yi[i + 2] = xi[i + 2] * s + b;
      yi[i + 3] = xi[i + 3] * s + b;
    }
    for (; i < n; ++i) yi[i] = xi[i] * s + b;
  }
  static void per_channel(const float* __restrict xc, float* __restrict yc, const float* sc, const float* sh, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      yc[i] = xc[i] * sc[i] + sh[i];
      yc[i + 1] = xc[i + 1] * sc[i + 1] + sh[i + 1];
      yc[i + 2] = xc[i + 2] * sc[i + 2] + sh[i + 2];
      yc[i + 3] = xc[i + 3] * sc[i + 3] + sh[i + 3];
    }
    for (; i < n; ++i) yc[i] = xc[i] * sc[i] + sh[i];
  }
  void run() override {
    if (inner == 1 && x != y) return per_channel(x, y, scale, shift, channels);  // a vector (before a BNN dense)
    for (int64_t c = 0; c < channels; ++c) {
      const float s = scale[c], b = shift[c];
      const float* xi = x + c * inner;
      float* yi = y + c * inner;
      if (xi == yi) {
        for (int64_t i = 0; i < inner; ++i) yi[i] = yi[i] * s + b;
      } else {
        affine(xi, yi, inner, s, b);
      }
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
