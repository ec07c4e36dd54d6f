#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "datasets/errors.h"
#include "datasets/har_formats.h"
#include "expect_error.h"
#include "test_util.h"

using namespace slimlab::data;
using namespace slimlab::test;

namespace {

const char* kTrial = "Accelerometer-2011-03-24-10-24-39-walk-f1.txt";

// A tiny valid HMP tree: two classes, three trials, a _MODEL folder and loose files.
void write_small_hmp(const std::filesystem::path& root) {
  write_text(root / "Walk" / kTrial, "0 63 31\n32 47 40\n");
  write_text(root / "Walk" / "Accelerometer-2011-03-25-10-00-00-walk-m2.txt", "10 20 30\n");
  write_text(root / "Sitdown_chair" / "Accelerometer-2011-03-24-11-00-00-sitdown_chair-f1.txt",
             "1 2 3\r\n4 5 6\r\n7 8 9\r\n");
  write_text(root / "Walk_MODEL" / "mean.txt", "not a trial\n");
  write_text(root / "MANUAL.txt", "manual\n");
}

}  // namespace

TEST(Hmp, RealDatasetCountsAndValues) {
  SLIMLAB_REQUIRE_DATASET("hmp/Walk");
  const auto dir = slimlab::test::shared_datasets() / "hmp";
  const RecordingSet set = load_hmp(dir);
  EXPECT_EQ(set.modality, Modality::kHar);
  ASSERT_EQ(set.recordings.size(), 839u);
  ASSERT_EQ(set.class_names.size(), 14u);
  EXPECT_EQ(set.channel_names, (std::vector<std::string>{"acc_x", "acc_y", "acc_z"}));

  const std::map<std::string, int> expected = {
      {"Brush_teeth", 12},   {"Climb_stairs", 102},  {"Comb_hair", 31},      {"Descend_stairs", 42},
      {"Drink_glass", 100},  {"Eat_meat", 5},        {"Eat_soup", 3},        {"Getup_bed", 101},
      {"Liedown_bed", 28},   {"Pour_water", 100},    {"Sitdown_chair", 100}, {"Standup_chair", 102},
      {"Use_telephone", 13}, {"Walk", 100}};
  std::map<std::string, int> counts;
  std::set<std::string> groups;
  int64_t frames = 0;
  float lo = 1e9f, hi = -1e9f;
  for (const Recording& r : set.recordings) {
    ASSERT_GE(r.label, 0);
    ASSERT_LT(r.label, 14);
    ++counts[set.class_names[size_t(r.label)]];
    groups.insert(r.group);
    EXPECT_EQ(r.channels, 3);
    EXPECT_EQ(r.rate_hz, 32.0);
    EXPECT_GT(r.frames(), 0);
    frames += r.frames();
    for (float v : r.samples) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  EXPECT_EQ(counts, expected);
  EXPECT_EQ(groups.size(), 16u);  // 11 male + 5 female volunteers (MANUAL.txt §5.1)
  EXPECT_TRUE(groups.count("f1") && groups.count("m11"));
  EXPECT_EQ(frames, 446529);  // total lines over all trials
  EXPECT_GE(lo, -1.5f);
  EXPECT_LE(hi, 1.5f);
  EXPECT_FLOAT_EQ(lo, -1.5f);  // the coded range is used to its ends
  EXPECT_FLOAT_EQ(hi, 1.5f);

  // First trial of Walk, first line "32 47 40".
  const auto it = std::find_if(set.recordings.begin(), set.recordings.end(), [](const Recording& r) {
    return r.source == "Walk/Accelerometer-2011-03-24-09-51-07-walk-f1.txt";
  });
  ASSERT_NE(it, set.recordings.end());
  EXPECT_EQ(it->group, "f1");
  EXPECT_NEAR(it->at(0, 0), -1.5 + 32 / 63.0 * 3, 1e-6);
  EXPECT_NEAR(it->at(0, 1), -1.5 + 47 / 63.0 * 3, 1e-6);
  EXPECT_NEAR(it->at(0, 2), -1.5 + 40 / 63.0 * 3, 1e-6);
  EXPECT_EQ(detect_har_format(dir), "hmp");
}

TEST(Hmp, SmallTreeLoadsAndSkipsModelFolders) {
  TempDir tmp;
  write_small_hmp(tmp.path());
  const RecordingSet set = load_hmp(tmp.path());
  ASSERT_EQ(set.class_names, (std::vector<std::string>{"Sitdown_chair", "Walk"}));
  ASSERT_EQ(set.recordings.size(), 3u);
  const Recording& sit = set.recordings[0];
  EXPECT_EQ(sit.label, 0);
  EXPECT_EQ(sit.frames(), 3);  // CRLF lines
  EXPECT_NEAR(sit.at(2, 2), -1.5 + 9 / 63.0 * 3, 1e-6);
  const Recording& walk = set.recordings[1];
  EXPECT_EQ(walk.label, 1);
  EXPECT_EQ(walk.group, "f1");
  EXPECT_EQ(walk.frames(), 2);
  EXPECT_FLOAT_EQ(walk.at(0, 0), -1.5f);
  EXPECT_FLOAT_EQ(walk.at(0, 1), 1.5f);
  EXPECT_EQ(set.recordings[2].group, "m2");
  EXPECT_EQ(detect_har_format(tmp.path()), "hmp");
}

// A trial file with bad content: the error names the file, the line and the value.
TEST(Hmp, BadTrialContentNamesFileAndLine) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"1 2 3\n4 five 6\n", {kTrial, ":2:", "five"}},
      {"1 2 3\n4 5 6\n7 64 9\n", {kTrial, ":3:", "64", "0–63"}},  // out of range
      {"-1 2 3\n", {kTrial, ":1:", "-1"}},
      {"1 2 3\n4 5\n", {kTrial, ":2:", "3 values"}},  // wrong value count
      {"", {kTrial, "no samples"}},
  };
  for (const auto& [text, parts] : cases) {
    SCOPED_TRACE(text);
    TempDir tmp;
    write_small_hmp(tmp.path());
    write_text(tmp / "Walk" / kTrial, text);
    expect_data_error([&] { load_hmp(tmp.path()); }, parts);
  }
}

TEST(Hmp, EmptyClassFolderIsAnError) {
  TempDir tmp;
  write_small_hmp(tmp.path());
  std::filesystem::create_directories(tmp / "Comb_hair");
  expect_data_error([&] { load_hmp(tmp.path()); }, {"Comb_hair", "empty class folder"});
}

TEST(Hmp, BadFileNameIsAnError) {
  TempDir tmp;
  write_small_hmp(tmp.path());
  write_text(tmp / "Walk" / "walk-trial-7.txt", "1 2 3\n");
  expect_data_error([&] { load_hmp(tmp.path()); }, {"walk-trial-7.txt", "does not match"});
}

TEST(Hmp, MissingDirectoryIsAnError) {
  TempDir tmp;
  expect_data_error([&] { load_hmp(tmp / "nope"); }, {"nope"});
  expect_data_error([&] { load_hmp(tmp.path()); }, {"no class folders"});
}
