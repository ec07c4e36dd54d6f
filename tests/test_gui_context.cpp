// The Context simulation panel's model (gui/model/context_sim.h): simulate-context's CSV
// output parsed into series (running accuracy, cumulative energy, switches, rows over
// budget) and the policy table, refused with a line number when malformed; the CSV the
// engine writes round-trips to its own figures; the controller's states with a stand-in
// slimlab (export first, success, a bad trace file's error) and with the real one.
#include <gtest/gtest.h>

#include "context_points_fixture.h"
#include "deploy/export/context_sim.h"
#include "gui/model/context_sim.h"
#include "run_fixtures.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::gui;
namespace fs = std::filesystem;

namespace {

std::string error_of(const std::string& rows) {
  try {
    parse_context_rows(rows, "r.csv");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

// Polls the queue until the request is done (the GUI does this once per frame).
const ContextSim* finish(JobQueue& q, ContextController& c, const std::string& key) {
  EXPECT_TRUE(q.wait_all(std::chrono::seconds(120)));
  q.poll();
  return c.latest_for(key);
}

}  // namespace

TEST(GuiContext, ParsesRowsIntoSeriesOverTime) {
  const ContextSeries s = parse_context_rows(test::kFakeRows);
  EXPECT_EQ(s.trace_column, "level");
  EXPECT_EQ(s.budget_unit, "energy_uj");
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s.point, (std::vector<int>{2, 1, 1, 0, 0}));
  EXPECT_EQ(s.point_names, (std::vector<std::string>{"w25", "w50", "w100"}));
  EXPECT_EQ(s.trace, (std::vector<double>{1, 0.75, 0.5, 0.25, 0}));
  const std::vector<double> acc = {1, 0.5, 2.0 / 3, 0.75, 0.6};
  for (size_t i = 0; i < acc.size(); ++i) EXPECT_DOUBLE_EQ(s.running_accuracy[i], acc[i]) << i;
  EXPECT_EQ(s.cumulative_energy_uj, (std::vector<double>{4, 6, 8, 9, 10}));
  EXPECT_EQ(s.switches, 2u);
  EXPECT_EQ(s.over_budget, 1u);  // the last row: cost 1 over a budget of 0.5
  EXPECT_DOUBLE_EQ(s.budget_sum, 12);
  // Refused with the line.
  EXPECT_NE(error_of("row,budget\n").find("r.csv:1: unexpected header"), std::string::npos);
  const std::string head = "row,trace_macs,budget_macs,cost_macs,point,point_name,correct,spent_uj\n";
  EXPECT_NE(error_of(head + "0,1,1,1,0,a,1,2\n1,1,x,1,0,a,1,2\n").find("r.csv:3: budget_macs 'x' is not a number"),
            std::string::npos);
  EXPECT_NE(error_of(head + "0,1,1,1,0,a,1\n").find("r.csv:2: 7 cells, 8 expected"), std::string::npos);
  EXPECT_NE(error_of(head + "0,1,1,1,0.5,a,1,2\n").find("r.csv:2: point '0.5'"), std::string::npos);
  EXPECT_NE(error_of(head + "0,1,1,1,0,a,2,2\n").find("r.csv:2: correct '2'"), std::string::npos);
  EXPECT_NE(error_of(head).find("no rows"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("row,trace_macs,budget_macs,cost_energy_uj,point,point_name,correct,spent_uj\n0,1,1,1,0,a,1,2\n")
                .find("should be cost_macs"),
            std::string::npos);
}

TEST(GuiContext, ParsesTheSummaryAndFindsTheBestFixedPointWithinTheEnergy) {
  const auto rows = parse_context_summary(test::kFakeSummary);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].policy, "adaptive");
  EXPECT_EQ(rows[3].point, "w100");
  EXPECT_DOUBLE_EQ(rows[3].energy_uj, 20);
  EXPECT_EQ(rows[1].rows, 2u);
  EXPECT_EQ(best_fixed_within_energy(rows), 2);  // w50: 0.6 at 10 uJ, not w100 at 20
  auto cheap = rows;
  cheap[0].energy_uj = 1;
  EXPECT_EQ(best_fixed_within_energy(cheap), -1);
  EXPECT_THROW(parse_context_summary("policy,point,accuracy,energy_uj,uj_per_inference,rows\nfixed,a,1,1,1,1\n"),
               std::runtime_error);  // the adaptive row first
  EXPECT_THROW(parse_context_summary("policy,point,accuracy,energy_uj,uj_per_inference,rows\nmixed,,1,1,1,1\n"),
               std::runtime_error);
}

TEST(GuiContext, ArgumentsAndChildErrors) {
  ContextOptions o;
  o.trace = "duty";
  o.steps = 300;
  o.hysteresis = 0.25;
  EXPECT_EQ(simulate_context_args("runs/r", o, "a.csv", "b.csv"),
            (std::vector<std::string>{"simulate-context", "runs/r", "--synth", "duty", "--steps", "300", "--planner",
                                      "greedy", "--hysteresis", "0.25", "--level-kind", "energy", "--csv", "a.csv",
                                      "--summary-csv", "b.csv"}));
  o.trace = "file";
  o.trace_file = "t.csv";
  o.planner = "rate";
  EXPECT_EQ(simulate_context_args("r", o, "a", "b"),
            (std::vector<std::string>{"simulate-context", "r", "--trace", "t.csv", "--planner", "rate", "--level-kind",
                                      "energy", "--csv", "a", "--summary-csv", "b"}));
  EXPECT_EQ(child_error("rebuilding\nslimlab: error: t.csv:3: level '1.5' is not a level in [0, 1]\n"),
            "t.csv:3: level '1.5' is not a level in [0, 1]");
  EXPECT_EQ(child_error("--planner: fast not in {greedy,rate}\nRun with --help for more information.\n"),
            "--planner: fast not in {greedy,rate}");
  EXPECT_EQ(child_error("one\nlast words\n\n"), "last words");
}

// What the engine writes (--csv, --summary-csv) is what the panel reads back: the same
// switches, rows over budget, accuracy and energy as the engine's own result.
TEST(GuiContext, TheEnginesCsvRoundTrips) {
  const deploy::PointsExport x = test::random_width_points({1, 6, 6}, 3);
  const auto model = slimrt::Model::from_memory(x.bytes.data(), x.bytes.size());
  const data::ArraySet set = test::random_test_set({1, 6, 6}, 60, 3);
  deploy::SimOptions o;
  o.hysteresis = 0;
  const deploy::BudgetTrace trace = deploy::synth_trace("duty", 250, model->operating_points());
  const deploy::SimResult r = deploy::simulate_context(model, set, trace, o);
  test::TempDir tmp;
  deploy::write_rows_csv(tmp / "rows.csv", r, trace);
  deploy::write_summary_csv(tmp / "summary.csv", r);
  const ContextSeries s = parse_context_rows(test::read_text(tmp / "rows.csv"));
  const auto sum = parse_context_summary(test::read_text(tmp / "summary.csv"));
  EXPECT_EQ(s.trace_column, "energy_uj");
  ASSERT_EQ(s.size(), 250u);
  EXPECT_EQ(s.switches, r.switches);
  EXPECT_EQ(s.over_budget, r.over_budget);
  EXPECT_NEAR(s.running_accuracy.back(), r.adaptive_accuracy, 1e-12);
  EXPECT_NEAR(s.cumulative_energy_uj.back(), r.adaptive_energy_uj, 1e-6 * r.adaptive_energy_uj);
  EXPECT_NEAR(s.budget_sum, r.allowance_uj, 1e-6 * r.allowance_uj);
  ASSERT_EQ(sum.size(), 1 + r.point_names.size());
  for (size_t p = 0; p < r.point_names.size(); ++p) {
    EXPECT_EQ(sum[p + 1].point, r.point_names[p]);
    EXPECT_NEAR(sum[p + 1].accuracy, r.fixed_accuracy[p], 1e-9);
    EXPECT_EQ(sum[p + 1].rows, r.chosen_count[p]);
  }
  // The plots: budget and cost per row, the point as a step line, fixed points as level lines.
  PlotModel budget, point, acc, energy;
  fill_context_budget_plot(budget, s);
  fill_context_point_plot(point, s);
  fill_context_accuracy_plot(acc, s, sum);
  fill_context_energy_plot(energy, s, sum);
  ASSERT_EQ(budget.series.size(), 2u);
  EXPECT_EQ(budget.series[0].y, s.budget);
  EXPECT_TRUE(point.series[0].step);
  ASSERT_EQ(acc.series.size(), 4u);  // adaptive + three fixed points
  EXPECT_EQ(acc.series[3].y, (std::vector<double>{sum[3].accuracy, sum[3].accuracy}));
  EXPECT_NEAR(energy.series[1].y.back(), sum[1].energy_uj, 1e-6 * sum[1].energy_uj);
}

TEST(GuiContext, ControllerExportsFirstSimulatesAndReportsAFailedChild) {
  test::TempDir tmp;
  const fs::path fake = tmp / "bin" / "slimlab", run = tmp / "runs" / "e" / "r";
  test::write_fake_simulate(fake);
  fs::create_directories(run);
  JobQueue q;
  ContextController c(q, fake);
  q.on_done = [&](const Job& j) { c.on_job_done(j); };  // as the Workbench does
  ContextOptions o;
  std::string why;
  // No points yet: export, then simulate.
  ASSERT_GT(c.request("e/r", run, o, /*export_first=*/true, &why), 0) << why;
  EXPECT_EQ(c.latest_for("e/r")->step, "export");
  const ContextSim* s = finish(q, c, "e/r");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->step, "done") << s->message;
  EXPECT_TRUE(fs::exists(ContextController::points_model(run)));
  EXPECT_EQ(s->series.size(), 5u);
  EXPECT_EQ(s->summary.size(), 4u);
  EXPECT_NE(test::read_text(tmp / "bin" / "args.txt").find("simulate-context " + run.string() + " --synth battery"),
            std::string::npos);
  // A bad trace file: the child's error, nothing parsed.
  o.trace = "file";
  o.trace_file = tmp / "bad-trace.csv";
  EXPECT_EQ(c.request("e/r", run, o, false, &why), 0);  // no such file: refused before any child
  EXPECT_NE(why.find("no trace file"), std::string::npos);
  test::write_text(o.trace_file, "level\n0.5\n1.5\n");
  ASSERT_GT(c.request("e/r", run, o, false, &why), 0) << why;
  s = finish(q, c, "e/r");
  ASSERT_EQ(s->step, "failed");
  EXPECT_NE(s->message.find("bad-trace.csv:3: level '1.5' is not a level in [0, 1]"), std::string::npos) << s->message;
  EXPECT_EQ(s->series.size(), 0u);
  // Cancelled while it runs: failed, saying so.
  o.trace_file = tmp / "slow-trace.csv";
  test::write_text(o.trace_file, "level\n0.5\n");
  const int id = c.request("e/r", run, o, false, &why);
  ASSERT_GT(id, 0) << why;
  while (q.running() == 0) q.poll();
  q.cancel(c.latest_for("e/r")->job);
  s = finish(q, c, "e/r");
  ASSERT_EQ(s->id, id);
  EXPECT_EQ(s->step, "failed");
  EXPECT_NE(s->message.find("cancelled"), std::string::npos) << s->message;
  // No slimlab: refused.
  ContextController none(q, tmp / "nowhere" / "slimlab");
  EXPECT_EQ(none.request("e/r", run, ContextOptions{}, false, &why), 0);
  EXPECT_NE(why.find("not found"), std::string::npos);
}

// The real `slimlab simulate-context` as the panel runs it: a run folder with points
// (no training: tests/context_points_fixture.h), a battery trace; then a bad trace file
// and a run without points, each a failed request with slimlab's own words.
TEST(GuiContextReal, SimulatesARunAndReportsErrors) {
  const fs::path slimlab = test::bin_dir() / "slimlab";
  if (!fs::exists(slimlab)) GTEST_SKIP() << "slimlab not built in " << test::bin_dir();
  test::TempDir tmp;
  const fs::path run = tmp / "runs" / "ctx" / "r";
  test::write_points_run(run);
  JobQueue q;
  ContextController c(q, slimlab);
  q.on_done = [&](const Job& j) { c.on_job_done(j); };
  ContextOptions o;
  o.steps = 200;
  std::string why;
  ASSERT_GT(c.request("ctx/r", run, o, false, &why), 0) << why;
  const ContextSim* s = finish(q, c, "ctx/r");
  ASSERT_EQ(s->step, "done") << s->message << "\n" << test::read_text(s->log_file);
  ASSERT_EQ(s->series.size(), 200u);
  EXPECT_EQ(s->series.trace_column, "level");
  EXPECT_EQ(s->series.point_names, (std::vector<std::string>{"w25", "w50", "w100"}));
  ASSERT_EQ(s->summary.size(), 4u);
  EXPECT_NEAR(s->series.running_accuracy.back(), s->summary[0].accuracy, 1e-9);
  EXPECT_NEAR(s->series.cumulative_energy_uj.back(), s->summary[0].energy_uj, 1e-6 * s->summary[0].energy_uj);
  EXPECT_EQ(s->series.point.front(), 2);  // a full battery: the widest
  EXPECT_EQ(s->series.point.back(), 0);   // empty: the narrowest
  o.trace = "file";
  o.trace_file = tmp / "trace.csv";
  test::write_text(o.trace_file, "level\n0.5\n1.5\n");
  ASSERT_GT(c.request("ctx/r", run, o, false, &why), 0) << why;
  s = finish(q, c, "ctx/r");
  ASSERT_EQ(s->step, "failed");
  EXPECT_NE(s->message.find("trace.csv:3: level '1.5' is not a level in [0, 1]"), std::string::npos) << s->message;
  fs::remove(ContextController::points_model(run));
  o.trace = "battery";
  ASSERT_GT(c.request("ctx/r", run, o, false, &why), 0) << why;
  s = finish(q, c, "ctx/r");
  ASSERT_EQ(s->step, "failed");
  EXPECT_NE(s->message.find("model-points-fp32.slim: missing"), std::string::npos) << s->message;
}
