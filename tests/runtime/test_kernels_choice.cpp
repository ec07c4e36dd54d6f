// Which variant best_kernel picks for the ops of compressed exports (issue 13: no
// reference kernel where a SIMD ISA is available): the fixed-point GRU / LSTM with the
// formats the interpreter passes (a GRU's unset cell format included), activations,
// pooling, means and Add at f32 / int8 / int16. Correctness of each variant is the
// conformance test's (test_conformance.cpp).
#include <gtest/gtest.h>

#include <string>

#include "kernels/kernels.h"

namespace slimrt::kernels {
namespace {

// The best ISA this CPU runs (x86: AVX-512 over AVX2; aarch64: NEON); kRef if none.
Isa expected_isa() {
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kNeon})
    if (cpu_supports(isa)) return isa;
  return Isa::kRef;
}

template <class A>
void expect_simd(Op op, Precision p, const A& args) {
  const Kernel* k = best_kernel(op, p, &args);
  ASSERT_NE(k, nullptr) << to_string(op) << "/" << to_string(p);
  EXPECT_EQ(k->isa, expected_isa()) << k->name;
}

// A Gru / Lstm node as ops/rnn.cpp binds it from an int8 / int16 export.
template <class T>
RnnArgs<T> exported_rnn(bool lstm, int input, int hidden) {
  RnnArgs<T> a;
  a.steps = 20;
  a.input = input;
  a.hidden = hidden;
  const int bits = int(sizeof(T) * 8);
  a.q.fl_x = bits - 3;
  a.q.fl_w_ih = a.q.fl_w_hh = bits - 1;
  a.q.fl_h = a.q.fl_pre = bits - 4;
  a.q.wl_h = a.q.wl_pre = a.q.wl_gate = bits;
  a.q.fl_gate = bits - 2;
  a.q.fl_c = lstm ? bits - 5 : 0;  // a GRU's cell format is ⟨0, 0⟩ in the file
  a.q.wl_c = lstm ? bits : 0;
  return a;
}

class Choice : public ::testing::Test {
 protected:
  void SetUp() override {
    set_max_isa(Isa::kCount);
    if (expected_isa() == Isa::kRef) GTEST_SKIP() << "no SIMD ISA on this CPU";
  }
};

TEST_F(Choice, FixedPointRecurrentLayersAtEveryHiddenSize) {
  for (int hidden : {1, 7, 14, 15, 16, 17, 33, 120}) {
    expect_simd(Op::kGru, Precision::kI8, exported_rnn<int8_t>(false, 16, hidden));
    expect_simd(Op::kGru, Precision::kI16, exported_rnn<int16_t>(false, 16, hidden));
    expect_simd(Op::kLstm, Precision::kI8, exported_rnn<int8_t>(true, 16, hidden));
    expect_simd(Op::kLstm, Precision::kI16, exported_rnn<int16_t>(true, 16, hidden));
  }
}

TEST_F(Choice, RecurrentLayerWithAnInvalidCellFormatIsLeftToTheReference) {
  RnnArgs<int8_t> a = exported_rnn<int8_t>(true, 16, 8);
  a.q.wl_c = 0;  // an LSTM needs its cell format: the table kernel declines
  const Kernel* k = best_kernel(Op::kLstm, Precision::kI8, &a);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->isa, Isa::kRef);
}

template <class T>
void expect_elementwise(Precision p) {
  ActivationArgs<T> act;
  act.count = 300;
  for (Op op : {Op::kRelu, Op::kRelu6, Op::kHardTanh, Op::kSign, Op::kSigmoid, Op::kHardSwish}) expect_simd(op, p, act);
  AddArgs<T> add;
  add.count = 300;
  add.q.fl_x = 5;
  add.q.fl_x2 = 4;
  add.q.fl_y = 4;
  add.q.wl_y = int(sizeof(T) * 8);
  add.act = Activation::kRelu;
  expect_simd(Op::kAdd, p, add);
  ReduceMeanArgs<T> mean;
  mean.outer = 20;
  mean.inner = 14;
  expect_simd(Op::kMeanOverTime, p, mean);
  expect_simd(Op::kGlobalAvgPool, p, mean);
  PoolArgs<T> pool;
  pool.s.channels = 16;
  pool.s.in_h = 12;
  pool.s.in_w = 12;
  pool.s.out_h = pool.s.out_w = 6;
  pool.s.kernel_h = pool.s.kernel_w = pool.s.stride_h = pool.s.stride_w = 2;
  expect_simd(Op::kMaxPool2d, p, pool);
  expect_simd(Op::kAvgPool2d, p, pool);
  pool.s.in_h = pool.s.out_h = pool.s.kernel_h = pool.s.stride_h = 1;
  expect_simd(Op::kMaxPool1d, p, pool);
}

TEST_F(Choice, ActivationsPoolingMeansAndAddAtEveryPrecision) {
  if (!find_kernel(std::string("Relu/i8/") + to_string(expected_isa())))
    GTEST_SKIP() << "built with SLIMRT_SIMD_ELEMENTWISE=OFF (reference element-wise kernels only)";
  expect_elementwise<float>(Precision::kF32);
  expect_elementwise<int8_t>(Precision::kI8);
  expect_elementwise<int16_t>(Precision::kI16);
}

// A first layer with 1 input channel and rows of 24 columns (LeNet-5's conv1, also a
// DeepIoT-pruned one with 3 filters) runs the direct kernel at every vector width: with
// 16-lane AVX-512 it fell to im2col + GEMM (8× slower for the pruned layer) until rows
// narrower than 3 vectors got their own blocking.
TEST_F(Choice, NarrowFirstLayerRunsTheDirectConvolution) {
  for (int filters : {20, 3}) {
    ConvArgs<float> a;
    a.s.in_c = 1;
    a.s.in_h = a.s.in_w = 28;
    a.s.out_c = filters;
    a.s.kernel_h = a.s.kernel_w = 5;
    const Kernel* k = best_kernel(Op::kConv2d, Precision::kF32, &a);
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->name, std::string("Conv2d/f32/") + to_string(expected_isa()) + "_direct");
  }
}

// x86: int8 max pooling over tiling 2-wide windows takes the byte-pair kernel; an
// overlapping window does not.
TEST_F(Choice, Int8PairPoolingOnX86) {
  if (expected_isa() != Isa::kAvx512 && expected_isa() != Isa::kAvx2) GTEST_SKIP() << "x86 only";
  const std::string isa = to_string(expected_isa());
  PoolArgs<int8_t> pool;
  pool.s.channels = 20;
  pool.s.in_h = pool.s.in_w = 24;
  pool.s.out_h = pool.s.out_w = 12;
  pool.s.kernel_h = pool.s.kernel_w = pool.s.stride_h = pool.s.stride_w = 2;
  EXPECT_EQ(best_kernel(Op::kMaxPool2d, Precision::kI8, &pool)->name, "MaxPool2d/i8/" + isa + "_pairs");
  pool.s.in_h = pool.s.out_h = pool.s.kernel_h = pool.s.stride_h = 1;
  EXPECT_EQ(best_kernel(Op::kMaxPool1d, Precision::kI8, &pool)->name, "MaxPool1d/i8/" + isa + "_pairs");
  pool.s.kernel_w = 3;
  pool.s.out_w = 11;
  EXPECT_NE(best_kernel(Op::kMaxPool1d, Precision::kI8, &pool)->name, "MaxPool1d/i8/" + isa + "_pairs");
}

TEST_F(Choice, FixedPointAddThatWouldOverflowInt32IsLeftToTheReference) {
  if (!find_kernel(std::string("Add/i16/") + to_string(expected_isa())))
    GTEST_SKIP() << "built with SLIMRT_SIMD_ELEMENTWISE=OFF";
  AddArgs<int16_t> add;
  add.count = 10;
  add.q.fl_x = 30;  // x aligned by 2^30: past int32
  add.q.fl_x2 = 0;
  add.q.fl_y = 0;
  add.q.wl_y = 16;
  const Kernel* k = best_kernel(Op::kAdd, Precision::kI16, &add);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->isa, Isa::kRef);
}

}  // namespace
}  // namespace slimrt::kernels
