// simulate-context's engine (deploy/export/context_sim.h): traces read and refused with
// a line number, synthetic traces, and the replay — an ample budget is the most
// accurate point, none the cheapest, fixed-point figures equal each point run alone,
// the energy sums, hysteresis cuts switches.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "context_points_fixture.h"
#include "deploy/export/context_sim.h"

namespace slimlab {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  std::shared_ptr<const slimrt::Model> model;
  data::ArraySet test;
  Fixture() {
    const deploy::PointsExport x = test::random_width_points({1, 6, 6}, 3);
    model = slimrt::Model::from_memory(x.bytes.data(), x.bytes.size());
    test = test::random_test_set({1, 6, 6}, 60, 3);
  }
};

fs::path write(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("slimlab_ctx_" + name);
  std::ofstream(p) << text;
  return p;
}

TEST(SimulateContext, ReadsTracesAndRefusesBadOnes) {
  const deploy::BudgetTrace t = deploy::read_trace(write("ok.csv", "step,energy_uj\n0,1.5\n1, 2\n\n2,0\n"));
  EXPECT_EQ(t.column, "energy_uj");
  EXPECT_EQ(t.values, (std::vector<double>{1.5, 2, 0}));
  auto error = [](const std::string& text) {
    try {
      deploy::read_trace(write("bad.csv", text));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("step,budget\n0,1\n").find(":1: no budget column"), std::string::npos);
  EXPECT_NE(error("macs,level\n1,1\n").find("two budget columns"), std::string::npos);
  EXPECT_NE(error("level\n0.5\n1.5\n").find(":3: level '1.5' is not a level in [0, 1]"), std::string::npos);
  EXPECT_NE(error("macs\nabc\n").find(":2: macs 'abc'"), std::string::npos);
  EXPECT_NE(error("macs\n").find("no rows"), std::string::npos);
}

TEST(SimulateContext, AmpleAndZeroBudgets) {
  Fixture f;
  deploy::SimOptions o;
  o.hysteresis = 0;
  deploy::BudgetTrace ample{"macs", std::vector<double>(90, 1e12)}, none{"macs", std::vector<double>(90, 0)};
  const deploy::SimResult a = deploy::simulate_context(f.model, f.test, ample, o);
  EXPECT_EQ(a.chosen_count, (std::vector<size_t>{0, 0, 90}));
  EXPECT_DOUBLE_EQ(a.adaptive_accuracy, a.fixed_accuracy[2]);
  EXPECT_NEAR(a.adaptive_energy_uj, 90 * a.point_energy_uj[2], 1e-9 * a.adaptive_energy_uj);
  EXPECT_EQ(a.switches, 0u);
  const deploy::SimResult z = deploy::simulate_context(f.model, f.test, none, o);
  EXPECT_EQ(z.chosen_count, (std::vector<size_t>{90, 0, 0}));
  EXPECT_DOUBLE_EQ(z.adaptive_accuracy, z.fixed_accuracy[0]);
  EXPECT_EQ(z.over_budget, 90u);
  // Fixed-point figures are each point alone over the same samples, whatever the trace.
  EXPECT_EQ(a.fixed_accuracy, z.fixed_accuracy);
}

TEST(SimulateContext, BatteryDrainsThroughEveryPointAndHysteresisCutsSwitches) {
  Fixture f;
  const deploy::BudgetTrace battery = deploy::synth_trace("battery", 300, f.model->operating_points());
  ASSERT_EQ(battery.column, "level");
  deploy::SimOptions o;
  o.hysteresis = 0;
  const deploy::SimResult r = deploy::simulate_context(f.model, f.test, battery, o);
  for (size_t c : r.chosen_count) EXPECT_GT(c, 0u);
  EXPECT_EQ(r.switches, 2u);  // a monotone drain: 2 → 1 → 0
  // One row per inference, as counted and summed.
  ASSERT_EQ(r.rows.size(), 300u);
  std::vector<size_t> count(3, 0);
  double right = 0;
  for (const deploy::SimStep& s : r.rows) {
    ++count[s.point];
    right += s.correct;
    EXPECT_EQ(s.cost, f.model->operating_points()[s.point].energy_uj);
  }
  EXPECT_EQ(count, r.chosen_count);
  EXPECT_DOUBLE_EQ(right / 300, r.adaptive_accuracy);
  EXPECT_DOUBLE_EQ(r.rows.front().budget, f.model->operating_points()[2].energy_uj);  // level 1: the dearest
  EXPECT_GT(r.slices.front().mean_point, r.slices.back().mean_point);
  // A budget flapping around the middle point's energy.
  const double e1 = f.model->operating_points()[1].energy_uj;
  deploy::BudgetTrace flap{"energy_uj", {}};
  for (int i = 0; i < 100; ++i) flap.values.push_back(i % 2 ? e1 * 1.02 : e1 * 0.98);
  const size_t plain = deploy::simulate_context(f.model, f.test, flap, o).switches;
  o.hysteresis = 0.1;
  const size_t damped = deploy::simulate_context(f.model, f.test, flap, o).switches;
  EXPECT_EQ(plain, 99u);
  EXPECT_EQ(damped, 0u);
}

// The rate planner spends the trace's energy allowance evenly: on a battery drain it
// ends within one dearest inference of the allowance (never over), and its accuracy is
// the points' own on the samples each ran. A latency budget is refused (a deadline).
TEST(SimulateContext, RatePlannerSpendsTheAllowanceEvenly) {
  Fixture f;
  const auto& points = f.model->operating_points();
  deploy::SimOptions o;
  o.planner = "rate";
  const deploy::BudgetTrace battery = deploy::synth_trace("battery", 300, points);
  const deploy::SimResult r = deploy::simulate_context(f.model, f.test, battery, o);
  EXPECT_LE(r.adaptive_energy_uj, r.allowance_uj * (1 + 1e-9));
  EXPECT_GE(r.adaptive_energy_uj, r.allowance_uj - points[2].energy_uj);
  // Battery from 1 to 0: the allowance is the middle of the cheapest and dearest
  // energies per row; the hull (accuracies 0.25, 0.5, 1 by width) runs the middle
  // and the widest point, each on a steady share of every time slice.
  EXPECT_EQ(r.chosen_count[0], 0u);
  EXPECT_GT(r.chosen_count[1], 0u);
  EXPECT_GT(r.chosen_count[2], 0u);
  const double share_first = r.slices.front().mean_point, share_last = r.slices.back().mean_point;
  EXPECT_NEAR(share_first, share_last, 0.15);
  o.planner = "fast";
  EXPECT_THROW(deploy::simulate_context(f.model, f.test, battery, o), std::invalid_argument);
  o.planner = "rate";
  deploy::BudgetTrace deadline{"latency_us", std::vector<double>(10, 1e6)};
  EXPECT_THROW(deploy::simulate_context(f.model, f.test, deadline, o), std::invalid_argument);
}

TEST(SimulateContext, SyntheticTraces) {
  Fixture f;
  const auto& points = f.model->operating_points();
  EXPECT_THROW(deploy::synth_trace("contention", 10, points), std::invalid_argument);  // no latency measured
  const deploy::BudgetTrace d = deploy::synth_trace("duty", 200, points);
  EXPECT_EQ(d.values[0], points[2].energy_uj);
  EXPECT_EQ(d.values[50], points[0].energy_uj);
  EXPECT_THROW(deploy::synth_trace("weather", 10, points), std::invalid_argument);
  const fs::path p = fs::temp_directory_path() / "slimlab_ctx_duty.csv";
  deploy::write_trace(p, d);
  EXPECT_EQ(deploy::read_trace(p).values, d.values);
}

}  // namespace
}  // namespace slimlab
