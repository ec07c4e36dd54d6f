// The `slimlab data` commands as a user runs them: exit codes, messages, files.
#include <gtest/gtest.h>

#include "test_util.h"

namespace fs = std::filesystem;
using slimlab::test::run_slimlab;

TEST(CliData, HelpTeaches) {
  auto r = run_slimlab("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("data"), std::string::npos);
  r = run_slimlab("data inspect --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--window"), std::string::npos);
  EXPECT_NE(r.out.find("--probe"), std::string::npos);
}

TEST(CliData, InspectSynthetic) {
  const auto r = run_slimlab("data inspect synthetic:vision --synthetic-scale 0.1 --probe");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("input shape  [1×28×28]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("image size"), std::string::npos);
  EXPECT_NE(r.out.find("linear probe"), std::string::npos);
}

TEST(CliData, CacheThenInspectTheCache) {
  slimlab::test::TempDir dir;
  const auto h5 = (dir / "har.h5").string();
  auto r = run_slimlab("data cache synthetic:har --synthetic-scale 0.25 --out " + h5);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("built"), std::string::npos) << r.out;
  r = run_slimlab("data cache synthetic:har --synthetic-scale 0.25 --out " + h5);
  EXPECT_NE(r.out.find("reused"), std::string::npos) << r.out;
  r = run_slimlab("data inspect " + h5);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("read from cache"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("walk"), std::string::npos);
}

TEST(CliData, BadInputNamesFileAndLineAndWritesNothing) {
  slimlab::test::TempDir dir;
  // An HMP-layout folder with a non-numeric value on line 3.
  slimlab::test::write_text(dir / "hmp/Walk/Accelerometer-2011-03-24-09-51-07-walk-f1.txt",
                            "32 47 40\n32 47 40\n32 x7 40\n");
  slimlab::test::write_text(dir / "hmp/Sitdown_chair/Accelerometer-2011-03-24-09-51-07-sitdown_chair-m1.txt",
                            "32 47 40\n");
  const auto out = (dir / "out.h5").string();
  const auto r = run_slimlab("data cache hmp:" + (dir / "hmp").string() + " --out " + out);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("walk-f1.txt:3"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

TEST(CliData, MissingSourceAndBadOptions) {
  auto r = run_slimlab("data inspect /definitely/not/here");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("/definitely/not/here"), std::string::npos) << r.out;
  r = run_slimlab("data inspect synthetic:har --overlap 1.5");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("overlap"), std::string::npos) << r.out;
  r = run_slimlab("data inspect synthetic:har --split sideways");
  EXPECT_NE(r.code, 0);
}
