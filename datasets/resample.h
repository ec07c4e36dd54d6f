#pragma once
// Sample-rate conversion and down-mixing for audio clips.
//
// resample() is band-limited interpolation with a Kaiser-windowed sinc:
//   y[n] = Σ_k x[k] · s·h(s·(t_n − k)),   t_n = n·from/to,
//   h(u) = sinc(u) · I0(β·√(1 − (u/Z)²)) / I0(β)  for |u| ≤ Z, else 0,
// with Z = 64 zero crossings per side, β = 8.6 (≈ 85 dB stopband) and
// s = 0.96·min(1, to/from), i.e. a low-pass cut-off (−6 dB) at 96 % of the
// lower of the two Nyquist frequencies. The transition band then runs from
// ≈ 92 % to ≈ 100 % of that Nyquist: a tone at 3.5 kHz survives 16 → 8 kHz
// untouched, and anything above 4 kHz is attenuated by ~85 dB instead of
// aliasing into the band. Samples outside the clip count as zeros.
//
// When both rates are whole numbers with a small ratio L/M (to/from reduced,
// L ≤ 1024, e.g. 44100 → 8000 is 80/441) the L filter phases are tabulated
// once per call (polyphase); otherwise each output sample's taps are
// interpolated from a fine table of h. Equal rates return the input unchanged.
//
// Both functions call slimrt's front end (slimrt/frontend.h: resample, mix_to_mono),
// the one implementation the device runs too.
#include <vector>

namespace slimlab::data {

// Resamples a mono signal from from_hz to to_hz; the output has
// ceil(n · to / from) samples. Throws std::invalid_argument for a rate that is
// not positive and finite.
std::vector<float> resample(const std::vector<float>& mono, double from_hz, double to_hz);

// Averages the channels of interleaved frames (frames × channels) into one.
// Throws std::invalid_argument when channels ≤ 0 or the size is not a multiple.
std::vector<float> mix_to_mono(const std::vector<float>& interleaved, int channels);

}  // namespace slimlab::data
