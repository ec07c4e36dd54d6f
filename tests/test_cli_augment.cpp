// [augment] end to end: `slimlab train` with HAR and audio augmentation and
// per-subject normalisation trains, the augmentation reaches the training batches
// (the curve differs from a run without it) and reruns with the same seed are identical.
#include <gtest/gtest.h>

#include <sstream>

#include "test_util.h"

namespace fs = std::filesystem;
using slimlab::test::run_slimlab;

namespace {

// One column of curves.csv, by header name.
std::vector<std::string> column(const fs::path& csv, const std::string& name) {
  std::istringstream in(slimlab::test::read_text(csv));
  std::string line, cell;
  std::getline(in, line);
  std::istringstream header(line);
  int index = -1;
  for (int i = 0; std::getline(header, cell, ','); ++i)
    if (cell == name) index = i;
  std::vector<std::string> out;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    for (int i = 0; std::getline(row, cell, ','); ++i)
      if (i == index) out.push_back(cell);
  }
  return out;
}

std::string write_experiment(const slimlab::test::TempDir& dir, const std::string& name, const std::string& body) {
  const fs::path p = dir / (name + ".toml");
  slimlab::test::write_text(p, body);
  return p.string();
}

std::string common(const slimlab::test::TempDir& dir) {
  return " --set dataset.synthetic_scale=0.25 --set train.epochs=2 --set train.threads=1 --set dataset.cache_dir=" +
         (dir / "cache").string() + " --runs " + (dir / "runs").string() + " --quiet";
}

}  // namespace

TEST(CliAugment, HarAugmentationTrainsDeterministicallyAndChangesTheCurve) {
  slimlab::test::TempDir dir;
  const std::string file = write_experiment(dir, "har_aug",
                                            "[dataset]\nsource = \"synthetic:har\"\nnormalize_per_group = true\n"
                                            "[model]\nname = \"cnn1d\"\nconv_filters = 8\n"
                                            "[augment]\njitter_sigma = 0.05\nscale_sigma = 0.1\n"
                                            "rotation_degrees = 180\ntime_warp_sigma = 0.2\n");
  for (const char* id : {"a", "b"}) {
    const auto r = run_slimlab("train " + file + common(dir) + " --run-id " + id);
    ASSERT_EQ(r.code, 0) << r.out;
  }
  const auto plain = run_slimlab("train " + file + common(dir) +
                                 " --run-id plain --set augment.jitter_sigma=0 --set augment.scale_sigma=0"
                                 " --set augment.rotation_degrees=0 --set augment.time_warp_sigma=0");
  ASSERT_EQ(plain.code, 0) << plain.out;
  const fs::path runs = dir / "runs/har_aug";
  EXPECT_NE(slimlab::test::read_text(runs / "a/config.toml").find("rotation_degrees = 180.0"), std::string::npos);
  const auto a = column(runs / "a/curves.csv", "train_loss"), b = column(runs / "b/curves.csv", "train_loss"),
             p = column(runs / "plain/curves.csv", "train_loss");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b) << "same seed, same augmentation draws";
  EXPECT_NE(a, p) << "the augmentation reached the training batches";
}

TEST(CliAugment, AudioAugmentationTrains) {
  slimlab::test::TempDir dir;
  const std::string file = write_experiment(dir, "audio_aug",
                                            "[dataset]\nsource = \"synthetic:audio\"\nnormalize_per_group = true\n"
                                            "[model]\nname = \"audio_cnn\"\nwidth = 0.25\n"
                                            "[augment]\ntime_shift_ms = 100\nnoise_prob = 0.5\nnoise_snr_db = 10\n"
                                            "freq_masks = 1\ntime_masks = 1\n");
  const auto r = run_slimlab("train " + file + common(dir) + " --run-id a --set train.epochs=1");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(slimlab::test::read_text(dir / "runs/audio_aug/a/status"), "finished\n");
}

TEST(CliAugment, AnOptionForOtherDataStopsBeforeAnyWork) {
  slimlab::test::TempDir dir;
  const std::string file = write_experiment(dir, "bad", "[dataset]\nsource = \"synthetic:vision\"\n"
                                                        "[model]\nname = \"lenet5\"\n[augment]\ntime_masks = 2\n");
  const auto r = run_slimlab("train " + file + common(dir));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("bad.toml:6: augment.time_masks: applies to audio; the dataset is vision data"),
            std::string::npos)
      << r.out;
}
