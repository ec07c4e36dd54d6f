#pragma once
// The LibTorch side of the data library: an ArraySet as a torch::data dataset,
// with seeded augmentation (datasets/augment.h). Only the trainer includes this header.
#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "datasets/augment.h"
#include "datasets/types.h"

namespace slimlab::data {

class ArrayDataset : public torch::data::datasets::Dataset<ArrayDataset> {
 public:
  // Throws std::invalid_argument naming the augment key that does not fit the set.
  explicit ArrayDataset(std::shared_ptr<const ArraySet> set, AugmentOptions augment = {}, uint64_t seed = 0);

  // One example: input of shape sample_shape (float32), target a scalar int64.
  torch::data::Example<> get(size_t index) override;
  torch::optional<size_t> size() const override { return set_->size(); }

  // A whole batch at once (one copy, no per-example tensors): inputs [B, ...], targets [B].
  torch::data::Example<> batch(const std::vector<size_t>& indices);

  // Augmentation draws depend on (seed, epoch, index) only, so they do not change
  // with the number of loader workers or the order samples are fetched in.
  void set_epoch(int64_t epoch) { epoch_ = epoch; }

  // All inputs / targets as tensors that share the ArraySet's memory (no augmentation).
  torch::Tensor inputs() const;
  torch::Tensor targets() const;

  const ArraySet& array_set() const { return *set_; }

 private:
  void fill(size_t index, float* out) const;

  std::shared_ptr<const ArraySet> set_;
  Augmenter augment_;
  uint64_t seed_;
  int64_t epoch_ = 0;
};

}  // namespace slimlab::data
