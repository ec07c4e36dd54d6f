#pragma once
// Shift-based AdaMax (Hubara et al. 2016, Algorithm 4): AdaMax with the two
// multiplications of the update replaced by power-of-two approximations
// AP2(x) = sign(x)·2^round(log2|x|), i.e. bit shifts:
//   m ← β1·m + (1 − β1)·g,   v ← max(β2·v, |g|),
//   θ ← θ − AP2(α / (1 − β1^t)) · m · AP2(1 / (v + ε)).
#include <torch/torch.h>

#include <vector>

namespace slimlab::compress::binary {

struct ShiftAdamaxOptions : public torch::optim::OptimizerCloneableOptions<ShiftAdamaxOptions> {
  explicit ShiftAdamaxOptions(double lr = 2e-3) : lr_(lr) {}
  TORCH_ARG(double, lr);
  TORCH_ARG(double, beta1) = 0.9;
  TORCH_ARG(double, beta2) = 0.999;
  TORCH_ARG(double, eps) = 1e-8;
  double get_lr() const override { return lr_; }
  void set_lr(const double lr) override { lr_ = lr; }
};

class ShiftAdamax : public torch::optim::Optimizer {
 public:
  ShiftAdamax(std::vector<torch::Tensor> params, ShiftAdamaxOptions options);
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

 private:
  std::vector<torch::Tensor> m_, v_;
  int64_t t_ = 0;
};

}  // namespace slimlab::compress::binary
