#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "datasets/errors.h"
#include "datasets/har_formats.h"
#include "expect_error.h"
#include "test_util.h"

using namespace slimlab::data;
using slimlab::test::expect_data_error;
using slimlab::test::TempDir;
using slimlab::test::write_text;
namespace fs = std::filesystem;

namespace {

// File stems in the loader's documented channel order.
const char* const kSignals[9] = {"total_acc_x", "total_acc_y", "total_acc_z", "body_gyro_x", "body_gyro_y",
                                 "body_gyro_z", "body_acc_x",  "body_acc_y",  "body_acc_z"};
const char* const kActivities = "1 WALKING\n2 WALKING_UPSTAIRS\n3 WALKING_DOWNSTAIRS\n4 SITTING\n5 STANDING\n6 LAYING\n";

// Value of channel c, frame k in window w of a split (distinct everywhere, some negative).
double value(int split, int w, int c, int k) { return (split ? -1 : 1) * (0.5 + w) + 0.01 * c - 0.0003 * k; }

// The real files print each number like "%15.7e" with a three-digit exponent
// (" 1.0180000e+000 -1.2345670e-003"), two spaces before a positive number.
std::string uci_number(double v) {
  char mant[32];
  int e = v == 0 ? 0 : int(std::floor(std::log10(std::fabs(v))));
  double m = v / std::pow(10.0, e);
  std::snprintf(mant, sizeof mant, "%.7f", m);
  if (std::fabs(std::atof(mant)) >= 10) {  // rounding carried into a new digit
    ++e;
    std::snprintf(mant, sizeof mant, "%.7f", v / std::pow(10.0, e));
  }
  char out[48];
  std::snprintf(out, sizeof out, "%s%se%c%03d", v < 0 ? " " : "  ", mant, e < 0 ? '-' : '+', std::abs(e));
  return out;
}

// Writes one split of a UCI HAR tree with the given labels and subjects.
void write_split(const fs::path& root, const std::string& split, int split_id, const std::vector<int>& labels,
                 const std::vector<int>& subjects) {
  std::string y, s;
  for (int l : labels) y += std::to_string(l) + "\n";
  for (int v : subjects) s += std::to_string(v) + "\n";
  write_text(root / split / ("y_" + split + ".txt"), y);
  write_text(root / split / ("subject_" + split + ".txt"), s);
  for (int c = 0; c < 9; ++c) {
    std::string text;
    for (size_t w = 0; w < labels.size(); ++w) {
      for (int k = 0; k < 128; ++k) text += uci_number(value(split_id, int(w), c, k));
      text += "\n";
    }
    write_text(root / split / "Inertial Signals" / (std::string(kSignals[c]) + "_" + split + ".txt"), text);
  }
}

void write_uci(const fs::path& root) {
  write_text(root / "activity_labels.txt", kActivities);
  write_split(root, "train", 0, {5, 5, 1}, {1, 1, 3});
  write_split(root, "test", 1, {6, 2}, {2, 4});
}

fs::path signal_file(const fs::path& root, const std::string& split, int c) {
  return root / split / "Inertial Signals" / (std::string(kSignals[c]) + "_" + split + ".txt");
}

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST(UciHar, NumberFormatMatchesTheRealFiles) {
  EXPECT_EQ(uci_number(1.018), "  1.0180000e+000");
  EXPECT_EQ(uci_number(-0.0012345670), " -1.2345670e-003");
}

TEST(UciHar, LoadsTrainWindowsWithChannelOrder) {
  TempDir tmp;
  write_uci(tmp.path());
  const RecordingSet set = load_uci_har(tmp.path(), "train");
  EXPECT_EQ(set.class_names, (std::vector<std::string>{"WALKING", "WALKING_UPSTAIRS", "WALKING_DOWNSTAIRS",
                                                       "SITTING", "STANDING", "LAYING"}));
  ASSERT_EQ(set.channel_names.size(), 9u);
  for (int c = 0; c < 9; ++c) EXPECT_EQ(set.channel_names[size_t(c)], kSignals[c]);
  ASSERT_EQ(set.recordings.size(), 3u);
  const int labels[3] = {4, 4, 0};
  const char* groups[3] = {"subject1", "subject1", "subject3"};
  for (int w = 0; w < 3; ++w) {
    const Recording& r = set.recordings[size_t(w)];
    EXPECT_EQ(r.channels, 9);
    EXPECT_EQ(r.frames(), 128);
    EXPECT_EQ(r.rate_hz, 50.0);
    EXPECT_EQ(r.label, labels[w]);
    EXPECT_EQ(r.group, groups[w]);
    EXPECT_NE(r.source.find("train"), std::string::npos);
    for (int c = 0; c < 9; ++c)
      for (int k : {0, 1, 64, 127}) EXPECT_NEAR(r.at(k, c), value(0, w, c, k), 1e-6) << w << " " << c << " " << k;
  }
  EXPECT_EQ(detect_har_format(tmp.path()), "uci_har");
}

TEST(UciHar, AllIsTrainThenTest) {
  TempDir tmp;
  write_uci(tmp / "UCI HAR Dataset");
  // The parent folder of "UCI HAR Dataset" is accepted too.
  const RecordingSet set = load_uci_har(tmp.path(), "all");
  ASSERT_EQ(set.recordings.size(), 5u);
  EXPECT_EQ(set.recordings[3].label, 5);
  EXPECT_EQ(set.recordings[3].group, "subject2");
  EXPECT_EQ(set.recordings[4].label, 1);
  EXPECT_NEAR(set.recordings[4].at(10, 8), value(1, 1, 8, 10), 1e-6);
  EXPECT_EQ(load_uci_har(tmp.path(), "test").recordings.size(), 2u);
  EXPECT_EQ(detect_har_format(tmp.path()), "uci_har");
  EXPECT_THROW(load_uci_har(tmp.path(), "validation"), std::invalid_argument);
}

TEST(UciHar, WrongValueCountNamesFileAndLine) {
  TempDir tmp;
  write_uci(tmp.path());
  const fs::path f = signal_file(tmp.path(), "train", 4);
  std::string text = read_all(f);
  // Drop the last number of line 2.
  const size_t l1 = text.find('\n'), l2 = text.find('\n', l1 + 1);
  const size_t cut = text.rfind("  ", l2 - 1);
  text.erase(cut, l2 - cut);
  write_text(f, text);
  expect_data_error([&] { load_uci_har(tmp.path(), "train"); }, {"body_gyro_y_train.txt:2:", "128", "127"});
}

TEST(UciHar, NonNumericValueNamesFileAndLine) {
  TempDir tmp;
  write_uci(tmp.path());
  const fs::path f = signal_file(tmp.path(), "test", 0);
  std::string text = read_all(f);
  text.replace(text.find('\n') + 3, 3, "abc");
  write_text(f, text);
  expect_data_error([&] { load_uci_har(tmp.path(), "test"); }, {"total_acc_x_test.txt:2:", "non-numeric"});
}

// A label outside activity_labels.txt, or one subject line too many: the error names the file.
TEST(UciHar, BadLabelOrSubjectFileIsNamed) {
  struct Case {
    std::string file, text;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {"y_train.txt", "5\n5\n7\n", {"y_train.txt:3:", "label 7"}},
      {"subject_train.txt", "1\n1\n3\n3\n", {"subject_train.txt", "4 lines"}},
  };
  for (const Case& c : cases) {
    TempDir tmp;
    write_uci(tmp.path());
    write_text(tmp / "train" / c.file, c.text);
    expect_data_error([&] { load_uci_har(tmp.path(), "train"); }, c.parts);
  }
}

TEST(UciHar, LineCountMismatchNamesFile) {
  TempDir tmp;
  write_uci(tmp.path());
  // A signal file with one window less than y_train.txt.
  const fs::path f = signal_file(tmp.path(), "train", 8);
  std::string text = read_all(f);
  text.erase(text.rfind('\n', text.size() - 2) + 1);
  write_text(f, text);
  expect_data_error([&] { load_uci_har(tmp.path(), "train"); }, {"body_acc_z_train.txt", "2 lines", "3"});
}

TEST(UciHar, MissingFileIsNamed) {
  TempDir tmp;
  write_uci(tmp.path());
  fs::remove(signal_file(tmp.path(), "train", 3));
  expect_data_error([&] { load_uci_har(tmp.path(), "train"); }, {"body_gyro_x_train.txt"});
  fs::remove(tmp / "activity_labels.txt");
  expect_data_error([&] { load_uci_har(tmp.path(), "train"); }, {"activity_labels.txt"});
}

TEST(UciHar, BadActivityLabelsLineIsNamed) {
  TempDir tmp;
  write_uci(tmp.path());
  write_text(tmp / "activity_labels.txt", "1 WALKING\nWALKING_UPSTAIRS\n");
  expect_data_error([&] { load_uci_har(tmp.path(), "train"); }, {"activity_labels.txt:2:"});
}
