#pragma once
// Binarization for training (LibTorch): BinaryConnect weights (Courbariaux et al.
// 2015) and BNN signs (Hubara et al. 2016). The sign convention is slimrt's
// bit-packing one (bitpack.h: sign(0) = +1, x < 0 ↦ −1), so what is trained is what
// the packed kernels compute.
//
//   binarize_weights: w_b = H · b(w / H) with
//       deterministic b(v) = +1 if v ≥ 0 else −1,
//       stochastic    b(v) = +1 with probability σ(v) = clip((v + 1)/2, 0, 1), else −1;
//     gradient straight through (∂L/∂w := ∂L/∂w_b), as BinaryConnect updates the real
//     weights with the gradient of the binary ones. The real weights are kept and
//     clipped to [−H, H] (i.e. w/H ∈ [−1, 1]) after every update: clip_weights().
//     H = 1 is the paper's ±1; a per-layer H (mean |w| of the float weights when the
//     stage starts, by default) keeps a network without batch norm in range — one
//     multiplication per output at inference, everything else additions.
//   sign_ste: q = sign(r) with the straight-through estimator g_r = g_q · 1{|r| ≤ 1}.
//   shift_round (AP2): sign(x) · 2^round(log2 |x|) — shift-based BN / AdaMax.
#include <torch/torch.h>

namespace slimlab::compress::binary {

torch::Tensor binarize_weights(const torch::Tensor& w, double scale, bool stochastic);
torch::Tensor sign_ste(const torch::Tensor& x);
// Clamps w in place to [−scale, scale] (no gradient).
void clip_weights(torch::Tensor& w, double scale);
// AP2(x) = sign(x) · 2^round(log2 |x|) (0 stays 0), with a straight-through gradient.
torch::Tensor shift_round(const torch::Tensor& x);

}  // namespace slimlab::compress::binary
