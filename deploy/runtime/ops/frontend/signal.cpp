// Normalize (per-feature (x − mean)·(1/std) along one axis), Resample (linear, the
// device's rate → the training rate) and ImageResize (u8 HWC → bilinear → f32 CHW,
// optionally normalised per channel): slimrt_frontend's kernels as graph ops.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "fe_ops.h"

namespace slimrt::ops::fe {

namespace fr = slimrt::frontend;

namespace {

// The constants of a file as floats (copied: the file's bytes need not be aligned).
std::vector<float> floats(const TensorDesc& t) {
  std::vector<float> v(size_t(t.numel));
  std::memcpy(v.data(), t.data, v.size() * sizeof(float));
  return v;
}

// ---- Normalize: x f32, mean [n], std [n] (constants; n = x.shape[axis] or 1) → y f32 ----

void check_normalize(Check& c) {
  c.need_dtype(c.x(), DType::F32, "input");
  c.same_out(false);
  const int rank = int(c.x().shape.size());
  if (c.op.axis < 0 || c.op.axis >= rank) c.fail("axis %d is outside 0 .. %d", c.op.axis, rank - 1);
  const TensorDesc& mean = *c.in(1);
  const int64_t n = mean.numel == 1 ? 1 : c.x().shape[size_t(c.op.axis)];
  c.need_vector(1, n, "mean", false);
  c.need_vector(2, n, "std", false);
  const std::vector<float> m = floats(mean), s = floats(*c.in(2));
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(m[i])) c.fail("mean[%lld] is not finite", (long long)i);
    if (!(s[i] > 0) || !std::isfinite(s[i])) c.fail("std[%lld] = %g is not positive and finite", (long long)i, double(s[i]));
  }
  c.op.macs = c.x().numel;
}

struct NormalizeNode : Node {
  const float* x = nullptr;
  float* y = nullptr;
  const float* mean = nullptr;
  std::vector<float> inv_std;
  int64_t outer = 1, extent = 1, inner = 1;
  void run() override { fr::normalize(x, outer, extent, inner, mean, inv_std.data(), y); }
};

NodePtr bind_normalize(Bind& b) {
  auto n = std::make_unique<NormalizeNode>();
  const auto& s = b.in(0).shape;
  const size_t axis = size_t(b.op().axis);
  const int64_t count = b.in(1).numel;
  n->mean = static_cast<const float*>(b.weights(1));
  n->inv_std = prepared(b, [&] { return fr::prepare_normalization(static_cast<const float*>(b.weights(2)), size_t(count)); });
  if (count == 1) {
    n->inner = b.in(0).numel;
  } else {
    n->outer = prod(s, 0, axis);
    n->extent = s[axis];
    n->inner = prod(s, axis + 1, s.size());
  }
  return b.builtin(std::move(n), "Normalize/f32/frontend");
}

// ---- Resample: x f32 [N, C] at sample_rate → y f32 [M, C] at target_rate -----------------

void check_resample(Check& c) {
  const FrontEndParams& p = params(c);
  c.need_dtype(c.x(), DType::F32, "input");
  c.need_rank(c.x(), 2, "input");
  c.need_dtype(c.y(), DType::F32, "output");
  for (double r : {p.sample_rate, p.target_rate})
    if (!(r > 0) || !(r <= kMaxRate)) c.fail("rates %g → %g Hz must be in (0, 1e7]", p.sample_rate, p.target_rate);
  const auto& s = c.x().shape;
  if (s[0] > kMaxClip) c.fail("%lld frames is more than 2^24", (long long)s[0]);
  const int64_t m = prepared(c, [&] { return fr::resample_linear_frames(s[0], p.sample_rate, p.target_rate); });
  c.need_shape(c.y(), {m, s[1]}, "output");
  check_stream(c, s[0]);
  c.op.macs = c.y().numel;
}

struct ResampleNode : Node {
  const float* x = nullptr;
  float* y = nullptr;
  int64_t frames = 0;
  int channels = 0;
  double rate_in = 0, rate_out = 0;
  void run() override { fr::resample_linear(x, frames, channels, rate_in, rate_out, y); }
};

NodePtr bind_resample(Bind& b) {
  auto n = std::make_unique<ResampleNode>();
  n->frames = b.in(0).shape[0];
  n->channels = int(b.in(0).shape[1]);
  n->rate_in = b.op().frontend.sample_rate;
  n->rate_out = b.op().frontend.target_rate;
  return b.builtin(std::move(n), "Resample/f32/frontend");
}

// ---- ImageResize: x f32 [H, W, Cs] (pixel values 0..255) → y f32 [C, H', W'] ------------
// Inputs 1, 2 (optional, together): per-output-channel mean and std.

fr::ImageOptions image_options(const std::vector<int64_t>& x, const std::vector<int64_t>& y, const float* mean,
                               const float* std, size_t stats) {
  fr::ImageOptions o;
  o.src_height = int(std::min<int64_t>(x[0], 1 << 20));
  o.src_width = int(std::min<int64_t>(x[1], 1 << 20));
  o.src_channels = int(std::min<int64_t>(x[2], 1 << 20));
  o.channels = int(std::min<int64_t>(y[0], 1 << 20));
  o.height = int(std::min<int64_t>(y[1], 1 << 20));
  o.width = int(std::min<int64_t>(y[2], 1 << 20));
  if (stats) {
    o.mean.assign(mean, mean + stats);
    o.stddev.assign(std, std + stats);
  }
  return o;
}

void check_image(Check& c) {
  c.need_dtype(c.x(), DType::F32, "input");
  c.need_rank(c.x(), 3, "input");
  c.need_dtype(c.y(), DType::F32, "output");
  c.need_rank(c.y(), 3, "output");
  const int64_t channels = c.y().shape[0];
  const bool stats = c.in(1, true) != nullptr;
  if (stats != (c.in(2, true) != nullptr)) c.fail("mean and std come together (inputs 1 and 2)");
  if (stats) {
    c.need_vector(1, channels, "mean", false);
    c.need_vector(2, channels, "std", false);
  }
  const std::vector<float> mean = stats ? floats(*c.in(1)) : std::vector<float>();
  const std::vector<float> std = stats ? floats(*c.in(2)) : std::vector<float>();
  const fr::ImageOptions o = image_options(c.x().shape, c.y().shape, mean.data(), std.data(), mean.size());
  prepared(c, [&] { return fr::prepare_image(o); });
  c.op.macs = c.y().numel * 4;
}

struct ImageNode : Node {
  const float* x = nullptr;
  float* y = nullptr;
  fr::ImagePlan plan;
  std::vector<uint8_t> pixels;
  void run() override {
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(std::clamp(std::nearbyint(x[i]), 0.0f, 255.0f));
    fr::image_features(plan, pixels.data(), y);
  }
};

NodePtr bind_image(Bind& b) {
  auto n = std::make_unique<ImageNode>();
  const bool stats = b.has(1);
  const size_t count = stats ? size_t(b.out().shape[0]) : 0;
  const fr::ImageOptions o =
      image_options(b.in(0).shape, b.out().shape, stats ? static_cast<const float*>(b.weights(1)) : nullptr,
                    stats ? static_cast<const float*>(b.weights(2)) : nullptr, count);
  n->plan = prepared(b, [&] { return fr::prepare_image(o); });
  n->pixels.resize(size_t(b.in(0).numel));
  return b.builtin(std::move(n), "ImageResize/f32/frontend");
}

}  // namespace

void register_signal(OpTable& t) {
  t.add({OpId::Normalize}, {&check_normalize, &bind_normalize, 3, 3});
  t.add({OpId::Resample}, {&check_resample, &bind_resample, 1, 1});
  t.add({OpId::ImageResize}, {&check_image, &bind_image, 1, 3});
}

}  // namespace slimrt::ops::fe
