#pragma once
// Fake quantization for training (LibTorch): values rounded onto the ⟨WL, FL⟩ grid
// and saturated with slimrt::fixed's own functions, element by element, so the
// training-time quantizer and the runtime kernels share one definition of rounding.
//
// Gradient (documented choice, docs/DESIGN-NOTES.md): the clipped straight-through
// estimator — the gradient passes unchanged where x lies inside the representable
// range [−2^(IL−1), 2^(IL−1) − 2^−FL] and is zero where the value saturated (a
// saturated output does not move when x moves). `plain_ste` passes it everywhere.
#include <torch/torch.h>

namespace slimlab::compress::quant {

struct FakeQuantOptions {
  int word_length = 8;
  int fl = 0;
  bool stochastic = false;  // stochastic rounding: ⌊x⌋ + ε with probability (x − ⌊x⌋)/ε (draws from LibTorch's RNG)
  bool plain_ste = false;   // gradient everywhere instead of only inside the range
};

// The fake-quantized tensor (same shape, float32, CPU), differentiable with the STE above.
torch::Tensor fake_quantize(const torch::Tensor& x, const FakeQuantOptions& opt);

// FL for a tensor from its current range (fractional_bits_for_range of max |x|).
int fractional_bits_of(const torch::Tensor& x, int word_length);

}  // namespace slimlab::compress::quant
