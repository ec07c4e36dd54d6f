#pragma once
// Context-adaptive inference replayed offline (docs/ADAPTIVE.md "simulate-context"): a
// budget trace (battery draining, CPU contention, a duty cycle) drives slimrt's policy
// over a .slim with operating points while a stream of real test samples runs through
// the switching interpreter; accuracy and energy over time against every fixed point.
//
// Trace CSV: a header, then one row per inference. Columns (any order; others ignored):
//   latency_us | energy_uj | macs   a budget per inference of that kind, or
//   level                           a battery / thermal level in [0, 1], mapped onto
//                                   the points' costs (slimrt::budget_for_level) of
//                                   the kind given to simulate (default energy).
// Exactly one of these four columns must be present.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/types.h"
#include "slimrt/runtime.h"

namespace slimlab::deploy {

struct BudgetTrace {
  std::string column;              // "latency_us" | "energy_uj" | "macs" | "level"
  std::vector<double> values;      // one per inference
};

// Throws std::runtime_error "<file>:<line>: …" on a malformed trace.
BudgetTrace read_trace(const std::filesystem::path& file);
void write_trace(const std::filesystem::path& file, const BudgetTrace& t);
// A synthetic trace of `steps` rows over `points`' costs: "battery" (level 1 → 0, linear),
// "contention" (latency budget of the dearest point divided by a CPU share that steps
// between 1 and 1/4 every 50 rows, seeded), "duty" (energy budget: the dearest point's
// for 30 of every 100 rows, the cheapest's otherwise). std::invalid_argument otherwise.
BudgetTrace synth_trace(const std::string& kind, size_t steps, const std::vector<slimrt::OperatingPoint>& points,
                        uint32_t seed = 1);

struct SimOptions {
  slimrt::BudgetKind level_kind = slimrt::BudgetKind::kEnergyUj;  // what a `level` maps to
  double hysteresis = 0.1;
  size_t buckets = 10;             // time slices of the report
  uint32_t seed = 1;               // the order of the test samples (a fixed shuffle; 0: file order)
  // "greedy": slimrt::PointPolicy, the most accurate point within each row's budget.
  // "rate": slimrt::RatePlanner — the trace's budgets are an energy allowance; the
  // remaining allowance over the remaining rows is the mean rate each row plans for
  // (energy budgets only: a latency budget is a deadline per inference).
  std::string planner = "greedy";
};

struct SimSlice {                  // one time slice of the trace
  size_t begin = 0, end = 0;       // rows
  double mean_budget = 0;
  double accuracy = 0;             // adaptive
  double energy_uj = 0;            // adaptive, summed
  double mean_point = 0;           // mean index of the chosen point
};

struct SimStep {                   // one row of the trace, as replayed
  double budget = 0;               // in the policy's unit (a level mapped onto the points' costs)
  double cost = 0;                 // the chosen point's cost in that unit
  uint32_t point = 0;              // the chosen point
  bool correct = false;            // its sample classified right
};

struct SimResult {
  size_t steps = 0;
  slimrt::BudgetKind budget_kind = slimrt::BudgetKind::kEnergyUj;  // the unit of SimStep::budget
  std::vector<std::string> point_names;
  std::vector<double> point_energy_uj;   // per inference, per point
  std::vector<double> fixed_accuracy;    // each point alone over the same samples
  double adaptive_accuracy = 0;
  double adaptive_energy_uj = 0;         // total
  double allowance_uj = 0;               // Σ of the rows' budgets (energy traces: what may be spent)
  size_t switches = 0;
  size_t over_budget = 0;                // rows where even the cheapest point exceeded the budget
  std::vector<size_t> chosen_count;      // rows per point
  std::vector<SimSlice> slices;
  std::vector<SimStep> rows;             // one per row of the trace
};

// Row r runs test sample order[r mod test.size()] (a fixed shuffle, so every time slice
// sees a mix of classes) at the point the policy picks for row r's budget (the point
// chosen at row r − 1 is its `current`); every fixed point runs the same samples.
SimResult simulate_context(const std::shared_ptr<const slimrt::Model>& model, const data::ArraySet& test,
                           const BudgetTrace& trace, const SimOptions& options);

// simulate-context's machine-readable output (`--csv`, `--summary-csv`; docs/ADAPTIVE.md):
// per row "row,trace_<column>,budget_<unit>,cost_<unit>,point,point_name,correct,spent_uj"
// (unit: energy_uj | latency_us | macs), and per policy "policy,point,accuracy,energy_uj,
// uj_per_inference,rows" — "adaptive" first, then "fixed,<name>" per point, as the report
// prints them. std::runtime_error naming the file when it cannot be written.
void write_rows_csv(const std::filesystem::path& file, const SimResult& r, const BudgetTrace& trace);
void write_summary_csv(const std::filesystem::path& file, const SimResult& r);
const char* budget_unit(slimrt::BudgetKind kind);  // "energy_uj", "latency_us", "macs"

}  // namespace slimlab::deploy
