// The [augment] table and dataset.normalize_per_group in experiment files: parsed
// into TrainConfig::augment, written back by to_toml, and an option that does not
// apply to the dataset's modality / input layout is an error at its line.
#include <gtest/gtest.h>

#include "experiments/experiment.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::exp;

namespace {

std::vector<std::string> issues_of(const std::string& text) {
  try {
    parse_experiment(text, "x.toml");
  } catch (const ConfigError& e) {
    std::vector<std::string> out;
    for (const auto& i : e.issues()) out.push_back(i.str());
    return out;
  }
  return {};
}

bool has(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

// An experiment on `source` with model `model`, extra [dataset] lines and the [augment] lines given.
Experiment with_augment(const std::string& source, const std::string& dataset_extra, const std::string& model,
                        const std::string& augment) {
  return parse_experiment("[dataset]\nsource = \"" + source + "\"\n" + dataset_extra + "[model]\nname = \"" + model +
                              "\"\n[augment]\n" + augment,
                          "x.toml");
}

}  // namespace

TEST(AugmentConfig, HarKeysAreParsedAndRoundTrip) {
  const Experiment e = with_augment("synthetic:har", "normalize_per_group = true\n", "cnn1d",
                                    "jitter_sigma = 0.05\nscale_sigma = 0.1\nrotation_degrees = 180\n"
                                    "time_warp_sigma = 0.2\ntime_warp_knots = 6\n");
  const auto& a = e.train.augment;
  EXPECT_DOUBLE_EQ(a.jitter_sigma, 0.05);
  EXPECT_DOUBLE_EQ(a.scale_sigma, 0.1);
  EXPECT_DOUBLE_EQ(a.rotation_degrees, 180);
  EXPECT_DOUBLE_EQ(a.time_warp_sigma, 0.2);
  EXPECT_EQ(a.time_warp_knots, 6);
  EXPECT_TRUE(e.dataset.normalize_per_group);
  EXPECT_EQ(e.lines.at("augment.rotation_degrees"), 9);
  const Experiment back = parse_experiment(e.toml_text, "back.toml");
  EXPECT_EQ(back.train.augment.describe(), a.describe());
  EXPECT_TRUE(back.dataset.normalize_per_group);
  EXPECT_NE(e.toml_text.find("[augment]"), std::string::npos);
}

TEST(AugmentConfig, AudioAndImageKeysAreParsed) {
  const Experiment e = with_augment("synthetic:audio", "", "audio_cnn",
                                    "time_shift_ms = 100\ntime_shift_mode = \"circular\"\nnoise_prob = 0.5\n"
                                    "noise_snr_db = 5\nfreq_masks = 2\nfreq_mask_width = 6\ntime_masks = 2\n"
                                    "time_mask_width = 12\n");
  const auto& a = e.train.augment;
  EXPECT_DOUBLE_EQ(a.time_shift_ms, 100);
  EXPECT_EQ(a.time_shift_mode, "circular");
  EXPECT_DOUBLE_EQ(a.noise_prob, 0.5);
  EXPECT_DOUBLE_EQ(a.noise_snr_db, 5);
  EXPECT_EQ(a.freq_masks, 2);
  EXPECT_EQ(a.freq_mask_width, 6);
  EXPECT_EQ(a.time_masks, 2);
  EXPECT_EQ(a.time_mask_width, 12);
  const Experiment img =
      with_augment("synthetic:vision", "", "lenet5", "crop_padding = 4\nhorizontal_flip = true\ngaussian_noise = 0.01\n");
  EXPECT_EQ(img.train.augment.max_shift, 4);
  EXPECT_TRUE(img.train.augment.horizontal_flip);
  EXPECT_DOUBLE_EQ(img.train.augment.noise_std, 0.01);
}

TEST(AugmentConfig, AnOptionForAnotherModalityIsAnErrorAtItsLine) {
  const auto har_on_audio = issues_of(
      "[dataset]\nsource = \"synthetic:audio\"\n[model]\nname = \"audio_cnn\"\n[augment]\nrotation_degrees = 30\n"
      "crop_padding = 2\n");
  EXPECT_TRUE(has(har_on_audio, "x.toml:6: augment.rotation_degrees: applies to HAR (inertial) windows; the dataset "
                                "is audio data"))
      << ::testing::PrintToString(har_on_audio);
  EXPECT_TRUE(has(har_on_audio, "x.toml:7: augment.crop_padding: applies to images"));
  const auto audio_on_har =
      issues_of("[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n[augment]\nfreq_masks = 2\n");
  EXPECT_TRUE(has(audio_on_har, "x.toml:6: augment.freq_masks: applies to audio; the dataset is har data"))
      << ::testing::PrintToString(audio_on_har);
}

TEST(AugmentConfig, AnOptionThatDoesNotFitTheInputLayoutIsAnError) {
  struct Case {
    std::string dataset, model, augment, expected;
  };
  const std::vector<Case> cases = {
      {"source = \"synthetic:har\"\nhar_features = \"deepsense\"", "deepsense", "time_warp_sigma = 0.2",
       "x.toml:7: augment.time_warp_sigma: needs raw windows [C, W]"},
      {"source = \"synthetic:audio\"\naudio_features = \"raw\"", "deepear_dnn", "time_masks = 1",
       "x.toml:7: augment.time_masks: SpecAugment masks need spectrogram features"},
      {"source = \"synthetic:audio\"\naudio_features = \"mfcc\"", "deepear_dnn", "noise_prob = 1",
       "x.toml:7: augment.noise_prob: noise mixing needs"},
      {"source = \"synthetic:audio\"", "audio_cnn", "noise_dir = \"/nonexistent/noise\"",
       "x.toml:6: augment.noise_dir: '/nonexistent/noise' is not a folder"},
      {"source = \"synthetic:audio\"", "audio_cnn", "noise_dir = \"/nonexistent/noise\"",
       "augment.noise_dir: is set but augment.noise_prob is 0"},
  };
  for (const Case& c : cases) {
    const auto issues = issues_of("[dataset]\n" + c.dataset + "\n[model]\nname = \"" + c.model + "\"\n[augment]\n" +
                                  c.augment + "\n");
    EXPECT_TRUE(has(issues, c.expected)) << c.expected << "\n" << ::testing::PrintToString(issues);
  }
}

TEST(AugmentConfig, RangesAndChoicesAreChecked) {
  const auto bad = issues_of(
      "[dataset]\nsource = \"synthetic:audio\"\n[model]\nname = \"audio_cnn\"\n[augment]\nnoise_prob = 1.5\n"
      "time_shift_mode = \"wrap\"\n");
  EXPECT_TRUE(has(bad, "x.toml:6: augment.noise_prob: 1.5 is out of range [0, 1]")) << ::testing::PrintToString(bad);
  EXPECT_TRUE(has(bad, "x.toml:7: augment.time_shift_mode: 'wrap' is not one of: zero, circular"));
  const auto typo = issues_of(
      "[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n[augment]\njiter_sigma = 0.1\n");
  EXPECT_TRUE(has(typo, "augment.jiter_sigma: unknown key (did you mean 'jitter_sigma'"))
      << ::testing::PrintToString(typo);
  // An override reaches the same checks.
  try {
    parse_experiment("[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n", "x.toml",
                     {"augment.freq_masks=2"});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.issues().at(0).key, "augment.freq_masks");
  }
}
