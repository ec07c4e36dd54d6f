#include "datasets/torch_dataset.h"

#include <algorithm>
#include <stdexcept>

namespace slimlab::data {

namespace {
const std::vector<int64_t>& shape_of(const std::shared_ptr<const ArraySet>& set) {
  if (!set) throw std::invalid_argument("ArrayDataset: null set");
  return set->sample_shape;
}
}  // namespace

ArrayDataset::ArrayDataset(std::shared_ptr<const ArraySet> set, AugmentOptions augment, uint64_t seed)
    : set_(std::move(set)), augment_(std::move(augment), shape_of(set_)), seed_(seed) {}

void ArrayDataset::fill(size_t index, float* out) const {
  const int64_t n = set_->sample_numel();
  const float* src = set_->sample(index);
  if (!augment_.enabled()) {
    std::copy(src, src + n, out);
    return;
  }
  const int32_t group = index < set_->groups.size() ? set_->groups[index] : -1;
  augment_.apply(src, out, seed_, epoch_, index, group);
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
