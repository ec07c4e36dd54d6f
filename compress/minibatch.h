#pragma once
// Mini-batches of an ArraySet addressed by iteration number, for the compression
// loops that step per iteration rather than per epoch (DeepIoT, DNS). Iteration i
// lies in epoch i / batches_per_epoch, whose order is data::seeded_shuffle of
// (seed, epoch): the batch of an iteration never depends on what ran before, so a
// loop resumed at iteration i sees exactly the batches an uninterrupted one would.
#include <torch/torch.h>

#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "datasets/split.h"
#include "datasets/types.h"
#include "train/model.h"

namespace slimlab::compress {

class MiniBatches {
 public:
  MiniBatches(const data::ArraySet& set, int64_t batch_size, uint64_t seed)
      : set_(set), batch_(std::max<int64_t>(1, batch_size)), seed_(seed) {
    shape_ = {0};
    shape_.insert(shape_.end(), set.sample_shape.begin(), set.sample_shape.end());
  }

  int64_t batches_per_epoch() const {
    return std::max<int64_t>(1, (int64_t(set_.size()) + batch_ - 1) / batch_);
  }

  // Inputs [B, ...sample] and int64 targets [B] of iteration `it` (0-based).
  std::pair<torch::Tensor, torch::Tensor> batch(int64_t it) {
    const int64_t per_epoch = batches_per_epoch();
    const int64_t epoch = it / per_epoch;
    if (epoch != epoch_) {
      order_.resize(set_.size());
      std::iota(order_.begin(), order_.end(), size_t(0));
      data::seeded_shuffle(order_, seed_ * 1000003ULL + uint64_t(epoch));
      epoch_ = epoch;
    }
    const size_t lo = size_t((it % per_epoch) * batch_);
    const size_t hi = std::min(set_.size(), lo + size_t(batch_));
    return gather(std::vector<size_t>(order_.begin() + long(lo), order_.begin() + long(hi)));
  }

  // The samples at `indices`, in that order.
  std::pair<torch::Tensor, torch::Tensor> gather(const std::vector<size_t>& indices) const {
    const int64_t n = set_.sample_numel();
    std::vector<int64_t> shape = shape_;
    shape[0] = int64_t(indices.size());
    torch::Tensor x = torch::empty(shape, torch::kFloat32);
    torch::Tensor y = torch::empty({int64_t(indices.size())}, torch::kInt64);
    float* xp = x.data_ptr<float>();
    int64_t* yp = y.data_ptr<int64_t>();
    for (size_t i = 0; i < indices.size(); ++i) {
      const float* src = set_.sample(indices[i]);
      std::copy(src, src + n, xp + int64_t(i) * n);
      yp[i] = set_.labels[indices[i]];
    }
    return {x, y};
  }

 private:
  const data::ArraySet& set_;
  int64_t batch_;
  uint64_t seed_;
  std::vector<int64_t> shape_;
  std::vector<size_t> order_;
  int64_t epoch_ = -1;
};

// Top-1 accuracy of `model` in eval mode (no gradient) on the first `limit` samples
// of `set` (0: all); the model's training flag is restored afterwards.
inline double accuracy(train::SlimModelImpl& model, const data::ArraySet& set, size_t limit = 0,
                       int64_t batch_size = 256) {
  const size_t n = limit == 0 ? set.size() : std::min(limit, set.size());
  if (n == 0) return 0.0;
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  MiniBatches view(set, batch_size, 0);
  int64_t correct = 0;
  for (size_t lo = 0; lo < n; lo += size_t(batch_size)) {
    std::vector<size_t> idx;
    for (size_t i = lo; i < std::min(n, lo + size_t(batch_size)); ++i) idx.push_back(i);
    auto [x, y] = view.gather(idx);
    correct += model.forward(x).argmax(1).eq(y).sum().item<int64_t>();
  }
  model.train(was_training);
  return double(correct) / double(n);
}

}  // namespace slimlab::compress
