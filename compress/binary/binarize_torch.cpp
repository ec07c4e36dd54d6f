#include "compress/binary/binarize.h"

#include <cmath>
#include <stdexcept>

#include "slimrt/bitpack.h"

namespace slimlab::compress::binary {

namespace bits = slimrt::bits;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

namespace {

class BinarizeWeights : public torch::autograd::Function<BinarizeWeights> {
 public:
  static torch::Tensor forward(AutogradContext*, torch::Tensor w, double scale, bool stochastic) {
    const torch::Tensor in = w.detach().to(torch::kFloat32).contiguous();
    torch::Tensor out = torch::empty_like(in);
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const int64_t n = in.numel();
    const float h = float(scale);
    if (stochastic) {
      // +1 with probability hard_sigmoid(w/H): sign(p − u) for u ~ U[0, 1), so that
      // P(+1) = p exactly; the bit convention then maps it as the kernels do.
      const torch::Tensor u = torch::rand({n}, torch::kFloat32);
      const float* ud = u.data_ptr<float>();
      for (int64_t i = 0; i < n; ++i) {
        const float p = std::min(1.0f, std::max(0.0f, (src[i] / h + 1.0f) * 0.5f));
        dst[i] = h * bits::value_of_bit(bits::sign_bit(p > ud[i] ? 1.0f : -1.0f));
      }
    } else {
      for (int64_t i = 0; i < n; ++i) dst[i] = h * bits::value_of_bit(bits::sign_bit(src[i]));
    }
    return out;
  }
  static tensor_list backward(AutogradContext*, tensor_list grad) { return {grad[0], torch::Tensor(), torch::Tensor()}; }
};

class SignSte : public torch::autograd::Function<SignSte> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x) {
    const torch::Tensor in = x.detach().to(torch::kFloat32).contiguous();
    torch::Tensor out = torch::empty_like(in);
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    for (int64_t i = 0; i < in.numel(); ++i) dst[i] = bits::value_of_bit(bits::sign_bit(src[i]));
    ctx->save_for_backward({in.abs() <= 1.0});
    return out;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad) {
    return {grad[0] * ctx->get_saved_variables()[0].to(grad[0].dtype())};
  }
};

class ShiftRound : public torch::autograd::Function<ShiftRound> {
 public:
  static torch::Tensor forward(AutogradContext*, torch::Tensor x) {
    const torch::Tensor a = x.detach().abs();
    const torch::Tensor p = torch::pow(2.0, torch::round(torch::log2(a.clamp_min(1e-30))));
    return torch::where(a > 0, torch::sign(x.detach()) * p, torch::zeros_like(p));
  }
  static tensor_list backward(AutogradContext*, tensor_list grad) { return {grad[0]}; }
};

}  // namespace

torch::Tensor binarize_weights(const torch::Tensor& w, double scale, bool stochastic) {
  if (!(scale > 0) || !std::isfinite(scale))
    throw std::invalid_argument("binarize_weights: scale " + std::to_string(scale) + " must be positive");
  return BinarizeWeights::apply(w, scale, stochastic);
}

torch::Tensor sign_ste(const torch::Tensor& x) { return SignSte::apply(x); }

void clip_weights(torch::Tensor& w, double scale) {
  torch::NoGradGuard no_grad;
  w.clamp_(-scale, scale);
}

torch::Tensor shift_round(const torch::Tensor& x) { return ShiftRound::apply(x); }

}  // namespace slimlab::compress::binary
