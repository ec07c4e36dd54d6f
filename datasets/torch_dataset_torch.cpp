#include "datasets/torch_dataset.h"

#include "datasets/seeding.h"

#include <cmath>
#include <stdexcept>

namespace slimlab::data {

namespace {
uint64_t mix(uint64_t x) { return splitmix64(x); }
// Uniform in [0, 1) from a 64-bit state.
double uniform(uint64_t& s) { return double((s = mix(s)) >> 11) * (1.0 / 9007199254740992.0); }
}  // namespace

ArrayDataset::ArrayDataset(std::shared_ptr<const ArraySet> set, AugmentOptions augment, uint64_t seed)
    : set_(std::move(set)), augment_(augment), seed_(seed) {
  if (!set_) throw std::invalid_argument("ArrayDataset: null set");
  if ((augment_.max_shift > 0 || augment_.horizontal_flip) && set_->sample_shape.size() != 3)
    throw std::invalid_argument("ArrayDataset: shift/flip augmentation needs image samples [C, H, W], got " +
                                shape_to_string(set_->sample_shape));
}

void ArrayDataset::fill(size_t index, float* out) const {
  const int64_t n = set_->sample_numel();
  const float* src = set_->sample(index);
  if (!augment_.enabled()) {
    std::copy(src, src + n, out);
    return;
  }
  uint64_t state = mix(seed_ ^ mix(uint64_t(epoch_) * 0x100000001B3ull ^ index));
  if (augment_.max_shift > 0 || augment_.horizontal_flip) {
    const int64_t c = set_->sample_shape[0], h = set_->sample_shape[1], w = set_->sample_shape[2];
    const int range = 2 * augment_.max_shift + 1;
    const int dy = augment_.max_shift > 0 ? int(uniform(state) * range) - augment_.max_shift : 0;
    const int dx = augment_.max_shift > 0 ? int(uniform(state) * range) - augment_.max_shift : 0;
    const bool flip = augment_.horizontal_flip && uniform(state) < 0.5;
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const int64_t sy = y - dy, sx0 = x - dx, sx = flip ? w - 1 - sx0 : sx0;
          out[(ch * h + y) * w + x] =
              (sy >= 0 && sy < h && sx >= 0 && sx < w) ? src[(ch * h + sy) * w + sx] : 0.0f;
        }
  } else {
    std::copy(src, src + n, out);
  }
  if (augment_.noise_std > 0) {
    for (int64_t i = 0; i < n; ++i) {
      // Box–Muller from two uniforms.
      const double u1 = std::max(uniform(state), 1e-300), u2 = uniform(state);
      out[i] += float(augment_.noise_std * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }
  }
}

torch::data::Example<> ArrayDataset::get(size_t index) {
  if (index >= set_->size()) throw std::out_of_range("ArrayDataset::get: index " + std::to_string(index));
  torch::Tensor x = torch::empty(set_->sample_shape, torch::kFloat32);
  fill(index, x.data_ptr<float>());
  return {x, torch::tensor(int64_t(set_->labels[index]), torch::kInt64)};
}

torch::data::Example<> ArrayDataset::batch(const std::vector<size_t>& indices) {
  std::vector<int64_t> shape{int64_t(indices.size())};
  shape.insert(shape.end(), set_->sample_shape.begin(), set_->sample_shape.end());
  torch::Tensor x = torch::empty(shape, torch::kFloat32);
  torch::Tensor y = torch::empty({int64_t(indices.size())}, torch::kInt64);
  const int64_t n = set_->sample_numel();
  float* xp = x.data_ptr<float>();
  int64_t* yp = y.data_ptr<int64_t>();
  for (size_t k = 0; k < indices.size(); ++k) {
    if (indices[k] >= set_->size()) throw std::out_of_range("ArrayDataset::batch: index out of range");
    fill(indices[k], xp + int64_t(k) * n);
    yp[k] = set_->labels[indices[k]];
  }
  return {x, y};
}

torch::Tensor ArrayDataset::inputs() const {
  std::vector<int64_t> shape{int64_t(set_->size())};
  shape.insert(shape.end(), set_->sample_shape.begin(), set_->sample_shape.end());
  // from_blob does not copy; the tensor is read-only in spirit and lives as long as the set.
  return torch::from_blob(const_cast<float*>(set_->values.data()), shape, torch::kFloat32);
}

torch::Tensor ArrayDataset::targets() const {
  return torch::tensor(std::vector<int64_t>(set_->labels.begin(), set_->labels.end()), torch::kInt64);
}

}  // namespace slimlab::data
