// Every registered CPU variant of every op against its reference kernel (see
// conformance.h). The OpenCL backend runs the same cases from its own test.
#include "conformance.h"
#include "conformance_cases.h"

namespace slimrt::conformance {
namespace {

TEST(Conformance, EveryVariantHasAReference) {
  for (const Kernel& k : all_kernels()) {
    EXPECT_NE(reference_kernel(k.op, k.precision), nullptr) << k.name;
    EXPECT_EQ(find_kernel(k.name), &k) << "duplicate name " << k.name;
  }
}

TEST(Conformance, CoreOpsHaveReferenceKernels) {
  for (Precision p : {Precision::kF32, Precision::kI8, Precision::kI16})
    for (Op op : {Op::kDense, Op::kConv1d, Op::kConv2d, Op::kDepthwiseConv2d, Op::kMaxPool1d, Op::kMaxPool2d,
                  Op::kAvgPool2d, Op::kGlobalAvgPool, Op::kGru, Op::kLstm, Op::kRelu, Op::kRelu6, Op::kHardTanh,
                  Op::kSign, Op::kAdd, Op::kMeanOverTime, Op::kPackBits})
      EXPECT_NE(reference_kernel(op, p), nullptr) << to_string(op) << "/" << to_string(p);
  for (Precision p : {Precision::kBcF32, Precision::kBcI8, Precision::kBcI16, Precision::kBnn})
    for (Op op : {Op::kDense, Op::kConv1d, Op::kConv2d})
      EXPECT_NE(reference_kernel(op, p), nullptr) << to_string(op) << "/" << to_string(p);
  for (Op op : {Op::kConcat, Op::kTranspose, Op::kSlice, Op::kReverse, Op::kRequantize})
    EXPECT_NE(reference_kernel(op, Precision::kAny), nullptr) << to_string(op);
}

// The reference against itself: cases are deterministic and every output byte written.
TEST(Conformance, ReferenceIsDeterministic) {
  for (const Kernel& k : all_kernels()) {
    if (k.isa != Isa::kRef) continue;
    for (const auto& c : cases_for(k.op, k.precision)) {
      const auto a = c->run(k), b = c->run(k);
      EXPECT_TRUE(same_outputs(*c, a, b)) << k.name << " on " << c->label;
      for (size_t i = 0; i < c->outputs.size(); ++i) {
        // 0xCD poison in every byte of an output would mean the kernel never wrote it.
        size_t poisoned = 0;
        for (size_t j = 0; j < c->outputs[i].bytes; ++j) poisoned += a[i].data[j] == 0xCD;
        EXPECT_LT(poisoned, std::max<size_t>(c->outputs[i].bytes, 8) / 2) << k.name << " on " << c->label;
      }
    }
  }
}

class Variant : public ::testing::TestWithParam<std::string> {};

TEST_P(Variant, MatchesReference) {
  if (GetParam() == "none") GTEST_SKIP() << "no optimized variants for this CPU architecture";
  const Kernel* k = find_kernel(GetParam());
  ASSERT_NE(k, nullptr);
  if (!cpu_supports(k->isa)) GTEST_SKIP() << "this CPU lacks " << to_string(k->isa);
  check_variant(*k);
}

std::vector<std::string> optimized_variants() {
  std::vector<std::string> names;
  for (const Kernel& k : all_kernels())
    if (k.isa != Isa::kRef && k.isa != Isa::kOpenCL) names.push_back(k.name);
  if (names.empty()) names.push_back("none");
  return names;
}

INSTANTIATE_TEST_SUITE_P(Cpu, Variant, ::testing::ValuesIn(optimized_variants()),
                         conformance::param_name);

}  // namespace
}  // namespace slimrt::conformance
