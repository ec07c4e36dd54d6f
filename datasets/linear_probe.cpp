#include "datasets/linear_probe.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "datasets/split.h"

namespace slimlab::data {

namespace {
// logits = W·x + b for one sample; W is classes × features, row-major.
void forward(const std::vector<float>& w, const std::vector<float>& b, const float* x, int64_t f, size_t k,
             std::vector<float>& out) {
  for (size_t c = 0; c < k; ++c) {
    const float* row = w.data() + c * size_t(f);
    float acc = b[c];
    for (int64_t i = 0; i < f; ++i) acc += row[i] * x[i];
    out[c] = acc;
  }
}

double accuracy(const ArraySet& s, const std::vector<float>& w, const std::vector<float>& b, size_t k) {
  if (s.size() == 0) return 0.0;
  std::vector<float> logits(k);
  size_t correct = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    forward(w, b, s.sample(i), s.sample_numel(), k, logits);
    const size_t pred = size_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
    correct += (int32_t(pred) == s.labels[i]);
  }
  return double(correct) / double(s.size());
}
}  // namespace

LinearProbeResult linear_probe(const ArraySet& train, const ArraySet& test, const LinearProbeOptions& opt) {
  if (train.size() == 0) throw std::invalid_argument("linear probe: empty training set");
  if (test.size() > 0 && test.sample_shape != train.sample_shape)
    throw std::invalid_argument("linear probe: train and test shapes differ");
  const int64_t f = train.sample_numel();
  const size_t k = train.class_names.size();
  std::vector<float> w(k * size_t(f), 0.0f), b(k, 0.0f), gw(w.size()), gb(k), logits(k);
  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), size_t(0));
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    seeded_shuffle(order, opt.seed + uint64_t(epoch));
    const float lr = opt.learning_rate / (1.0f + 0.1f * float(epoch));
    for (size_t start = 0; start < order.size(); start += size_t(opt.batch_size)) {
      const size_t end = std::min(order.size(), start + size_t(opt.batch_size));
      std::fill(gw.begin(), gw.end(), 0.0f);
      std::fill(gb.begin(), gb.end(), 0.0f);
      for (size_t j = start; j < end; ++j) {
        const float* x = train.sample(order[j]);
        forward(w, b, x, f, k, logits);
        const float mx = *std::max_element(logits.begin(), logits.end());
        float z = 0;
        for (auto& l : logits) z += (l = std::exp(l - mx));
        for (size_t c = 0; c < k; ++c) {
          // d(CE)/d(logit_c) = softmax_c − 1{c = y}
          const float g = logits[c] / z - (int32_t(c) == train.labels[order[j]] ? 1.0f : 0.0f);
          gb[c] += g;
          float* row = gw.data() + c * size_t(f);
          for (int64_t i = 0; i < f; ++i) row[i] += g * x[i];
        }
      }
      const float scale = lr / float(end - start);
      for (size_t i = 0; i < w.size(); ++i) w[i] -= scale * gw[i] + lr * opt.l2 * w[i];
      for (size_t c = 0; c < k; ++c) b[c] -= scale * gb[c];
    }
  }
  return {accuracy(train, w, b, k), accuracy(test, w, b, k)};
}

}  // namespace slimlab::data
