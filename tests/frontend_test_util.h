#pragma once
// Helpers of the front-end parity tests (test_frontend_parity, test_frontend_export).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "test_util.h"

namespace slimlab::test {

// Largest |a − b| / max(1, |b|) over two arrays (and how many exceed 1e-4).
struct Parity {
  static constexpr double kTolerance = 1e-4;
  double worst = 0;
  size_t bad = 0, count = 0;
  void add(const float* a, const float* b, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const double e = std::fabs(double(a[i]) - double(b[i])) / std::max(1.0, std::fabs(double(b[i])));
      if (!(e <= kTolerance)) ++bad;
      worst = std::max(worst, std::isnan(e) ? 1e9 : e);
    }
    count += n;
  }
};

// Every `step`-th FSDD clip in sorted order (all speakers, all digits).
inline std::vector<std::filesystem::path> fsdd_clips(size_t step) {
  std::vector<std::filesystem::path> all;
  for (const auto& e : std::filesystem::directory_iterator(shared_datasets() / "fsdd/recordings"))
    if (e.path().extension() == ".wav") all.push_back(e.path());
  std::sort(all.begin(), all.end());
  std::vector<std::filesystem::path> some;
  for (size_t i = 0; i < all.size(); i += step) some.push_back(all[i]);
  return some;
}

}  // namespace slimlab::test
