#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "datasets/errors.h"
#include "datasets/har_formats.h"
#include "test_util.h"

using namespace slimlab::data;
using namespace slimlab::test;

namespace {

const char* kHeader = "Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt\n";
constexpr int64_t kT0 = 1424696631913248572;  // a real Creation_Time (ns)

// The signal is linear in time, so linear interpolation reproduces it exactly.
double sig_x(double s) { return 1.0 + 2.0 * s; }
double sig_y(double s) { return -s; }

std::string row(int index, double ms, const char* user, const char* model, const char* device, const char* gt) {
  const int64_t t = kT0 + int64_t(ms * 1e6);
  const double s = ms / 1000.0;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%d,%lld,%lld,%.9g,%.9g,%.9g,%s,%s,%s,%s\n", index,
                (long long)(1424696633908 + int64_t(ms)), (long long)t, sig_x(s), sig_y(s), 9.80665, user, model,
                device, gt);
  return buf;
}

// Lines: 1 header; 2–9 run of (a, nexus4_1, stand), arrival order ≠ creation order,
// with a null row at 6 and a 1.3 s gap before line 8; 10–12 (b, s3mini_1, walk);
// 13–14 (a, nexus4_1, stand) again after a different key.
std::string small_csv() {
  std::string s = kHeader;
  s += row(0, 0, "a", "nexus4", "nexus4_1", "stand");        // 2
  s += row(1, 7, "a", "nexus4", "nexus4_1", "stand");        // 3
  s += row(2, 19, "a", "nexus4", "nexus4_1", "stand");       // 4
  s += row(3, 13, "a", "nexus4", "nexus4_1", "stand");       // 5 (earlier than line 4)
  s += row(4, 100, "a", "nexus4", "nexus4_1", "null");       // 6 dropped
  s += row(5, 200, "a", "nexus4", "nexus4_1", "stand");      // 7
  s += row(6, 1500, "a", "nexus4", "nexus4_1", "stand");     // 8 new recording (gap 1.3 s)
  s += row(7, 1590, "a", "nexus4", "nexus4_1", "stand");     // 9
  s += row(8, 0, "b", "s3mini", "s3mini_1", "walk");         // 10
  s += row(9, 5, "b", "s3mini", "s3mini_1", "walk");         // 11
  s += row(10, 61, "b", "s3mini", "s3mini_1", "walk");       // 12
  s += row(11, 3000, "a", "nexus4", "nexus4_1", "stand");    // 13
  s += row(12, 3050, "a", "nexus4", "nexus4_1", "stand");    // 14
  return s;
}

}  // namespace

TEST(Hhar, RunsAreSortedSplitAndResampled) {
  TempDir tmp;
  const auto csv = tmp / "Phones_accelerometer.csv";
  write_text(csv, small_csv());
  const RecordingSet set = load_hhar(csv);
  EXPECT_EQ(set.class_names,
            (std::vector<std::string>{"bike", "sit", "stairsdown", "stairsup", "stand", "walk"}));
  EXPECT_EQ(set.channel_names, (std::vector<std::string>{"acc_x", "acc_y", "acc_z"}));
  ASSERT_EQ(set.recordings.size(), 4u);

  struct Expect {
    int64_t frames;
    int label;
    const char* group;
    const char* source;
    double start_ms;
  };
  const Expect want[4] = {
      {11, 4, "a", "Phones_accelerometer.csv:2-7", 0},     // 0..200 ms at 50 Hz → 11 frames
      {5, 4, "a", "Phones_accelerometer.csv:8-9", 1500},   // 0..90 ms → 5 frames
      {4, 5, "b", "Phones_accelerometer.csv:10-12", 0},    // 0..61 ms → 4 frames
      {3, 4, "a", "Phones_accelerometer.csv:13-14", 3000}, // 0..50 ms → 3 frames
  };
  for (size_t i = 0; i < 4; ++i) {
    const Recording& r = set.recordings[i];
    EXPECT_EQ(r.frames(), want[i].frames) << i;
    EXPECT_EQ(r.label, want[i].label) << i;
    EXPECT_EQ(r.group, want[i].group) << i;
    EXPECT_EQ(r.source, want[i].source) << i;
    EXPECT_EQ(r.rate_hz, 50.0);
    for (int64_t k = 0; k < r.frames(); ++k) {
      const double s = (want[i].start_ms + 20.0 * double(k)) / 1000.0;
      EXPECT_NEAR(r.at(k, 0), sig_x(s), 1e-4) << i << " frame " << k;
      EXPECT_NEAR(r.at(k, 1), sig_y(s), 1e-4) << i << " frame " << k;
      EXPECT_NEAR(r.at(k, 2), 9.80665, 1e-5);
    }
  }
  EXPECT_EQ(detect_har_format(csv), "hhar");
}

TEST(Hhar, OtherRatesAndGyroscopeFiles) {
  TempDir tmp;
  const auto csv = tmp / "Watch_gyroscope.csv";
  write_text(csv, small_csv());
  const RecordingSet set = load_hhar(csv, 100);
  EXPECT_EQ(set.channel_names, (std::vector<std::string>{"gyro_x", "gyro_y", "gyro_z"}));
  ASSERT_EQ(set.recordings.size(), 4u);
  EXPECT_EQ(set.recordings[0].frames(), 21);
  EXPECT_EQ(set.recordings[0].rate_hz, 100.0);
  EXPECT_NEAR(set.recordings[0].at(1, 0), sig_x(0.010), 1e-4);  // between the rows at 7 and 13 ms
  EXPECT_THROW(load_hhar(csv, 0), std::invalid_argument);
}

TEST(Hhar, HeaderMismatchNamesFileAndLine) {
  TempDir tmp;
  const auto csv = tmp / "Phones_accelerometer.csv";
  write_text(csv, "Index,Arrival_Time,Creation_Time,x,y,z,User,Model,gt\n" + small_csv().substr(strlen(kHeader)));
  expect_data_error([&] { load_hhar(csv); }, {"Phones_accelerometer.csv:1:", "header"});
  write_text(csv, "");
  expect_data_error([&] { load_hhar(csv); }, {"Phones_accelerometer.csv:1:"});
}

TEST(Hhar, BadRowsNameFileAndLine) {
  TempDir tmp;
  const auto csv = tmp / "Phones_accelerometer.csv";
  std::string text = small_csv();
  write_text(csv, text + "13,1424696633908,1424696631913248572,1.0,2.0,a,nexus4,nexus4_1,stand\n");
  expect_data_error([&] { load_hhar(csv); }, {"Phones_accelerometer.csv:15:", "10 fields", "found 9"});
  write_text(csv, text + "13,1424696633908,1424696631913248572,1.0,two,3.0,a,nexus4,nexus4_1,stand\n");
  expect_data_error([&] { load_hhar(csv); }, {"Phones_accelerometer.csv:15:", "non-numeric y", "two"});
  write_text(csv, text + "13,1424696633908,14246966319132e8572,1.0,2.0,3.0,a,nexus4,nexus4_1,stand\n");
  expect_data_error([&] { load_hhar(csv); }, {"Phones_accelerometer.csv:15:", "Creation_Time"});
  write_text(csv, text + "13,1424696633908,1424696631913248572,1.0,2.0,3.0,a,nexus4,nexus4_1,jump\n");
  expect_data_error([&] { load_hhar(csv); }, {"Phones_accelerometer.csv:15:", "unknown activity", "jump"});
  write_text(csv, text + "13,1424696633908,1424696631913248572,1.0,2.0,3.0,,nexus4,nexus4_1,walk\n");
  expect_data_error([&] { load_hhar(csv); }, {"Phones_accelerometer.csv:15:", "missing User"});
}

TEST(Hhar, OnlyNullRowsIsAnError) {
  TempDir tmp;
  const auto csv = tmp / "Phones_accelerometer.csv";
  write_text(csv, std::string(kHeader) + row(0, 0, "a", "nexus4", "nexus4_1", "null"));
  expect_data_error([&] { load_hhar(csv); }, {"Phones_accelerometer.csv", "no labelled rows"});
}

TEST(HarFormats, DetectFormat) {
  TempDir tmp;
  write_text(tmp / "Phones_gyroscope.csv", small_csv());
  EXPECT_EQ(detect_har_format(tmp / "Phones_gyroscope.csv"), "hhar");
  write_text(tmp / "raw.txt", "\n33,Jogging,49105962326000,-0.6946377,12.680544,0.50395286;\n");
  EXPECT_EQ(detect_har_format(tmp / "raw.txt"), "wisdm");
  write_text(tmp / "notes.txt", "x,y,z\n1,2,3\n");
  EXPECT_EQ(detect_har_format(tmp / "notes.txt"), "");
  write_text(tmp / "empty.txt", "");
  EXPECT_EQ(detect_har_format(tmp / "empty.txt"), "");
  EXPECT_EQ(detect_har_format(tmp / "missing"), "");
  EXPECT_EQ(detect_har_format(tmp.path()), "");  // a folder of loose files
}
