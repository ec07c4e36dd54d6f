#pragma once
// The Context simulation panel's model (docs/GUI.md, docs/ADAPTIVE.md): a run's .slim
// with operating points replayed over a budget trace by `slimlab simulate-context`, a
// child process in the job queue like every other (`slimlab export <run>
// --operating-points widths` first when the run has no such file). The child writes
// its per-inference rows and its summary as CSV (`--csv`, `--summary-csv`); they are
// parsed here into series over time — the budget, the chosen point, running accuracy,
// cumulative energy — and the table of the adaptive run against every fixed point.
// No ImGui, no LibTorch.
#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "gui/model/jobs.h"
#include "gui/model/plot_model.h"

namespace slimlab::gui {

// The trace kinds the CLI offers (`--synth`), then a trace CSV file (`--trace FILE`).
inline constexpr const char* kContextTraces[] = {"battery", "contention", "duty", "file"};
inline constexpr const char* kContextTraceTitles[] = {"battery drain", "CPU contention", "duty cycle",
                                                      "trace CSV file"};

struct ContextOptions {
  std::string trace = "battery";        // battery | contention | duty | file
  std::filesystem::path trace_file;     // trace == "file"
  int steps = 2000;                     // rows of a synthetic trace
  std::string planner = "greedy";       // greedy | rate
  double hysteresis = 0.1;              // greedy only
  std::string level_kind = "energy";    // what a `level` column maps to: energy | latency | macs
};

// The argv after the program: simulate-context RUN_DIR (--synth K --steps N | --trace FILE)
// --planner P [--hysteresis H] --level-kind L --csv ROWS --summary-csv SUMMARY.
std::vector<std::string> simulate_context_args(const std::filesystem::path& run_dir, const ContextOptions& o,
                                               const std::filesystem::path& rows_csv,
                                               const std::filesystem::path& summary_csv);

// What `--csv` wrote, one entry per inference, plus what follows from it.
struct ContextSeries {
  std::string trace_column;             // level | energy_uj | latency_us | macs
  std::string budget_unit;              // energy_uj | latency_us | macs
  std::vector<double> trace, budget, cost, spent_uj;
  std::vector<int> point;               // index of the chosen point
  std::vector<uint8_t> correct;
  std::vector<std::string> point_names; // by index (names of points never chosen: from the summary)
  std::vector<double> running_accuracy;       // after each row
  std::vector<double> cumulative_energy_uj;   // after each row
  size_t switches = 0;                  // rows whose point differs from the row before
  size_t over_budget = 0;               // rows whose point cost more than the budget
  double budget_sum = 0;                // an energy trace's allowance
  size_t size() const { return point.size(); }
};

// Throws std::runtime_error "<what>:<line>: …" on a malformed file.
ContextSeries parse_context_rows(const std::string& csv, const std::string& what = "rows");

struct ContextPolicyRow {
  std::string policy;                   // "adaptive" | "fixed"
  std::string point;                    // fixed: the point's name
  double accuracy = 0, energy_uj = 0, uj_per_inference = 0;
  size_t rows = 0;                      // adaptive: all rows; fixed: the rows the adaptive run chose it
};
std::vector<ContextPolicyRow> parse_context_summary(const std::string& csv, const std::string& what = "summary");
// The most accurate fixed point that spends no more energy than the adaptive run (the
// CLI's "best fixed point within the adaptive energy"): its index in `rows`, or -1.
int best_fixed_within_energy(const std::vector<ContextPolicyRow>& rows);

// What a failed child said: its last "error: …" text, else (a CLI11 usage error) the
// line before "Run with --help", else its last non-empty line.
std::string child_error(const std::string& log);

struct ContextSim {
  int id = 0;
  std::string run_key;
  std::filesystem::path run_dir, log_file, rows_csv, summary_csv;
  ContextOptions options;
  std::string step = "simulate";        // export | simulate | done | failed
  int job = 0;
  std::string message;                  // a failure: the child's error
  ContextSeries series;
  std::vector<ContextPolicyRow> summary;
  bool done() const { return step == "done" || step == "failed"; }
};

class ContextController {
 public:
  ContextController(JobQueue& queue, std::filesystem::path slimlab_exe)
      : queue_(queue), slimlab_(std::move(slimlab_exe)) {}
  // The .slim with operating points simulate-context reads by default.
  static std::filesystem::path points_model(const std::filesystem::path& run_dir) {
    return run_dir / "model-points-fp32.slim";
  }
  // Queues the simulation (output in <run>/context-sim.txt, -rows.csv, -summary.csv),
  // after `slimlab export <run> --operating-points widths` when `export_first`. Returns
  // the request id, or 0 with *why (no slimlab, no trace file, …).
  int request(const std::string& run_key, const std::filesystem::path& run_dir, const ContextOptions& o,
              bool export_first, std::string* why);
  // Feed every finished job here (JobQueue::on_done).
  void on_job_done(const Job& job);
  const ContextSim* latest_for(const std::string& run_key) const;

 private:
  void submit_simulation(ContextSim& s);
  void finish(ContextSim& s, const Job& job);
  JobQueue& queue_;
  std::filesystem::path slimlab_;
  std::deque<ContextSim> requests_;
  int next_id_ = 1;
};

// The panel's four plots over the rows (x: inference): the budget with the chosen
// point's cost; the chosen point's index (a step line); the running accuracy with every
// fixed point's accuracy as a level line; the cumulative energy with every fixed point's.
void fill_context_budget_plot(PlotModel& plot, const ContextSeries& s);
void fill_context_point_plot(PlotModel& plot, const ContextSeries& s);
void fill_context_accuracy_plot(PlotModel& plot, const ContextSeries& s, const std::vector<ContextPolicyRow>& summary);
void fill_context_energy_plot(PlotModel& plot, const ContextSeries& s, const std::vector<ContextPolicyRow>& summary);

}  // namespace slimlab::gui
