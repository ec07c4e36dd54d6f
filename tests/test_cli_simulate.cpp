// `slimlab simulate-context` as a user (or the GUI) runs it, on a run folder with
// operating points made without training (tests/context_points_fixture.h): --csv has
// one row per inference, --summary-csv the adaptive run and every fixed point with the
// figures the report prints; a bad trace file and a run without points are refused
// naming the file, and write no CSV.
#include <gtest/gtest.h>

#include <sstream>

#include "context_points_fixture.h"
#include "test_util.h"

namespace fs = std::filesystem;
using slimlab::test::run_slimlab;

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The accuracy the report prints on the line that starts with `policy`.
double printed_accuracy(const std::string& out, const std::string& policy) {
  for (const std::string& l : lines(out))
    if (l.rfind(policy + " ", 0) == 0) {
      std::istringstream ls(l.substr(policy.size()));
      double acc = -1;
      ls >> acc;
      return acc;
    }
  return -1;
}

}  // namespace

TEST(CliSimulate, WritesRowsAndSummaryCsv) {
  slimlab::test::TempDir tmp;
  const fs::path run = tmp / "run";
  slimlab::test::write_points_run(run);
  const fs::path rows = tmp / "rows.csv", summary = tmp / "summary.csv";
  const auto r = run_slimlab("simulate-context " + run.string() + " --synth duty --steps 300 --hysteresis 0 --csv " +
                             rows.string() + " --summary-csv " + summary.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto row_lines = lines(slimlab::test::read_text(rows));
  ASSERT_EQ(row_lines.size(), 301u);
  EXPECT_EQ(row_lines[0], "row,trace_energy_uj,budget_energy_uj,cost_energy_uj,point,point_name,correct,spent_uj");
  EXPECT_EQ(row_lines[1].rfind("0,", 0), 0u);
  EXPECT_NE(row_lines[1].find(",2,w100,"), std::string::npos) << row_lines[1];  // duty high phase: the widest
  EXPECT_NE(row_lines[40].find(",0,w25,"), std::string::npos) << row_lines[40];  // low phase: the narrowest
  const auto sum = lines(slimlab::test::read_text(summary));
  ASSERT_EQ(sum.size(), 5u);
  EXPECT_EQ(sum[0], "policy,point,accuracy,energy_uj,uj_per_inference,rows");
  EXPECT_EQ(sum[1].rfind("adaptive,,", 0), 0u);
  EXPECT_EQ(sum[2].rfind("fixed,w25,", 0), 0u);
  EXPECT_EQ(sum[4].rfind("fixed,w100,", 0), 0u);
  // The summary's adaptive accuracy is the printed one, and the rows' mean of `correct`.
  const double acc = std::stod(sum[1].substr(10, sum[1].find(',', 10) - 10));
  EXPECT_NEAR(acc, printed_accuracy(r.out, "adaptive"), 5e-5) << r.out;
  double right = 0;
  for (size_t i = 1; i < row_lines.size(); ++i) right += row_lines[i][row_lines[i].rfind(',') - 1] == '1';
  EXPECT_NEAR(right / 300, acc, 1e-9);
}

TEST(CliSimulate, BadTraceAndMissingPointsAreRefused) {
  slimlab::test::TempDir tmp;
  const fs::path run = tmp / "run", rows = tmp / "rows.csv";
  slimlab::test::write_points_run(run);
  slimlab::test::write_text(tmp / "trace.csv", "step,level\n0,0.5\n1,1.5\n");
  auto r = run_slimlab("simulate-context " + run.string() + " --trace " + (tmp / "trace.csv").string() + " --csv " +
                       rows.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("trace.csv:3: level '1.5' is not a level in [0, 1]"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(rows));
  fs::remove(run / "model-points-fp32.slim");
  r = run_slimlab("simulate-context " + run.string() + " --synth battery --csv " + rows.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("model-points-fp32.slim: missing (slimlab export"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(rows));
}
