#pragma once
// slimrt sensor front end: the feature extraction the workbench's datasets/ does
// before training, as kernels a device can run (library slimrt_frontend).
//
// Every stage is a pure function on raw pointers. A prepare_*() call checks the
// options (std::invalid_argument naming the option) and computes the tables it
// needs into a plan it owns; the per-frame / per-window calls take the plan and
// caller-provided scratch, never allocate and never throw.
//
// Definitions (each reproduces a datasets/ extractor; docs/SLIMRT.md "Sensor
// front end" gives the maths and the measured parity):
//   log-mel / MFCC   datasets/audio_features.{h,cpp}  (centre framing, periodic Hann,
//                    |X|², Slaney mel, ln(mel + 1e-6), orthonormal DCT-II)
//   DeepSense        datasets/har_windows.cpp deepsense_features ([S, T, D·f·2])
//   normalisation    datasets/normalize.cpp ((x − mean) · (1/std) along one axis)
//   linear resample  datasets/har_windows.cpp resample_linear
//   audio resample   datasets/resample.cpp (Kaiser-windowed sinc; the workbench calls this one)
//   image            datasets/image_folder.cpp decode + resize_into (u8 → /255, bilinear,
//                    pixel centres aligned), then the per-channel normalisation
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace slimrt::frontend {

// ---- discrete Fourier transforms -----------------------------------------------

// Real FFT of a power-of-two length n ≥ 2, computed as a complex radix-2 FFT of
// n/2 points z[j] = x[2j] + i·x[2j+1] followed by the split
//   X[k] = (Z[k] + conj Z[n/2−k])/2 + e^{−2πik/n}·(Z[k] − conj Z[n/2−k])/(2i).
struct RealFftPlan {
  int n = 0;
  std::vector<int32_t> bitrev;                // n/2 entries
  std::vector<float> stage_re, stage_im;      // stage joining halves of H: [H + j] = e^{−iπj/H}
  std::vector<float> split_re, split_im;      // e^{−2πik/n}, k = 0 .. n/2
};
RealFftPlan prepare_real_fft(int n);  // n a power of two in 2 .. 65536

// X[k] = Σ_t x[t]·e^{−2πikt/n}, k = 0 .. n/2 into re[k], im[k] (n/2 + 1 floats each;
// they are also the working memory). No scaling.
void real_fft(const RealFftPlan& plan, const float* x, float* re, float* im);

// Direct DFT of the first `bins` bins of a real signal of any length n ≥ 1: the
// fallback for lengths that are not a power of two (O(bins·n); angles reduced
// modulo n in integers so large k·t stay exact).
struct DftPlan {
  int n = 0, bins = 0;
  std::vector<float> cos_kt, sin_kt;  // [k·n + t] = cos / sin(−2π·((k·t) mod n)/n)
};
DftPlan prepare_dft(int n, int bins);
// Bin k to re[k·stride], im[k·stride] (stride 2 with im = re + 1 interleaves them).
void dft(const DftPlan& plan, const float* x, float* re, float* im, int64_t stride = 1);

// ---- log-mel spectrogram and MFCC ----------------------------------------------

struct LogMelOptions {
  double rate_hz = 8000;
  int64_t clip_samples = 8000;  // a longer clip is centre-cropped, a shorter one zero-padded at the end
  int n_fft = 256;
  int win_length = 200;
  int hop_length = 80;
  int n_mels = 40;
  int n_mfcc = 0;  // 0: log-mel features; else the first n_mfcc orthonormal DCT-II coefficients
  double fmin = 20;
  double fmax = 0;  // 0 = rate_hz / 2
};

struct LogMelPlan {
  LogMelOptions options;
  int bins = 0;            // n_fft/2 + 1
  int64_t frames = 0;      // 1 + (clip_samples + 2·(n_fft/2) − n_fft) / hop
  int win_offset = 0;      // (n_fft − win_length)/2: the window's first sample within a frame
  std::vector<float> window;  // periodic Hann, win_length values
  // Sparse Slaney filterbank: filter m weights bins mel_start[m] .. + mel_len[m]
  // with mel_weights[mel_offset[m] ..].
  std::vector<int32_t> mel_start, mel_len, mel_offset;
  std::vector<float> mel_weights;
  std::vector<float> dct;  // n_mfcc × n_mels
  RealFftPlan fft;         // n_fft a power of two, else
  DftPlan dft;             // the direct DFT fallback
  size_t scratch_floats = 0;  // working memory one column needs
  int features() const { return options.n_mfcc > 0 ? options.n_mfcc : options.n_mels; }
  int64_t numel() const { return int64_t(features()) * frames; }  // layout [features, frames]
};
// Throws std::invalid_argument "LogMelOptions.<name>: …" for options the
// workbench's AudioFeatureExtractor would refuse.
LogMelPlan prepare_log_mel(const LogMelOptions& options);

// Hann-windowed frame t of the clip x[0 .. valid) (zeros beyond it and before 0):
// frame[i] = x[t·hop − n_fft/2 + i]·w[i − win_offset] (0 outside the window), i < n_fft.
void frame_window(const LogMelPlan& plan, const float* x, int64_t valid, int64_t t, float* frame);
// |X[k]|², k = 0 .. n_fft/2, of a windowed frame; scratch: n_fft + 2 floats.
void power_spectrum(const LogMelPlan& plan, const float* frame, float* scratch, float* power);
// ln(Σ_b w_mb·power_b + 1e-6) for every mel band m, written to out[m·stride].
void log_mel(const LogMelPlan& plan, const float* power, float* out, int64_t stride);
// c_q = Σ_m dct[q][m]·logmel_m, written to out[q·stride].
void dct_ortho(const LogMelPlan& plan, const float* logmel, float* out, int64_t stride);

// One feature column (frame t): framing, power, mel, log (and DCT), written to
// out[f·stride], f < features(). scratch: plan.scratch_floats floats.
void feature_column(const LogMelPlan& plan, const float* x, int64_t valid, int64_t t, float* scratch, float* out,
                    int64_t stride);
// The whole clip x[0 .. n) → out [features, frames] (frame index fastest).
void log_mel_features(const LogMelPlan& plan, const float* x, int64_t n, float* scratch, float* out);

// ---- DeepSense per-interval DFT (inertial sensors) ------------------------------

struct DeepSenseOptions {
  int channels = 3;          // C, channel-major window {C, W}
  int window = 64;           // W samples
  int intervals = 20;        // T
  int fft_bins = 10;         // f (bins 0 .. f−1 kept)
  int axes_per_sensor = 3;   // D (C = S·D)
};
struct DeepSensePlan {
  DeepSenseOptions options;
  int interval = 0;  // L = W / T
  int sensors = 0;   // S
  DftPlan dft;       // L, f bins
  int64_t numel() const { return int64_t(sensors) * options.intervals * options.axes_per_sensor * options.fft_bins * 2; }
};
DeepSensePlan prepare_deepsense(const DeepSenseOptions& options);
// Window x {C, W} (value [c·W + t]) → out {S, T, D·f·2}, last axis [axis][bin][re, im].
void deepsense_features(const DeepSensePlan& plan, const float* x, float* out);

// ---- normalisation and resampling ----------------------------------------------

// The reciprocals the workbench multiplies by: inv_std[i] = 1.0f / stddev[i].
std::vector<float> prepare_normalization(const float* stddev, size_t n);
// x seen as [outer, extent, inner]: y = (x − mean[a])·inv_std[a] (in place allowed).
void normalize(const float* x, int64_t outer, int64_t extent, int64_t inner, const float* mean,
               const float* inv_std, float* y);

// Frames of the linear resampling of n frames from rate_in to rate_out: frame k
// is the input at time k/rate_out for every k with k/rate_out ≤ (n−1)/rate_in.
int64_t resample_linear_frames(int64_t n, double rate_in, double rate_out);
// x: n frames × channels interleaved → y: resample_linear_frames(n, …) frames.
void resample_linear(const float* x, int64_t n, int channels, double rate_in, double rate_out, float* y);
// Streaming form of resample_linear: frames (× channels, interleaved) in chunks of at
// most max_chunk; output frame k is written as soon as input frame ⌊k·step⌋ + 1 has
// arrived, finish() writes the last ones (interpolated towards the last frame itself,
// as resample_linear at the end). The outputs equal resample_linear over all frames
// pushed, bit for bit. The constructor allocates (throws std::invalid_argument for a
// bad rate, channel count or max_chunk); push() and finish() never do (y:
// max_output() frames).
class LinearStreamResampler {
 public:
  LinearStreamResampler(double rate_in, double rate_out, int channels, size_t max_chunk);
  size_t max_output() const { return max_output_; }  // frames
  size_t push(const float* x, size_t frames, float* y);  // returns the frames written
  size_t finish(float* y);
  void reset() { received_ = produced_ = 0; }

 private:
  double rate_in_ = 0, rate_out_ = 0, step_ = 1;
  int channels_ = 1;
  size_t max_chunk_ = 0, max_output_ = 0;
  std::vector<float> last_;  // input frame received_ − 1
  int64_t received_ = 0, produced_ = 0;
};

// ---- band-limited audio resampling and down-mixing (datasets/resample.h) ---------
//
// y[n] = Σ_k x[k]·s·h(s·(t_n − k)), t_n = n·from/to, h a Kaiser-windowed sinc with
// 64 zero crossings per side, β = 8.6, s = 0.96·min(1, to/from); samples outside the
// signal count as zeros; polyphase tables when to/from reduces to L/M with L ≤ 1024.
// The workbench's datasets/resample.cpp delegates here (one implementation).

// The filter of one rate pair: output i takes inputs first_tap(i) .. first_tap(i) + count − 1.
struct ResampleFilter {
  double from_hz = 0, to_hz = 0;
  double s = 1, step = 1;  // cut-off scale; from/to
  int half = 0, count = 0;
  int64_t L = 0, M = 0;    // to/from = L/M when polyphase (L > 0)
  std::vector<float> bank;  // L × count taps
  int64_t first_tap(int64_t i) const;
  // Output i's taps (the bank's phase, or interpolated into scratch: count floats).
  const float* taps(int64_t i, float* scratch) const;
};
ResampleFilter prepare_resample(double from_hz, double to_hz);  // throws as resample_frames

// Frames of the result: ceil(n·to/from) (n when the rates are equal, 0 for n = 0).
// Throws std::invalid_argument for a rate that is not positive and finite or a result
// over 2^31 frames.
int64_t resample_frames(int64_t n, double from_hz, double to_hz);
// x: n mono samples → y: resample_frames(n, …) samples. Builds its filter tables per
// call (allocates): a whole-recording step, not part of the per-window path.
void resample(const float* x, int64_t n, double from_hz, double to_hz, float* y);
// Streaming: mono samples in chunks of at most max_chunk; each output is written as
// soon as every input it takes has arrived, finish() writes the rest (the end padded
// with zeros). The outputs equal resample() over all samples pushed, bit for bit. The
// constructor allocates; push() and finish() never do (y: max_output() floats).
class StreamResampler {
 public:
  StreamResampler(double from_hz, double to_hz, size_t max_chunk);
  size_t max_output() const { return max_output_; }
  size_t push(const float* x, size_t n, float* y);  // returns the outputs written
  size_t finish(float* y);
  void reset();

 private:
  ResampleFilter filter_;
  size_t max_chunk_ = 0, max_output_ = 0;
  bool same_ = false;              // equal rates: copied through
  std::vector<float> buf_;         // inputs from start_ on (fewer than count + max_chunk)
  std::vector<float> scratch_;     // taps of an arbitrary ratio
  int64_t start_ = 0, received_ = 0, produced_ = 0;
};

// The workbench's limit for audio recordings: at most 16× upsampling (a header's rate
// is untrusted). Throws std::invalid_argument "sample rate 400 Hz is too low to resample
// to 8000 Hz (at most 16× upsampling; is it an audio recording?)" or for a bad rate.
constexpr double kMaxUpsampling = 16;
void check_audio_rates(double from_hz, double to_hz);
// Mean of the channels of each frame (float sum times 1/channels): frames × channels → frames.
void mix_to_mono(const float* x, int64_t frames, int channels, float* y);

// ---- images: u8 HWC → f32 CHW ----------------------------------------------------

struct ImageOptions {
  int src_width = 0, src_height = 0;
  int src_channels = 1;  // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (alpha dropped)
  int channels = 1;      // output channels: 1 (RGB → 0.299 R + 0.587 G + 0.114 B) or 3 (grey replicated)
  int width = 0, height = 0;  // output size (bilinear, pixel centres aligned, no antialiasing)
  std::vector<float> mean, stddev;  // per output channel; empty: values pixel/255
};
struct ImageTap {
  int32_t i0, i1;
  float f;
};
// Source positions for bilinear resampling with pixel centres aligned: destination
// pixel x covers source coordinate (x + 0.5)·src/dst − 0.5, clamped. The workbench's
// image loader (datasets/image_folder.cpp) resizes with these taps too.
std::vector<ImageTap> image_taps(int src, int dst);
struct ImagePlan {
  ImageOptions options;
  std::vector<ImageTap> tap_x, tap_y;
  std::vector<float> inv_std;
};
ImagePlan prepare_image(const ImageOptions& options);
// pixels (src_height × src_width × src_channels, row-major) → out [channels, height, width].
void image_features(const ImagePlan& plan, const uint8_t* pixels, float* out);

// ---- fixed-point log-mel / MFCC for integer-only targets ---------------------------
//
// Input int16 PCM (value q·2^−15, what the workbench's WAV reader gives for 16-bit
// files); no float in the per-frame path:
//   window      Q15 Hann; the frame x·w is int32 (value·2^30)
//   FFT         int32 complex radix-2 with block floating point: one exponent per
//               frame; before every stage the block is shifted right until its
//               largest component is < 2^29 (a butterfly grows a component by at
//               most 1 + √2, so nothing overflows int32) and at the start shifted
//               left up to [2^28, 2^29) to use the word; Q30 twiddles, int64 products
//   power       |X|² in uint64 (components < 2^31.3 after the split)
//   mel         power shifted to < 2^32 (per-frame exponent), weights uint16 at a
//               per-filterbank scale 2^S, uint64 accumulation
//   log         ln(E + 1e-6): E and the floor 1e-6 aligned on a common exponent and
//               added in integers, then log2 = position of the leading one +
//               log2(1 + m) from a 129-entry Q16 table with linear interpolation,
//               times ln 2 (Q30); kept in Q16
//   output      ⟨IL, FL⟩ with WL = IL + FL ≤ 16 bits, rounded to nearest, saturated;
//               MFCC: Q15 DCT matrix on the Q16 log-mels, int64 accumulation
// n_fft must be a power of two (no fixed-point direct DFT).
struct FixedLogMelPlan {
  LogMelPlan geometry;  // options, frames, filterbank extents
  int word_length = 16, frac_bits = 11;  // output ⟨IL, FL⟩, IL = word_length − frac_bits
  std::vector<int32_t> window_q15;
  std::vector<int32_t> stage_re, stage_im, split_re, split_im;  // Q30
  std::vector<uint16_t> mel_weights_q;  // geometry.mel_weights · 2^mel_scale
  int mel_scale = 0;
  std::vector<int32_t> dct_q15;  // n_mfcc × n_mels
  std::vector<int32_t> log2_q16;  // round(log2(1 + i/128)·2^16), i = 0 .. 128: the log table
  size_t scratch32 = 0, scratch64 = 0;  // int32 / uint64 words of working memory per call
};
// Constants of the per-frame path (the microcontroller port, deploy/mcu, reads them too).
inline constexpr int kFixedBlockBits = 29;                // components < 2^29 before a butterfly stage
inline constexpr int64_t kFixedLn2Q30 = 744261118;        // round(ln 2 · 2^30)
inline constexpr uint64_t kFixedFloorMantissa = 1099512;  // the floor 1e-6 ≈ 1099512 · 2^−40
inline constexpr int kFixedFloorExponent = -40;
// The int16 PCM sample of a float sample (a 16-bit WAV's value·2^15): nearest (ties to
// even), saturated — how the AudioFeatures op feeds the fixed-point front end.
inline int16_t pcm16(float x) {
  const float v = std::nearbyint(x * 32768.0f);
  return int16_t(v < -32768.0f ? -32768.0f : (v > 32767.0f ? 32767.0f : v));
}
// Throws std::invalid_argument for the options prepare_log_mel refuses, an n_fft that
// is not a power of two, or a format outside 2 ≤ word_length ≤ 16, 0 ≤ frac_bits < word_length.
FixedLogMelPlan prepare_fixed_log_mel(const LogMelOptions& options, int word_length, int frac_bits);
// x: n int16 samples (centre-cropped / zero-padded to clip_samples) → out [features, frames].
void fixed_log_mel_features(const FixedLogMelPlan& plan, const int16_t* x, int64_t n, int32_t* scratch32,
                            uint64_t* scratch64, int16_t* out);
void fixed_log_mel_features(const FixedLogMelPlan& plan, const int16_t* x, int64_t n, int32_t* scratch32,
                            uint64_t* scratch64, int8_t* out);
// Natural log of v·2^exponent (v > 0) in Q16, by the table above; exposed for tests.
int64_t fixed_ln_q16(uint64_t v, int exponent);

// ---- streaming ---------------------------------------------------------------------
//
// Raw samples in chunks of any size → one feature window every `hop` frames.
// Window w covers stream frames [w·hop, w·hop + window) and is emitted when its
// last frame arrives; its features equal, bit for bit, the whole-window kernels
// above on those frames (log_mel_features on a clip of `window` samples,
// deepsense_features on the de-interleaved {C, window} block).
//
// Reuse: a feature column (a log-mel/MFCC frame, a DeepSense interval) that lies
// wholly inside both windows depends only on the same stream samples, so when hop
// is a multiple of the column step (hop_length, or the interval L) column t of
// window w is column t + hop/step of window w − 1. Computed columns are kept in a
// ring (one slot per column that can be reused, tagged with its stream position)
// and copied instead of recomputed. Log-mel frames that touch the window's zero
// padding (the first and last ≈ n_fft/2/hop_length) are always recomputed.
//
// prepare (the make_* functions) allocates; push() never does.
class FeatureStream {
 public:
  // Mono audio; the window is options.clip_samples frames.
  static FeatureStream log_mel(const LogMelOptions& options, int64_t hop, bool reuse = true);
  // options.channels interleaved channels; the window is options.window frames.
  static FeatureStream deepsense(const DeepSenseOptions& options, int64_t hop, bool reuse = true);

  // Consumes frames from x (frames × channels, interleaved) up to n, stopping right
  // after a window completes; returns the frames consumed. Loop until all are used:
  //   while (n) { size_t k = s.push(x, n); x += k·C; n −= k; if (s.ready()) use(s.features()); }
  size_t push(const float* x, size_t frames);
  bool ready() const { return ready_; }
  const float* features() const { return features_.data(); }  // the last window's, [features layout]
  int64_t numel() const { return int64_t(features_.size()); }
  int channels() const { return channels_; }
  int64_t window() const { return window_; }
  int64_t hop() const { return hop_; }
  int64_t windows() const { return windows_; }                  // emitted so far
  int64_t columns_computed() const { return computed_; }
  int64_t columns_reused() const { return reused_; }
  void reset();  // forget the stream (keeps the plans and buffers)

 private:
  enum class Kind { kLogMel, kDeepSense };
  FeatureStream() = default;
  void init(int channels, int64_t window, int64_t hop, int64_t columns, int64_t step, int64_t column_size,
            bool reuse);
  void emit();
  void compute_column(int64_t t, float* column);
  void scatter_column(int64_t t, const float* column);
  bool reusable(int64_t t) const;

  Kind kind_ = Kind::kLogMel;
  LogMelPlan mel_;
  DeepSensePlan ds_;
  int channels_ = 1;
  int64_t window_ = 0, hop_ = 0;
  int64_t columns_ = 0, column_size_ = 0;
  int64_t shift_ = 0;              // hop / column step; 0 = no reuse
  int64_t first_inner_ = 0, last_inner_ = -1;  // columns wholly inside the window
  std::vector<float> ring_;        // the last `window_` frames, interleaved
  int64_t ring_pos_ = 0;           // next write, in frames
  int64_t total_ = 0;              // frames pushed since reset
  int64_t next_end_ = 0;           // total_ at which the next window completes
  std::vector<float> window_buf_;  // the window, linear (DeepSense: channel-major)
  std::vector<float> scratch_, column_;
  std::vector<float> cache_;       // (last_inner_ − first_inner_ + 1) slots × column_size_
  std::vector<int64_t> cache_tag_; // stream column index held by a slot, −1 = empty
  std::vector<float> features_;
  bool ready_ = false;
  int64_t windows_ = 0, computed_ = 0, reused_ = 0;
};

}  // namespace slimrt::frontend
