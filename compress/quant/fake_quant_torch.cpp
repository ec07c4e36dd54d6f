#include "compress/quant/fake_quant.h"

#include <stdexcept>

#include "slimrt/fixed_point.h"

namespace slimlab::compress::quant {

namespace fx = slimrt::fixed;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

namespace {

class FakeQuantFunction : public torch::autograd::Function<FakeQuantFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, int64_t word_length, int64_t fl,
                               bool stochastic, bool plain_ste) {
    const torch::Tensor in = x.detach().to(torch::kFloat32).contiguous();
    torch::Tensor out = torch::empty_like(in);
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const int64_t n = in.numel();
    const int wl = int(word_length), f = int(fl);
    if (stochastic) {
      const torch::Tensor u = torch::rand({n}, torch::kFloat64);
      const double* ud = u.data_ptr<double>();
      for (int64_t i = 0; i < n; ++i) dst[i] = float(fx::dequantize(fx::quantize_stochastic(src[i], ud[i], wl, f), f));
    } else {
      for (int64_t i = 0; i < n; ++i) dst[i] = fx::fake_quantize(src[i], wl, f);
    }
    if (!plain_ste) {
      // Inside the range [qmin·ε, qmax·ε]: the STE passes the gradient; saturated: zero.
      const double lo = fx::dequantize(fx::qmin(wl), f), hi = fx::dequantize(fx::qmax(wl), f);
      ctx->save_for_backward({(in >= lo).logical_and(in <= hi)});
    }
    ctx->saved_data["plain"] = plain_ste;
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad) {
    torch::Tensor g = grad[0];
    if (!ctx->saved_data["plain"].toBool()) g = g * ctx->get_saved_variables()[0].to(g.dtype());
    return {g, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor fake_quantize(const torch::Tensor& x, const FakeQuantOptions& opt) {
  if (!fx::valid_format(opt.word_length, opt.fl))
    throw std::invalid_argument("fake_quantize: ⟨WL " + std::to_string(opt.word_length) + ", FL " +
                                std::to_string(opt.fl) + "⟩ is outside word lengths 2..16 / FL −16..30");
  return FakeQuantFunction::apply(x, opt.word_length, opt.fl, opt.stochastic, opt.plain_ste);
}

int fractional_bits_of(const torch::Tensor& x, int word_length) {
  const double m = x.numel() ? x.detach().abs().max().item<double>() : 0.0;
  return fx::fractional_bits_for_range(m, word_length);
}

}  // namespace slimlab::compress::quant
