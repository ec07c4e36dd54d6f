// A batch norm folded into a fixed-point dense / conv (inputs 3 and 4: per-channel
// multiplier and offset, docs/SLIMRT.md): the interpreter binds them and computes
// fixed::requantize_channel; the verifier names bad ones.
#include <gtest/gtest.h>

#include "slim_test_models.h"
#include "slimrt/fixed_point.h"
#include "slimrt/runtime.h"

namespace slimrt {
namespace {

const std::vector<int8_t> kW = {3, -2, 7, 1, -5, 4, 0, 9, 2, 2, -8, 6};  // [3, 4] at FL 6
const std::vector<int32_t> kMult = {70, -33, 129}, kOffset = {1000, -4000, 250};

// x f32 [4] → Quantize ⟨8, 5⟩ → Dense i8 (w FL 6, no bias, multiplier FL 4, offset
// FL 15) → ⟨8, 3⟩ → Dequantize. `mult` / `offset` replace the tensors' description.
ModelWriter folded_dense(DType mult_dt = DType::I32, int offset_fl = 15, bool with_mult = true,
                         int32_t big = 0) {
  ModelWriter w;
  const int x = w.add_tensor("x", DType::F32, {4});
  const int q = w.add_tensor("xq", DType::I8, {4}, 5);
  w.add_op(OpType::Quantize, "q", {x}, {q});
  const int wt = w.add_constant("w", DType::I8, {3, 4}, kW.data(), kW.size(), 6);
  std::vector<int32_t> mv = kMult;
  if (big) mv[1] = big;
  const int m = mult_dt == DType::I32 ? w.add_i32("bn_mult", {3}, mv, 4)
                                      : w.add_f32("bn_mult", {3}, {70.f, -33.f, 129.f});
  const int o = w.add_i32("bn_offset", {3}, kOffset, offset_fl);
  const int y = w.add_tensor("yq", DType::I8, {3}, 3);
  w.add_op(OpType::Dense, "fc", {q, wt, -1, with_mult ? m : -1, o}, {y});
  const int yf = w.add_tensor("y", DType::F32, {3});
  w.add_op(OpType::Dequantize, "dq", {y}, {yf});
  w.inputs = {x};
  w.outputs = {yf};
  return w;
}

std::string load_error(const ModelWriter& w) { return test::load_error(w.finish()); }

TEST(FoldedBatchNorm, DenseComputesRequantizeChannel) {
  const std::vector<uint8_t> bytes = folded_dense().finish();
  auto m = Model::from_memory(bytes.data(), bytes.size());
  Interpreter in(m);
  const std::vector<float> x = {0.5f, -1.25f, 2.0f, 0.875f};  // exact at FL 5
  in.set_input(0, x.data(), x.size());
  in.invoke();
  std::vector<float> y(3);
  in.get_output(0, y.data(), y.size());
  for (int c = 0; c < 3; ++c) {
    int64_t acc = 0;
    for (int i = 0; i < 4; ++i) acc += int64_t(fixed::quantize(x[size_t(i)], 8, 5)) * kW[size_t(c * 4 + i)];
    const int64_t want = fixed::requantize_channel(acc, kMult[size_t(c)], kOffset[size_t(c)], 11, 4, 8, 3);
    EXPECT_EQ(y[size_t(c)], float(fixed::dequantize(want, 3))) << "channel " << c;
  }
}

TEST(FoldedBatchNorm, TheVerifierNamesBadInputs) {
  EXPECT_NE(load_error(folded_dense(DType::F32)).find("channel requantization"), std::string::npos);
  EXPECT_NE(load_error(folded_dense(DType::I32, 14)).find("channel offset 'bn_offset' has FL 14"), std::string::npos);
  EXPECT_NE(load_error(folded_dense(DType::I32, 15, false)).find("needs a channel multiplier"), std::string::npos);
  EXPECT_NE(load_error(folded_dense(DType::I32, 15, true, 1 << 16)).find("outside (-2^16, 2^16)"), std::string::npos);
  EXPECT_EQ(load_error(folded_dense()), "");
}

}  // namespace
}  // namespace slimrt
