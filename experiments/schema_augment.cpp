// [augment]: seeded training-time augmentation (datasets/augment.h,
// docs/AUGMENTATION.md). Each key says the paper it comes from; whether it applies
// to the dataset is checked in experiments/experiment_check.cpp.
#include "experiments/schema_builder.h"

namespace slimlab::exp::schema_detail {

void add_augment_keys(Keys& k) {
  // Images.
  k.add({"augment.crop_padding", SLIMLAB_REF(train.augment.max_shift),
         "Images: pad by this many pixels (zeros) and crop back at a random offset (0 = off)"})
      .range(0, 1024)
      .alias({"crop", "random_crop", "max_shift", "shift"});
  k.add({"augment.horizontal_flip", SLIMLAB_REF(train.augment.horizontal_flip),
         "Images: flip left-right with probability 1/2 (not for digits or text)"})
      .alias({"flip", "hflip"});
  // Any modality.
  k.add({"augment.gaussian_noise", SLIMLAB_REF(train.augment.noise_std),
         "Any data: add N(0, σ²) to every normalised value (0 = off)"})
      .range(0, 100)
      .alias({"noise_std"});
  // Audio.
  k.add({"augment.time_shift_ms", SLIMLAB_REF(train.augment.time_shift_ms),
         "Audio: shift the clip (raw) or its feature frames by up to ± this many ms (0 = off)"})
      .range(0, 60000)
      .alias({"time_shift", "shift_ms"});
  k.add({"augment.time_shift_mode", SLIMLAB_REF(train.augment.time_shift_mode),
         "Audio time shift: zero (the shifted-in part is 0 in the normalised domain) or circular (wraps around)"})
      .one_of({"zero", "circular"});
  k.add({"augment.noise_prob", SLIMLAB_REF(train.augment.noise_prob),
         "Audio: probability that an example is mixed with background noise at augment.noise_snr_db (0 = off)"})
      .range(0, 1)
      .alias({"background_noise", "noise_probability"});
  k.add({"augment.noise_snr_db", SLIMLAB_REF(train.augment.noise_snr_db),
         "Audio: signal-to-noise ratio of the mix in dB, from the example's own power"})
      .range(-30, 60)
      .alias({"snr", "snr_db"});
  k.add({"augment.noise_dir", SLIMLAB_REF(train.augment.noise_dir),
         "Audio: folder of noise WAVs (e.g. Speech Commands' _background_noise_); \"\" = white noise"})
      .alias({"noise_folder", "background_noise_dir"});
  k.add({"augment.freq_masks", SLIMLAB_REF(train.augment.freq_masks),
         "Audio features: SpecAugment frequency masks per example (Park et al. 2019; 0 = off)"})
      .range(0, 100)
      .alias({"frequency_masks", "freq_mask"});
  k.add({"augment.freq_mask_width", SLIMLAB_REF(train.augment.freq_mask_width),
         "SpecAugment: a frequency mask covers 0 … this many bands (F)"})
      .range(1, 10000);
  k.add({"augment.time_masks", SLIMLAB_REF(train.augment.time_masks),
         "Audio features: SpecAugment time masks per example (Park et al. 2019; 0 = off)"})
      .range(0, 100)
      .alias({"time_mask"});
  k.add({"augment.time_mask_width", SLIMLAB_REF(train.augment.time_mask_width),
         "SpecAugment: a time mask covers 0 … this many frames (T)"})
      .range(1, 100000);
  // HAR (Um et al. 2017).
  k.add({"augment.jitter_sigma", SLIMLAB_REF(train.augment.jitter_sigma),
         "HAR: add N(0, σ²) to every value, σ in each channel's standard deviations (0 = off)"})
      .range(0, 10)
      .alias({"jitter"});
  k.add({"augment.scale_sigma", SLIMLAB_REF(train.augment.scale_sigma),
         "HAR: multiply each channel by a factor ~ N(1, σ²) (0 = off)"})
      .range(0, 10)
      .alias({"scaling", "scale"});
  k.add({"augment.rotation_degrees", SLIMLAB_REF(train.augment.rotation_degrees),
         "HAR: rotate every xyz sensor triplet by one random rotation (random axis, angle within ± this; 180 = "
         "any orientation; 0 = off)"})
      .range(0, 180)
      .alias({"rotation", "rotate"});
  k.add({"augment.time_warp_sigma", SLIMLAB_REF(train.augment.time_warp_sigma),
         "HAR: smooth random time warp, speeds ~ N(1, σ²) at augment.time_warp_knots knots (0 = off)"})
      .range(0, 2)
      .alias({"time_warp", "warp"});
  k.add({"augment.time_warp_knots", SLIMLAB_REF(train.augment.time_warp_knots),
         "HAR time warp: inner knots of the speed curve"})
      .range(1, 64);
}

#undef SLIMLAB_REF

}  // namespace slimlab::exp::schema_detail
