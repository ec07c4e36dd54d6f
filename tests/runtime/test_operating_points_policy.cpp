// The operating-point policy (docs/ADAPTIVE.md "Policy"): the most accurate point within
// a budget per inference (latency, energy, MACs), the cheapest when none fits, levels
// mapped to budgets, hysteresis against flapping; the same through the C API.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "points_test_models.h"
#include "slimrt/slimrt.hpp"

namespace slimrt {
namespace {

// Four points: cost c, accuracy a. Point 2 is dearer than 1 but no more accurate.
std::vector<OperatingPoint> table() {
  const double cost[] = {10, 20, 30, 40}, acc[] = {0.5, 0.7, 0.7, 0.9};
  std::vector<OperatingPoint> v;
  for (int i = 0; i < 4; ++i) {
    OperatingPoint p;
    p.name = "p" + std::to_string(i);
    p.accuracy = acc[i];
    p.latency_us = cost[i];
    p.energy_uj = cost[i] / 10;
    p.macs = int64_t(cost[i] * 1000);
    v.push_back(p);
  }
  return v;
}

TEST(PointPolicy, MostAccurateWithinTheBudget) {
  const auto t = table();
  EXPECT_EQ(choose_point(t, BudgetKind::kLatencyUs, 100), 3u);
  EXPECT_EQ(choose_point(t, BudgetKind::kLatencyUs, 40), 3u);
  EXPECT_EQ(choose_point(t, BudgetKind::kLatencyUs, 39.9), 1u);  // 1 and 2 equally accurate: the cheaper
  EXPECT_EQ(choose_point(t, BudgetKind::kLatencyUs, 15), 0u);
  EXPECT_EQ(choose_point(t, BudgetKind::kLatencyUs, 1), 0u);  // nothing fits: the cheapest
  EXPECT_EQ(choose_point(t, BudgetKind::kEnergyUj, 2.5), 1u);
  EXPECT_EQ(choose_point(t, BudgetKind::kMacs, 30000), 1u);
  EXPECT_EQ(choose_point(t, BudgetKind::kMacs, std::numeric_limits<double>::infinity()), 3u);
}

TEST(PointPolicy, LevelsMapLinearlyOntoTheCosts) {
  const auto t = table();
  EXPECT_DOUBLE_EQ(budget_for_level(t, BudgetKind::kLatencyUs, 0), 10);
  EXPECT_DOUBLE_EQ(budget_for_level(t, BudgetKind::kLatencyUs, 1), 40);
  EXPECT_DOUBLE_EQ(budget_for_level(t, BudgetKind::kLatencyUs, 0.5), 25);
  PointPolicy p(t);
  EXPECT_EQ(p.choose_level(BudgetKind::kLatencyUs, 1.0), 3u);
  EXPECT_EQ(p.choose_level(BudgetKind::kLatencyUs, 0.4), 1u);
  EXPECT_EQ(p.choose_level(BudgetKind::kLatencyUs, 0.0), 0u);
  EXPECT_THROW(budget_for_level(t, BudgetKind::kLatencyUs, 1.5), Error);
}

TEST(PointPolicy, HysteresisStopsFlappingAroundACost) {
  const auto t = table();
  // A budget oscillating around point 3's cost (40 ± 1).
  PointPolicy plain(t, 0), damped(t, 0.1);
  for (int step = 0; step < 20; ++step) {
    const double budget = step % 2 ? 41 : 39;
    plain.choose(BudgetKind::kLatencyUs, budget);
    damped.choose(BudgetKind::kLatencyUs, budget);
  }
  EXPECT_EQ(plain.switches(), 19u);
  EXPECT_EQ(damped.switches(), 0u);  // upgrading to 3 needs 40 ≤ budget·0.9: never here
  EXPECT_EQ(damped.current(), 1u);
  // Once the budget clears the margin it upgrades; a drop below the cost downgrades at once.
  EXPECT_EQ(damped.choose(BudgetKind::kLatencyUs, 45), 3u);
  EXPECT_EQ(damped.choose(BudgetKind::kLatencyUs, 41), 3u);  // kept while it fits
  EXPECT_EQ(damped.choose(BudgetKind::kLatencyUs, 39), 1u);
  EXPECT_EQ(damped.switches(), 2u);
}

TEST(PointPolicy, UnknownCostsAndBadArgumentsAreErrors) {
  auto t = table();
  t[2].latency_us = -1;
  EXPECT_THROW(choose_point(t, BudgetKind::kLatencyUs, 10), Error);
  EXPECT_EQ(choose_point(t, BudgetKind::kMacs, 10), 0u);
  EXPECT_THROW(choose_point(table(), BudgetKind::kMacs, 10, -1, 1.0), Error);
  EXPECT_THROW(choose_point(table(), BudgetKind::kMacs, std::nan("")), Error);
  EXPECT_THROW(choose_point({}, BudgetKind::kMacs, 10), Error);
  EXPECT_THROW(PointPolicy(table(), -0.1), Error);
}

// The energy-rate planner: the hull leaves out point 2 (dearer than 1, no more
// accurate) and any point under the chord of its neighbours; a rate between two hull
// points is met on average by running both, the dearer on the fraction the rate pays.
TEST(RatePlanner, TimeSharesTheHullAroundTheRate) {
  std::vector<OperatingPoint> v = table();  // energy 1, 2, 3, 4; accuracy .5, .7, .7, .9
  RatePlanner planner(v);
  EXPECT_EQ(planner.hull(), (std::vector<size_t>{0, 1, 3}));
  planner.set_rate(3.0);  // halfway between p1 (2) and p3 (4)
  double spent = 0, acc = 0;
  std::vector<int> n(4, 0);
  for (int i = 0; i < 1000; ++i) {
    const size_t p = planner.next();
    ++n[p];
    spent += v[p].energy_uj;
    acc += v[p].accuracy;
  }
  EXPECT_EQ(n[0] + n[2], 0);
  EXPECT_NEAR(spent / 1000, 3.0, 2.0 / 1000);  // within (e_hi − e_lo) / n
  EXPECT_NEAR(acc / 1000, 0.8, 1e-3);          // the hull at 3.0, above p2's 0.7 at 3.0
  planner.set_rate(0.5);
  EXPECT_EQ(planner.next(), 0u);  // below every point: the cheapest
  planner.set_rate(9);
  EXPECT_EQ(planner.next(), 3u);  // above every point: the dearest
  // A point under the chord of its neighbours leaves the hull: p1 at 0.6 < 0.7.
  v[1].accuracy = 0.6;
  EXPECT_EQ(RatePlanner(v).hull(), (std::vector<size_t>{0, 3}));
  // Without accuracies: every point by energy.
  for (auto& p : v) p.accuracy = -1;
  EXPECT_EQ(RatePlanner(v).hull(), (std::vector<size_t>{0, 1, 2, 3}));
  v[2].energy_uj = -1;
  EXPECT_THROW(RatePlanner{v}, Error);
  EXPECT_THROW(RatePlanner{std::vector<OperatingPoint>{}}, Error);
  EXPECT_THROW(planner.set_rate(std::nan("")), Error);
  EXPECT_THROW(planner.set_rate(-1), Error);
}

TEST(PointPolicy, CApiOverAFileWithPoints) {
  test::SlimMlp net;
  const auto bytes = test::merged_mlp(net, nullptr);
  api::ModelHandle m = api::ModelHandle::load(bytes.data(), bytes.size());
  ASSERT_EQ(m.num_points(), 3);
  const slimrt_point_info p0 = m.point_info(0), p2 = m.point_info(2);
  EXPECT_STREQ(p0.name, "width_8");
  EXPECT_EQ(p2.is_main, 1);
  EXPECT_GT(p2.macs, p0.macs);
  EXPECT_EQ(m.choose_point(SLIMRT_BUDGET_MACS, double(p2.macs)), 2);
  EXPECT_EQ(m.choose_point(SLIMRT_BUDGET_MACS, double(p2.macs) - 1), 1);
  EXPECT_EQ(m.choose_point(SLIMRT_BUDGET_MACS, double(p2.macs) * 1.05, 1, 0.1), 1);  // not 10% clear: keep 1
  EXPECT_THROW(m.point_info(3), api::Failure);
  double budget = 0;
  ASSERT_EQ(slimrt_budget_for_level(m.get(), SLIMRT_BUDGET_LATENCY_US, 0.0, &budget), SLIMRT_OK);
  EXPECT_DOUBLE_EQ(budget, p0.latency_us);
  int out = -1;
  EXPECT_EQ(slimrt_choose_point(m.get(), 7, 1, -1, 0, &out),
            SLIMRT_ERROR_INVALID_ARGUMENT);
  api::InterpreterHandle in(m);
  EXPECT_EQ(in.point(), 2);
  in.set_point(0);
  EXPECT_EQ(in.point(), 0);
  EXPECT_THROW(in.set_point(5), api::Failure);
  EXPECT_NE(std::string(slimrt_last_error()).find("operating point 5 does not exist"), std::string::npos);
}

}  // namespace
}  // namespace slimrt
