#include <gtest/gtest.h>

#include "datasets/errors.h"
#include "datasets/har_formats.h"
#include "expect_error.h"
#include "test_util.h"

using namespace slimlab::data;
using slimlab::test::expect_data_error;
using slimlab::test::TempDir;
using slimlab::test::write_text;

namespace {

// Records as in WISDM_ar_v1.1_raw.txt (user,activity,timestamp[ns],x,y,z;), 50 ms apart.
const char* kFile =
    "33,Jogging,49105962326000,-0.6946377,12.680544,0.50395286;\n"    // 1  run A
    "33,Jogging,49106062271000,5.012288,11.264028,0.95342433;\n"      // 2
    "33,Jogging,0,4.903325,10.882658,-0.08172209;\n"                  // 3  zero timestamp: no split
    "33,Jogging,49106262389000,-0.61291564,18.496431,3.0237172;\n"    // 4
    "33,Walking,49106312389000,1.0,2.0,3.0;33,Walking,49106362389000,1.5,2.5,3.5;\n"  // 5  run B (two per line)
    "\n"                                                              // 6  blank
    "33,Walking,49106412389000,\n"                                    // 7  record cut by a newline …
    "2.0,3.0,4.0;\n"                                                  // 8  … continues here
    "33,Walking,49106000000000,0.1,0.2,0.3;\n"                        // 9  run C: timestamp goes back
    "33,Walking,49107500000000,0.4,0.5,0.6,;\n"                       // 10 run D: 1.5 s gap; trailing comma
    "17,Walking,1867172313000,4.4,4.4,4.4\n"                          // 11 run E: no ';' at the end of the line
    "17,Sitting,1867222313000,-0.3,9.6,0.8;\n";                       // 12 run F

}  // namespace

TEST(Wisdm, RunsSplitOnKeyBackwardsAndGaps) {
  TempDir tmp;
  const auto file = tmp / "WISDM_ar_v1.1_raw.txt";
  write_text(file, kFile);
  const RecordingSet set = load_wisdm(file);
  EXPECT_EQ(set.class_names, (std::vector<std::string>{"Jogging", "Sitting", "Walking"}));
  EXPECT_EQ(set.channel_names, (std::vector<std::string>{"acc_x", "acc_y", "acc_z"}));
  ASSERT_EQ(set.recordings.size(), 6u);
  const int64_t frames[6] = {4, 3, 1, 1, 1, 1};
  const int labels[6] = {0, 2, 2, 2, 2, 1};
  const char* groups[6] = {"33", "33", "33", "33", "17", "17"};
  const char* sources[6] = {"WISDM_ar_v1.1_raw.txt:1-4", "WISDM_ar_v1.1_raw.txt:5-8",
                            "WISDM_ar_v1.1_raw.txt:9-9", "WISDM_ar_v1.1_raw.txt:10-10",
                            "WISDM_ar_v1.1_raw.txt:11-11", "WISDM_ar_v1.1_raw.txt:12-12"};
  for (size_t i = 0; i < 6; ++i) {
    const Recording& r = set.recordings[i];
    EXPECT_EQ(r.frames(), frames[i]) << i;
    EXPECT_EQ(r.label, labels[i]) << i;
    EXPECT_EQ(r.group, groups[i]) << i;
    EXPECT_EQ(r.source, sources[i]) << i;
    EXPECT_EQ(r.rate_hz, 20.0);
    EXPECT_EQ(r.channels, 3);
  }
  EXPECT_FLOAT_EQ(set.recordings[0].at(0, 0), -0.6946377f);
  EXPECT_FLOAT_EQ(set.recordings[0].at(3, 2), 3.0237172f);
  EXPECT_FLOAT_EQ(set.recordings[1].at(1, 1), 2.5f);
  EXPECT_FLOAT_EQ(set.recordings[1].at(2, 0), 2.0f);  // the record spanning lines 7–8
  EXPECT_FLOAT_EQ(set.recordings[3].at(0, 2), 0.6f);
  EXPECT_FLOAT_EQ(set.recordings[4].at(0, 1), 4.4f);
  EXPECT_EQ(detect_har_format(file), "wisdm");
}

// A raw file with a bad record: the error names the file and the line where the record starts.
TEST(Wisdm, BadRecordsNameFileAndLine) {
  struct Case {
    std::string file, text;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      // As in the real file: a record whose z is missing, leaving a trailing comma.
      {"WISDM_ar_v1.1_raw.txt", "11,Walking,1867122313000,4.1,4.2,4.3;\n\n11,Walking,1867172313000,4.4,4.4,;\n",
       {"WISDM_ar_v1.1_raw.txt:3:", "missing z"}},
      {"raw.txt", "11,Walking,1867122313000,4.1,4.2,4.3;\n11,Walking,1867172313000,4.4,four,4.6;\n",
       {"raw.txt:2:", "non-numeric y", "four"}},
      {"raw.txt", "11,Walking,18671x2313000,4.4,4.5,4.6;\n", {"raw.txt:1:", "timestamp"}},
      {"raw.txt", "eleven,Walking,1867122313000,4.4,4.5,4.6;\n", {"raw.txt:1:", "user"}},
      {"raw.txt", "11,Walking,1867122313000,4.1,4.2,4.3;\n11,Walking,1867172313000,4.4,4.5,4.6,7.0;\n",
       {"raw.txt:2:", "expected 6 fields", "found 7"}},
      // An unfinished record swallows the next line and is reported where it began.
      {"raw.txt", "11,Walking,1867122313000,4.1,4.2,4.3;\n11,Walking,1867172313000,4.4,\n12,Walking,1,2,3,4;\n",
       {"raw.txt:2:", "expected 6 fields"}},
      {"raw.txt", "\n\n", {"raw.txt", "no records"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    TempDir tmp;
    write_text(tmp / c.file, c.text);
    expect_data_error([&] { load_wisdm(tmp / c.file); }, c.parts);
  }
  TempDir tmp;
  expect_data_error([&] { load_wisdm(tmp / "missing.txt"); }, {"missing.txt"});
}
