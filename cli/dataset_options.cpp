#include "cli/dataset_options.h"

namespace slimlab::cli {

void add_dataset_options(CLI::App& cmd, data::DatasetConfig& c) {
  const std::string pre = "Preprocessing";
  cmd.add_option("--subset", c.subset, "File split to read where the format ships one: train, test or all "
                                       "(MNIST default test; CIFAR-10, UCI HAR default all)")
      ->check(CLI::IsMember({"train", "test", "all"}))->group(pre);
  cmd.add_option("--synthetic-seed", c.synthetic_seed, "Seed of the synthetic generator")->group(pre);
  cmd.add_option("--synthetic-scale", c.synthetic_scale, "Multiply synthetic sample counts (e.g. 0.25 for a quick look)")
      ->check(CLI::Range(0.01, 100.0))->group(pre);
  // HAR
  cmd.add_option("--window", c.window.window_seconds, "HAR: window length in seconds")
      ->check(CLI::Range(0.05, 600.0))->capture_default_str()->group(pre);
  cmd.add_option("--overlap", c.window.overlap, "HAR: overlap of consecutive windows, in [0, 1)")
      ->check(CLI::Range(0.0, 0.99))->capture_default_str()->group(pre);
  cmd.add_option("--har-rate", c.window.rate_hz, "HAR: resample recordings to this rate first (0 keeps the native rate)")
      ->check(CLI::Range(0.0, 10000.0))->group(pre);
  cmd.add_option("--har-features", c.har_features, "HAR: raw windows [C, W] or DeepSense STFT [S, T, D·f·2]")
      ->check(CLI::IsMember({"raw", "deepsense"}))->capture_default_str()->group(pre);
  cmd.add_option("--deepsense-intervals", c.deepsense.intervals, "HAR DeepSense: intervals T per window")
      ->check(CLI::Range(1, 1000))->capture_default_str()->group(pre);
  cmd.add_option("--deepsense-bins", c.deepsense.fft_bins, "HAR DeepSense: FFT bins f kept per axis")
      ->check(CLI::Range(1, 1000))->capture_default_str()->group(pre);
  // Audio
  cmd.add_option("--audio-rate", c.audio.rate_hz, "Audio: sampling rate every clip is brought to")
      ->check(CLI::Range(1000.0, 192000.0))->capture_default_str()->group(pre);
  cmd.add_flag("--strict-audio", c.audio_strict,
               "Audio: a clip at another rate or with several channels is an error instead of being converted")
      ->group(pre);
  cmd.add_option("--audio-features", c.audio.type, "Audio: logmel, mfcc or raw")
      ->check(CLI::IsMember({"logmel", "mfcc", "raw"}))->capture_default_str()->group(pre);
  cmd.add_option("--clip-seconds", c.audio.clip_seconds, "Audio: clips are centre-cropped / zero-padded to this length")
      ->check(CLI::Range(0.05, 60.0))->capture_default_str()->group(pre);
  cmd.add_option("--n-mels", c.audio.n_mels, "Audio: mel bands")->check(CLI::Range(1, 512))->capture_default_str()->group(pre);
  cmd.add_option("--n-mfcc", c.audio.n_mfcc, "Audio: MFCC coefficients")->check(CLI::Range(1, 512))->capture_default_str()->group(pre);
  // Vision
  cmd.add_option("--image-size", c.image_size, "Image folders: resize to N×N (0 keeps the stored size)")
      ->check(CLI::Range(0, 4096))->group(pre);
  cmd.add_option("--channels", c.image_channels, "Image folders: 1 (grey) or 3 (RGB); 0 keeps the stored channels")
      ->check(CLI::IsMember({0, 1, 3}))->group(pre);
  // Splits
  const std::string sp = "Splits";
  cmd.add_option("--split", c.split, "auto (the split the source ships, else by subject/speaker for HAR and audio, stratified for images), given, group or stratified")
      ->check(CLI::IsMember({"auto", "given", "group", "stratified"}))->capture_default_str()->group(sp);
  cmd.add_option("--val", c.split_options.val_fraction, "Validation fraction (of samples, or of groups)")
      ->check(CLI::Range(0.0, 0.9))->capture_default_str()->group(sp);
  cmd.add_option("--test", c.split_options.test_fraction, "Test fraction (of samples, or of groups)")
      ->check(CLI::Range(0.0, 0.9))->capture_default_str()->group(sp);
  cmd.add_option("--split-seed", c.split_options.seed, "Seed of the split")->capture_default_str()->group(sp);
  cmd.add_option("--test-groups", c.split_options.test_groups, "Hold out exactly these subjects/speakers as the test split")
      ->delimiter(',')->group(sp);
  cmd.add_option("--val-groups", c.split_options.val_groups, "Use exactly these subjects/speakers as the validation split")
      ->delimiter(',')->group(sp);
  cmd.add_flag("!--no-normalize", c.normalize, "Keep raw values (default: standardise with training-split statistics)")
      ->group(sp);
}

}  // namespace slimlab::cli
