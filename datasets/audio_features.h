#pragma once
// Fixed-size features for keyword / spoken-digit clips: log-mel spectrogram,
// MFCC, or the raw waveform.
//
// Every clip is first brought to clip_seconds·rate_hz samples: a longer clip is
// centre-cropped (the middle is kept: FSDD and Speech Commands clips have the
// word near the middle and silence at both ends), a shorter one is zero-padded
// at the end. The input must already be mono at rate_hz (load_audio_folder
// guarantees that).
//
// Log-mel, the maths:
//   framing   "center" framing as in librosa: the clip is zero-padded by
//             n_fft/2 on both sides (librosa ≥ 0.10's pad_mode="constant";
//             torchaudio and older librosa reflect instead, which changes only
//             the first and last frame or two) and frame t starts at t·hop, so
//             frames = 1 + (clip_samples + 2·(n_fft/2) − n_fft) / hop
//             (= 1 + clip_samples/hop for even n_fft: 101 for 1 s at 8 kHz).
//   window    periodic Hann of win_length samples, centred in the n_fft frame
//             (zeros around it), w[i] = 0.5 − 0.5·cos(2πi/win_length).
//   spectrum  power |X[k]|², k = 0 .. n_fft/2, of the windowed frame (no scaling).
//   mel       Slaney-style filterbank, identical to librosa.filters.mel(htk=False,
//             norm="slaney"): n_mels+2 points evenly spaced on the Slaney mel
//             scale (linear 200/3 Hz per mel below 1 kHz, logarithmic above)
//             from fmin to fmax, triangular filters between neighbours, each
//             scaled by 2/(f_right − f_left) so every filter has unit area.
//   log       natural log: logmel = ln(mel + 1e-6).
// MFCC = orthonormal DCT-II of the log-mel column, first n_mfcc coefficients:
//   c_q = α_q Σ_m logmel_m cos(π q (2m+1) / (2 n_mels)), α_0 = √(1/n_mels), α_q = √(2/n_mels),
// so c_0 = √n_mels · mean(logmel). (librosa.feature.mfcc uses 10·log10 instead
// of ln: its coefficients are ours × 10/ln 10.)
//
// Speed: the window, the sparse filterbank (each filter's first bin and its
// non-zero weights), the DCT matrix and the FFT twiddles are computed in the
// constructor. extract() is const and thread-safe: its only working memory is a
// thread_local scratch of a few n_fft-sized buffers, allocated the first time a
// thread uses an extractor of that size and reused afterwards. Use a power of
// two for n_fft: other lengths fall back to a direct DFT over the window.
#include <cstdint>
#include <string>
#include <vector>

namespace slimlab::data {

struct AudioFeatureOptions {
  std::string type = "logmel";  // "logmel" | "mfcc" | "raw"
  double rate_hz = 8000;
  double clip_seconds = 1.0;
  int n_fft = 256;
  int win_length = 200;  // 25 ms at 8 kHz
  int hop_length = 80;   // 10 ms
  int n_mels = 40;
  int n_mfcc = 13;
  double fmin = 20;
  double fmax = 0;  // 0 = rate_hz / 2
};

// Slaney mel scale (librosa htk=False), used by the filterbank; exposed for tests and plots.
double hz_to_mel_slaney(double hz);
double mel_to_hz_slaney(double mel);

class AudioFeatureExtractor {
 public:
  // Throws std::invalid_argument naming the option ("AudioFeatureOptions.n_mels …")
  // when n_fft < win_length, hop_length ≤ 0, n_mels > n_fft/2 + 1,
  // n_mfcc > n_mels, fmax > rate_hz/2, fmin ≥ fmax, an unknown type, or a
  // non-positive size / rate / duration.
  explicit AudioFeatureExtractor(const AudioFeatureOptions& options);

  const AudioFeatureOptions& options() const { return opt_; }
  int64_t clip_samples() const { return clip_samples_; }
  int64_t frames() const { return frames_; }  // 0 for "raw"

  // logmel {1, n_mels, frames}; mfcc {1, n_mfcc, frames}; raw {1, clip_samples}.
  // Row-major: the frame index runs fastest.
  std::vector<int64_t> feature_shape() const;
  int64_t feature_numel() const;

  // Features of mono[0 .. n) into out[0 .. feature_numel()).
  void extract(const float* mono, int64_t n, float* out) const;

  // The mel filterbank as a dense n_mels × (n_fft/2 + 1) matrix (for tests / plots).
  std::vector<float> mel_filterbank_dense() const;

 private:
  void frame_power(const float* clip_src, int64_t valid, int64_t t, float* frame, float* re, float* im,
                   float* power) const;
  void complex_fft_bitreversed(float* re, float* im, int h) const;

  AudioFeatureOptions opt_;
  enum class Kind { kLogMel, kMfcc, kRaw } kind_;
  int64_t clip_samples_ = 0, frames_ = 0;
  int bins_ = 0;        // n_fft/2 + 1
  int win_offset_ = 0;  // first non-zero sample of the window within the frame
  std::vector<float> window_;  // win_length values
  // Sparse filterbank: filter m covers bins mel_start_[m] .. + mel_len_[m], its
  // weights at mel_weights_[mel_offset_[m] ..].
  std::vector<int> mel_start_, mel_len_, mel_offset_;
  std::vector<float> mel_weights_;
  std::vector<float> dct_;  // n_mfcc × n_mels
  // Real FFT of length n_fft as a complex FFT of length n_fft/2 (power of two).
  bool fast_fft_ = false;
  std::vector<int> bitrev_;               // n_fft/2
  // Twiddles per butterfly stage, contiguous so the inner loop streams them:
  // the stage joining halves of length H uses tw_[H + j] = e^{-2πij/(2H)}, j < H.
  std::vector<float> tw_re_, tw_im_;
  std::vector<float> post_re_, post_im_;  // e^{-2πik/n_fft}, k ≤ n_fft/2
  // Direct DFT fallback over the window's support: cos/sin[k·win_length + i].
  std::vector<float> dft_cos_, dft_sin_;
};

}  // namespace slimlab::data
