#pragma once
// Models built in code for test_threads_views.cpp: weighted ops large enough to be split
// over threads (≥ 2 × 16 output channels, ≥ 2^16 MACs) at every weighted precision, and
// graphs whose Reshape / Slice / Concat become views.
#include <string>
#include <vector>

#include "opencl_test_models.h"

namespace slimrt::test {
using opencl::test::conv;
using opencl::test::packed_rows;
using opencl::test::q16;
using opencl::test::q8;
using opencl::test::qbias;

enum class Wide { kF32, kI8, kI16, kBcF32, kBcI8, kBcI16 };

inline const char* wide_name(Wide k) {
  static const char* names[] = {"f32", "i8", "i16", "bc_f32", "bc_i8", "bc_i16"};
  return names[int(k)];
}

// One weighted layer's constants at precision `k`: weight [out, per_out] (given shape),
// bias; BinaryConnect f32 also a per-output scale. Returns the inputs after x.
inline std::vector<int> wide_weights(ModelWriter& m, Wide k, const std::string& name, std::vector<int64_t> shape,
                                     int fl_x, uint32_t seed) {
  int64_t out = shape[0], per_out = 1;
  for (size_t i = 1; i < shape.size(); ++i) per_out *= shape[i];
  const auto w = random_values(size_t(out * per_out), seed, 0.3f);
  const auto b = random_values(size_t(out), seed + 1, 0.2f);
  const bool bc = k == Wide::kBcF32 || k == Wide::kBcI8 || k == Wide::kBcI16;
  if (bc) {
    const auto packed = packed_rows(w, size_t(out), size_t(per_out));
    const int fl_b = k == Wide::kBcF32 ? 0 : 3;  // weights ±2^−3
    const int wt = m.add_constant(name + ".w", DType::BIN, {out, per_out}, packed.data(), packed.size() * 8, fl_b);
    if (k == Wide::kBcF32)
      return {wt, m.add_f32(name + ".b", {out}, b), m.add_f32(name + ".scale", {out}, random_values(size_t(out), seed + 2, 0.1f))};
    return {wt, m.add_i32(name + ".b", {out}, qbias(b, fl_x + fl_b), fl_x + fl_b)};
  }
  if (k == Wide::kF32) return {m.add_f32(name + ".w", shape, w), m.add_f32(name + ".b", {out}, b)};
  const int fl_w = k == Wide::kI8 ? 6 : 13;
  int wt;
  if (k == Wide::kI8) {
    const auto q = q8(w, fl_w);
    wt = m.add_constant(name + ".w", DType::I8, shape, q.data(), q.size(), fl_w);
  } else {
    const auto q = q16(w, fl_w);
    wt = m.add_constant(name + ".w", DType::I16, shape, q.data(), q.size() * 2, fl_w);
  }
  return {wt, m.add_i32(name + ".b", {out}, qbias(b, fl_x + fl_w), fl_x + fl_w)};
}

// x [16, 14, 14] → conv 3×3 (48, pad 1, ReLU; f32: the Winograd kernel) → depthwise 3×3 (groups 48) → reshape
// [48, 196] → dense 196 → 40 on each of the 48 rows → reshape [1920] → dense → 50.
// Fixed point: quantized first, dequantized last. BinaryConnect: every weighted op binary.
constexpr int kWideIn = 16;  // input channels of the wide model
inline ModelWriter wide_model(Wide k) {
  ModelWriter m;
  const bool bc = k == Wide::kBcF32 || k == Wide::kBcI8 || k == Wide::kBcI16;
  const DType dt = k == Wide::kF32 || k == Wide::kBcF32 ? DType::F32
                   : k == Wide::kI8 || k == Wide::kBcI8 ? DType::I8 : DType::I16;
  const int fl = dt == DType::I8 ? 4 : dt == DType::I16 ? 10 : 0;
  const int x = m.add_tensor("x", DType::F32, {kWideIn, 14, 14});
  int h = x;
  if (dt != DType::F32) {
    h = m.add_tensor("xq", dt, {kWideIn, 14, 14}, fl);
    m.add_op(OpType::Quantize, "quantize", {x}, {h});
  }
  auto layer = [&](OpType type, const std::string& name, int in, std::vector<int64_t> wshape,
                   std::vector<int64_t> yshape) {
    std::vector<int> ins{in};
    if (bc) {  // BinaryConnect weights are [out, per_out]
      int64_t per = 1;
      for (size_t i = 1; i < wshape.size(); ++i) per *= wshape[i];
      wshape = {wshape[0], per};
    }
    for (int t : wide_weights(m, k, name, wshape, fl, uint32_t(ins.size() * 7 + name.size())))
      ins.push_back(t);
    const int y = m.add_tensor(name, dt, std::move(yshape), fl);
    if (type == OpType::Dense) m.add_op(type, name, ins, {y}).activation = fb::Activation::Relu;
    else conv(m, name, ins, y, 3, 1, 1, name == "conv", type, name == "conv" ? 1 : bc ? 12 : 48);
    return y;
  };
  h = layer(OpType::Conv2d, "conv", h, {48, kWideIn, 3, 3}, {48, 14, 14});
  // Depthwise (f32 / fixed point), or grouped (BinaryConnect: 12 groups of 4 channels).
  h = layer(bc ? OpType::Conv2d : OpType::DepthwiseConv2d, "dw", h, {48, bc ? 4 : 1, 3, 3}, {48, 14, 14});
  const int rows = m.add_tensor("rows", dt, {48, 196}, fl);
  m.add_op(OpType::Reshape, "rows", {h}, {rows});
  h = layer(OpType::Dense, "per_row", rows, {40, 196}, {48, 40});
  const int flat = m.add_tensor("flat", dt, {1920}, fl);
  m.add_op(OpType::Reshape, "flat", {h}, {flat});
  h = layer(OpType::Dense, "fc", flat, {50, 1920}, {50});
  if (dt != DType::F32) {
    const int y = m.add_tensor("y", DType::F32, {50});
    m.add_op(OpType::Dequantize, "dequantize", {h}, {y});
    h = y;
  }
  m.inputs = {x};
  m.outputs = {h};
  m.metadata.model = std::string("wide_") + wide_name(k);
  return m;
}

// BNN: sign → BNN conv 3×3 (48, float scale / bias: split by channels) → BNN conv 3×3
// (64, thresholds to packed bits: stays whole) from the signs of the first → BNN dense
// per pixel 64 → 128 (rows split) …; reshape of the float map [6912] → sign → BNN dense
// 6912 → 128 to packed bits (split at 64 channels) → BNN dense 128 → 32 int32.
inline ModelWriter wide_bnn() {
  ModelWriter m;
  const int x = m.add_tensor("x", DType::F32, {8, 14, 14});
  const int s = m.add_tensor("s", DType::BIN, {14, 14, 8});
  m.add_op(OpType::Sign, "sign", {x}, {s});
  auto filters = [&](const std::string& name, int o, int kh, int c, uint32_t seed) {
    const auto p = packed_rows(random_values(size_t(o) * kh * kh * c, seed), size_t(o) * kh * kh, size_t(c));
    return m.add_constant(name, DType::BIN, kh == 1 ? std::vector<int64_t>{o, c} : std::vector<int64_t>{o, kh, kh, c},
                          p.data(), p.size() * 8);
  };
  auto thresholds = [&](const std::string& name, int n) {
    std::vector<float> th(size_t(n) * 3);
    for (int c = 0; c < n; ++c) {
      const auto t = bits::fold_bn_sign(c % 3 ? 0.7 : -0.4, 0.2, -3 + c % 7, 1.5, 1e-5);
      th[size_t(c) * 3] = t.threshold;
      th[size_t(c) * 3 + 1] = t.direction;
      th[size_t(c) * 3 + 2] = t.constant;
    }
    return m.add_f32(name, {n, 3}, th);
  };
  const int a = m.add_tensor("a", DType::F32, {48, 12, 12});
  conv(m, "conv_a", {s, filters("wa", 48, 3, 8, 51), m.add_f32("sa", {48}, random_values(48, 52, 0.05f)),
                     m.add_f32("ba", {48}, random_values(48, 53, 0.1f))},
       a, 3, 1, 0, false);
  const int bmap = m.add_tensor("bmap", DType::BIN, {12, 12, 64});
  conv(m, "conv_b", {s, filters("wb", 64, 3, 8, 54), thresholds("tb", 64)}, bmap, 3, 1, 0, false);
  const int px = m.add_tensor("px", DType::BIN, {12, 12, 128});
  m.add_op(OpType::Dense, "per_pixel", {bmap, filters("wp", 128, 1, 64, 55), thresholds("tp", 128)}, {px});
  const int flat = m.add_tensor("flat", DType::F32, {6912});
  m.add_op(OpType::Reshape, "flat", {a}, {flat});
  const int fs = m.add_tensor("fs", DType::BIN, {6912});
  m.add_op(OpType::Sign, "sign_flat", {flat}, {fs});
  const int d1 = m.add_tensor("d1", DType::BIN, {128});
  m.add_op(OpType::Dense, "fc1", {fs, filters("w1", 128, 1, 6912, 56), thresholds("t1", 128)}, {d1});
  const int d2 = m.add_tensor("d2", DType::I32, {32});
  m.add_op(OpType::Dense, "fc2", {d1, filters("w2", 32, 1, 128, 57)}, {d2});
  const int y = m.add_tensor("y", DType::F32, {32});
  m.add_op(OpType::Dequantize, "to_float", {d2}, {y});
  const int py = m.add_tensor("py", DType::F32, {128, 12, 12});
  m.add_op(OpType::Dequantize, "unpack", {px}, {py});
  m.inputs = {x};
  m.outputs = {y, py};
  m.metadata.model = "wide_bnn";
  return m;
}

// Views: x [32, 8, 8] → two convs 1×1 (64 each, split over threads) → concat along
// channels (the convs write straight into it) → slice channels [32, 96) (a view) →
// reshape [4096] (a view) → dense 10. `slice_axis` 1 slices rows [2, 6) instead (a copy).
inline ModelWriter view_model(int slice_axis = 0) {
  ModelWriter m;
  const int x = m.add_tensor("x", DType::F32, {32, 8, 8});
  std::vector<int> halves;
  for (int i = 0; i < 2; ++i) {
    const std::string n = std::to_string(i);
    const int y = m.add_tensor("h" + n, DType::F32, {64, 8, 8});
    conv(m, "conv" + n,
         {x, m.add_f32("w" + n, {64, 32, 1, 1}, random_values(2048, 63 + uint32_t(i), 0.2f)),
          m.add_f32("b" + n, {64}, random_values(64, 65 + uint32_t(i), 0.1f))},
         y, 1, 1, 0, true);
    halves.push_back(y);
  }
  const int cat = m.add_tensor("cat", DType::F32, {128, 8, 8});
  m.add_op(OpType::Concat, "concat", halves, {cat}).axis = 0;
  const bool rows = slice_axis == 1;
  const int s = m.add_tensor("s", DType::F32, rows ? std::vector<int64_t>{128, 4, 8} : std::vector<int64_t>{64, 8, 8});
  auto& sl = m.add_op(OpType::Slice, "slice", {cat}, {s});
  sl.axis = slice_axis;
  sl.begin = rows ? 2 : 32;
  sl.end = rows ? 6 : 96;
  const int flat = m.add_tensor("flat", DType::F32, {4096});
  m.add_op(OpType::Reshape, "flat", {s}, {flat});
  const int y = m.add_tensor("y", DType::F32, {10});
  m.add_op(OpType::Dense, "fc",
           {flat, m.add_f32("wf", {10, 4096}, random_values(40960, 67, 0.05f)),
            m.add_f32("bf", {10}, random_values(10, 68, 0.1f))},
           {y});
  m.inputs = {x};
  m.outputs = {y};
  m.metadata.model = "views";
  return m;
}

}  // namespace slimrt::test
