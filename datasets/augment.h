#pragma once
// Seeded training-time data augmentation, the way the papers that use it describe it:
//
//   images  random crop with zero padding (= a translation by up to ±crop_padding
//           pixels, zero fill) and a horizontal flip with probability 1/2;
//   audio   time shift (circular or zero fill) on the raw clip or on feature frames;
//           background-noise mixing at a given SNR (noise clips from a folder of WAVs,
//           else white noise; the SNR is computed from the example's own power);
//           SpecAugment time and frequency masks (Park et al. 2019);
//   HAR     jitter, per-channel scaling, a random 3-D rotation of the sensor frame
//           applied to every xyz triplet, time warping (Um et al. 2017);
//   any     additive Gaussian noise on the normalised values.
//
// Every draw comes from a SplitMix64 stream seeded by (seed, epoch, index) only, so
// the augmented example does not depend on the loader's workers, the batch it lands
// in or the order examples are fetched in. Transforms that need physical units
// (noise mixing, scaling, rotation) undo the data's normalisation first (the global
// one, or the example's subject's when dataset.normalize_per_group is on) and redo it
// after. Torch-free: the torch adapter (torch_dataset.h) calls Augmenter::apply.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "datasets/audio_features.h"
#include "datasets/normalize.h"
#include "datasets/types.h"

namespace slimlab::data {

struct DatasetConfig;
struct PreparedData;

// What augmentation must know about the stored samples. Filled from the prepared
// data by augment_layout(); `known` = false means "not filled" (then only the image
// and Gaussian-noise options can be used).
struct AugmentLayout {
  bool known = false;
  Modality modality = Modality::kVision;
  std::vector<std::string> channel_names;  // HAR raw windows: the channel of each row of [C, W]
  std::string har_features = "raw";        // "raw" | "deepsense"
  AudioFeatureOptions audio;               // audio: the features' type, rate, hop, …
  Normalization normalization;             // what every stored value went through ("" = none)
  // dataset.normalize_per_group: the normalisation of each group (index of the
  // training split's group_names), in the units of the unnormalised data.
  std::vector<Normalization> group_normalization;
};

// The [augment] table of an experiment (docs/AUGMENTATION.md). Zero / false = off.
struct AugmentOptions {
  // Images [C, H, W]
  int max_shift = 0;             // augment.crop_padding: pad by k pixels, crop back at a random offset
  bool horizontal_flip = false;  // augment.horizontal_flip (not for digits!)
  // Any modality
  double noise_std = 0.0;  // augment.gaussian_noise: additive N(0, σ²) on the normalised values
  // Audio
  double time_shift_ms = 0.0;            // augment.time_shift_ms: shift by up to ± this many ms
  std::string time_shift_mode = "zero";  // augment.time_shift_mode: "zero" | "circular"
  double noise_prob = 0.0;               // augment.noise_prob: probability that an example gets background noise
  double noise_snr_db = 10.0;            // augment.noise_snr_db: its signal-to-noise ratio
  std::string noise_dir;                 // augment.noise_dir: WAV folder ("" = white noise)
  int freq_masks = 0, freq_mask_width = 8;   // augment.freq_masks / freq_mask_width (F)
  int time_masks = 0, time_mask_width = 10;  // augment.time_masks / time_mask_width (T, frames)
  // HAR raw windows [C, W]
  double jitter_sigma = 0.0;      // augment.jitter_sigma (in each channel's standard deviations)
  double scale_sigma = 0.0;       // augment.scale_sigma: per-channel factor ~ N(1, σ²)
  double rotation_degrees = 0.0;  // augment.rotation_degrees: random axis, angle uniform in ±this
  double time_warp_sigma = 0.0;   // augment.time_warp_sigma: knot speeds ~ N(1, σ²)
  int time_warp_knots = 4;        // augment.time_warp_knots

  // Filled by the runner from the prepared data (augment_layout), not by the user.
  AugmentLayout layout;

  bool image_ops() const { return max_shift > 0 || horizontal_flip; }
  bool audio_ops() const { return time_shift_ms > 0 || noise_prob > 0 || freq_masks > 0 || time_masks > 0; }
  bool har_ops() const {
    return jitter_sigma > 0 || scale_sigma > 0 || rotation_degrees > 0 || time_warp_sigma > 0;
  }
  bool enabled() const { return image_ops() || audio_ops() || har_ops() || noise_std > 0; }
  // "augment.key=value" lines of every option that is on (for a checkpoint's resume check).
  std::string describe() const;
};

// Every option that does not apply to data of this kind, as (experiment key, why).
// `channel_names` null: not known yet (the config check); then the xyz-triplet check is skipped.
std::vector<std::pair<std::string, std::string>> augment_problems(const AugmentOptions& o, Modality m,
                                                                  const std::string& har_features,
                                                                  const std::string& audio_features,
                                                                  const std::vector<std::string>* channel_names);

// The first channel of every consecutive (P…x, P…y, P…z) triple of channel names
// (acc_x acc_y acc_z, total_acc_x …): the 3-D sensors a rotation turns.
std::vector<int> xyz_triplets(const std::vector<std::string>& channel_names);

// The layout of prepared data made with `config` (for AugmentOptions::layout).
AugmentLayout augment_layout(const DatasetConfig& config, const PreparedData& data);

// Noise clips at one rate, mono (read once per folder and rate, shared).
struct NoiseBank {
  std::vector<std::vector<float>> clips;
  std::vector<std::string> files;
};
// Every *.wav under `dir` (recursively, sorted by path), mixed to mono and resampled to
// rate_hz. std::invalid_argument naming augment.noise_dir (and the file) on failure.
std::shared_ptr<const NoiseBank> load_noise_bank(const std::string& dir, double rate_hz);

class Augmenter {
 public:
  // Checks the options against the layout and sample shape (std::invalid_argument
  // naming the key) and loads the noise folder.
  Augmenter(AugmentOptions options, std::vector<int64_t> sample_shape);

  bool enabled() const { return o_.enabled(); }
  const AugmentOptions& options() const { return o_; }
  // out = src augmented for (seed, epoch, index); `group` picks the per-group
  // normalisation (-1: none). src and out must not overlap.
  void apply(const float* src, float* out, uint64_t seed, int64_t epoch, size_t index, int32_t group) const;

 private:
  const Normalization* normalization_for(int32_t group) const;
  void apply_images(uint64_t& state, const float* src, float* out) const;
  void apply_audio(uint64_t state, float* x, const Normalization* norm) const;
  void apply_har(uint64_t state, float* x, const Normalization* norm) const;
  void mix_noise(uint64_t& state, float* x, const Normalization* norm) const;

  AugmentOptions o_;
  std::vector<int64_t> shape_;
  std::vector<int> triplets_;
  std::shared_ptr<const NoiseBank> noise_;
  std::shared_ptr<const AudioFeatureExtractor> features_;  // log-mel noise: its mel power
};

}  // namespace slimlab::data
