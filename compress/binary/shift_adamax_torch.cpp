#include "compress/binary/shift_adamax.h"

#include <cmath>

#include "compress/binary/binarize.h"

namespace slimlab::compress::binary {

namespace {

double ap2(double x) { return x == 0 ? 0.0 : std::copysign(std::exp2(std::round(std::log2(std::fabs(x)))), x); }

}  // namespace

ShiftAdamax::ShiftAdamax(std::vector<torch::Tensor> params, ShiftAdamaxOptions options)
    : torch::optim::Optimizer({torch::optim::OptimizerParamGroup(std::move(params))},
                              std::make_unique<ShiftAdamaxOptions>(options)) {
  for (const torch::Tensor& p : param_groups()[0].params()) {
    m_.push_back(torch::zeros_like(p));
    v_.push_back(torch::zeros_like(p));
  }
}

torch::Tensor ShiftAdamax::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable(true);
    loss = closure();
  }
  ++t_;
  auto& group = param_groups()[0];
  const auto& o = static_cast<const ShiftAdamaxOptions&>(group.options());
  const double step_size = ap2(o.lr() / (1.0 - std::pow(o.beta1(), double(t_))));
  auto& params = group.params();
  for (size_t i = 0; i < params.size(); ++i) {
    torch::Tensor& p = params[i];
    if (!p.grad().defined()) continue;
    const torch::Tensor g = p.grad();
    m_[i].mul_(o.beta1()).add_(g, 1.0 - o.beta1());
    v_[i] = torch::max(v_[i] * o.beta2(), g.abs());
    const torch::Tensor inv = shift_round(1.0 / (v_[i] + o.eps()));
    p.sub_(m_[i] * inv * step_size);
  }
  return loss;
}

void ShiftAdamax::save(torch::serialize::OutputArchive& archive) const {
  archive.write("t", torch::tensor(t_));
  for (size_t i = 0; i < m_.size(); ++i) {
    archive.write("m" + std::to_string(i), m_[i]);
    archive.write("v" + std::to_string(i), v_[i]);
  }
}

void ShiftAdamax::load(torch::serialize::InputArchive& archive) {
  torch::Tensor t;
  archive.read("t", t);
  t_ = t.item<int64_t>();
  for (size_t i = 0; i < m_.size(); ++i) {
    archive.read("m" + std::to_string(i), m_[i]);
    archive.read("v" + std::to_string(i), v_[i]);
  }
}

}  // namespace slimlab::compress::binary
