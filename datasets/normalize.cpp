#include "datasets/normalize.h"

#include <cmath>
#include <stdexcept>

namespace slimlab::data {

namespace {
// A sample of shape [..., A, ...] seen as outer × A × inner.
struct AxisView {
  int64_t outer = 1, extent = 1, inner = 1;
};
AxisView view(const std::vector<int64_t>& shape, int axis) {
  if (axis < 0 || axis >= int(shape.size()))
    throw std::invalid_argument("normalization axis " + std::to_string(axis) + " is outside the sample shape " +
                                shape_to_string(shape));
  AxisView v;
  for (int i = 0; i < axis; ++i) v.outer *= shape[size_t(i)];
  v.extent = shape[size_t(axis)];
  for (size_t i = size_t(axis) + 1; i < shape.size(); ++i) v.inner *= shape[i];
  return v;
}
// The view of `shape` along n.axis, which must have one statistic per index.
AxisView checked_view(const Normalization& n, const std::vector<int64_t>& shape) {
  const AxisView v = view(shape, n.axis);
  if (size_t(v.extent) != n.mean.size())
    throw std::invalid_argument("normalization fitted on " + std::to_string(n.mean.size()) +
                                " channels applied to a set with " + std::to_string(v.extent));
  return v;
}
// f(p, inner, mean, std) for every run of `inner` values that share one statistic.
template <class F>
void for_each_run(const Normalization& n, float* x, const std::vector<int64_t>& shape, F f) {
  if (n.empty()) return;
  const AxisView v = checked_view(n, shape);
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t a = 0; a < v.extent; ++a)
      f(x + (o * v.extent + a) * v.inner, v.inner, n.mean[size_t(a)], n.stddev[size_t(a)]);
}
}  // namespace

Normalization Normalization::fit(const ArraySet& train, int axis) {
  const AxisView v = view(train.sample_shape, axis);
  std::vector<double> sum(static_cast<size_t>(v.extent), 0.0), sq(static_cast<size_t>(v.extent), 0.0);
  for (size_t s = 0; s < train.size(); ++s) {
    const float* x = train.sample(s);
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t a = 0; a < v.extent; ++a) {
        const float* p = x + (o * v.extent + a) * v.inner;
        double s1 = 0, s2 = 0;
        for (int64_t i = 0; i < v.inner; ++i) {
          s1 += p[i];
          s2 += double(p[i]) * p[i];
        }
        sum[size_t(a)] += s1;
        sq[size_t(a)] += s2;
      }
  }
  const double count = double(train.size()) * double(v.outer * v.inner);
  Normalization n;
  n.axis = axis;
  for (int64_t a = 0; a < v.extent; ++a) {
    const double m = count > 0 ? sum[size_t(a)] / count : 0.0;
    const double var = count > 0 ? std::max(0.0, sq[size_t(a)] / count - m * m) : 1.0;
    n.mean.push_back(float(m));
    n.stddev.push_back(float(std::max(std::sqrt(var), 1e-6)));
  }
  return n;
}

void Normalization::apply(ArraySet& set) const {
  if (empty()) return;
  checked_view(*this, set.sample_shape);
  for (size_t s = 0; s < set.size(); ++s) apply_sample(set.sample(s), set.sample_shape);
}

void Normalization::apply_sample(float* x, const std::vector<int64_t>& shape) const {
  for_each_run(*this, x, shape, [](float* p, int64_t count, float m, float sd) {
    const float inv = 1.0f / sd;
    for (int64_t i = 0; i < count; ++i) p[i] = (p[i] - m) * inv;
  });
}

void Normalization::invert_sample(float* x, const std::vector<int64_t>& shape) const {
  for_each_run(*this, x, shape, [](float* p, int64_t count, float m, float sd) {
    for (int64_t i = 0; i < count; ++i) p[i] = p[i] * sd + m;
  });
}

}  // namespace slimlab::data
