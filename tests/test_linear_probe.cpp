#include <gtest/gtest.h>

#include "datasets/linear_probe.h"
#include "datasets/split.h"

using namespace slimlab::data;

namespace {
ArraySet blobs(double separation, uint64_t seed) {
  // Two classes, Gaussian-ish clouds in 4-D, means ±separation on the first axis.
  ArraySet s;
  s.sample_shape = {4};
  s.class_names = {"neg", "pos"};
  uint64_t st = seed;
  auto uni = [&st] {
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    return double(st >> 11) / 9007199254740992.0;
  };
  for (int i = 0; i < 400; ++i) {
    const int y = i % 2;
    for (int d = 0; d < 4; ++d) {
      double g = 0;
      for (int k = 0; k < 12; ++k) g += uni();
      g -= 6.0;
      s.values.push_back(float(g + (d == 0 ? (y ? separation : -separation) : 0.0)));
    }
    s.labels.push_back(y);
    s.groups.push_back(-1);
  }
  return s;
}
}  // namespace

TEST(LinearProbe, SeparatesSeparableData) {
  const auto train = blobs(4.0, 1), test = blobs(4.0, 2);
  const auto r = linear_probe(train, test);
  EXPECT_GT(r.test_accuracy, 0.98);
}

TEST(LinearProbe, ChanceOnOverlappingData) {
  const auto train = blobs(0.0, 1), test = blobs(0.0, 2);
  const auto r = linear_probe(train, test);
  EXPECT_LT(r.test_accuracy, 0.62);
  EXPECT_GT(r.test_accuracy, 0.38);
}
