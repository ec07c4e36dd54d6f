#pragma once
// From variable-length HAR recordings to fixed-shape samples: resampling,
// sliding windows, and the DeepSense short-time Fourier features.
//
// Split on recordings BEFORE windowing (make_windows takes the recording
// indices of one split): overlapping windows of one recording must never land
// on both sides of a train/test split.
#include <string>
#include <vector>

#include "datasets/types.h"

namespace slimlab::data {

// Linear-interpolation resampling onto a uniform grid at `rate_hz`, starting at
// the recording's first frame: frame k of the result is the input at time
// k/rate_hz, for every k with k/rate_hz ≤ (n−1)/rate_in (no extrapolation past
// the last frame). Linear is cheap and adequate for low-rate inertial data whose
// motion content sits far below Nyquist; audio uses the band-limited resample()
// of resample.h instead. Returns the recording unchanged when the rates match.
// std::invalid_argument for a non-positive target rate; DataError (naming the
// source) for a recording without a valid rate.
Recording resample_linear(const Recording& rec, double rate_hz);

struct WindowOptions {
  double window_seconds = 2.0;
  double overlap = 0.5;  // fraction of a window shared with the next one, in [0, 1)
  double rate_hz = 0;    // 0: keep the native rate; else resample every recording to it first
  bool drop_short = true;  // a recording shorter than one window is dropped (counted in notes);
                           // if false it gives one zero-padded window
};

// Sliding windows over the recordings at `recording_indices` (indices into
// set.recordings, in the order given).
//   W   = round(window_seconds · rate)       samples per window
//   hop = max(1, round(W · (1 − overlap)))   samples between window starts
//   a recording of n ≥ W frames gives floor((n − W) / hop) + 1 windows (the tail
//   after the last full window is not used).
// sample_shape = {C, W}, channel-major inside a window (value [c·W + t] is
// channel c at frame t). Labels come from the recording; groups index
// group_names = the sorted distinct non-empty groups of the WHOLE set, so the
// windows of a train and a test split share group ids (-1 for a recording with
// no group). Errors: a channel count differing between recordings, or (with
// rate_hz = 0) a differing rate → DataError naming the recording's source;
// bad options or indices → std::invalid_argument. A summary line (W, hop,
// counts, dropped recordings) is appended to *notes when given.
ArraySet make_windows(const RecordingSet& set, const std::vector<size_t>& recording_indices,
                      const WindowOptions& opt, std::vector<std::string>* notes = nullptr);

struct DeepSenseOptions {
  int intervals = 20;       // T: intervals per window
  int fft_bins = 10;        // f: DFT bins kept per axis and interval (bins 0..f−1)
  int axes_per_sensor = 3;  // D: consecutive channels forming one sensor (acc = 0–2, gyro = 3–5, …)
};

// DeepSense input preprocessing (Yao et al., WWW 2017). Each {C, W} window is cut
// into T non-overlapping intervals of L = floor(W / T) samples (when W is not a
// multiple of T the last W − T·L samples are dropped). For each interval and
// channel, X[k] = Σ_t x[t]·e^{−2πikt/L} (rectangular window, no scaling), and
// bins k = 0..f−1 are kept as (Re, Im). Channels are grouped into S = C / D
// sensors of D axes each.
// Output sample_shape = {S, T, D·f·2}; inside the last axis the layout is
// [axis][bin][re/im]: index (d·f + k)·2 + {0 = Re, 1 = Im}.
// std::invalid_argument when windows are not {C, W}, L < 1, f < 1 or
// f > L/2 + 1, or C is not divisible by D.
ArraySet deepsense_features(const ArraySet& windows, const DeepSenseOptions& opt);

}  // namespace slimlab::data
