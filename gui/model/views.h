#pragma once
// What the Trade-off, Live and Structure panels show, computed from runs without
// ImGui: the accuracy-versus-resource scatter with its Pareto front, the curves
// of one run, stage traces (DeepIoT keep-probabilities), and the per-layer
// structure before and after compression.
#include <optional>
#include <string>
#include <vector>

#include "experiments/results.h"
#include "gui/model/plot_model.h"
#include "gui/model/run_store.h"

namespace slimlab::gui {

struct TradeoffOptions {
  std::string x = "params";         // a numeric column (experiments/runs.h)
  std::string y = "test_accuracy";
  bool log_x = true, log_y = false;
  std::string color_by = "technique";  // technique | model | experiment
};

struct Tradeoff {
  std::vector<size_t> runs;            // run index (into the RunList) of each point
  std::vector<double> x, y;
  std::vector<int> group;              // colour group of each point
  std::vector<std::string> groups;     // group names, sorted
  std::vector<size_t> pareto;          // point indices on the front, increasing x
  size_t left_out = 0;                 // runs in view without both values (or x ≤ 0 on a log axis)
};

// Points for the runs in `rows` (indices into `runs`).
Tradeoff build_tradeoff(const RunList& runs, const std::vector<size_t>& rows, const TradeoffOptions& o);
// The plot: one marker series per group (ids = run index), the Pareto front as a
// step line drawn above them. Keeps the model's zoom unless it was never zoomed.
void fill_tradeoff_plot(PlotModel& plot, const Tradeoff& t, const TradeoffOptions& o);
// Axis titles: "parameters", "MACs per inference", "latency (ms)", …
std::string column_title(const std::string& column);

// Live: loss (train, val) and accuracy (train, val) per epoch.
void fill_loss_plot(PlotModel& plot, const exp::RunRecord& r);
void fill_accuracy_plot(PlotModel& plot, const exp::RunRecord& r);

// A table recorded by a compression stage (results.h5 /stages/<i>/…), e.g.
// DeepIoT's keep-probabilities per iteration: one column per layer.
struct StageTrace {
  std::string stage;   // "0-deepiot"
  std::string name;    // "keep_probability"
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  std::vector<std::string> row_labels;
};
// Every table of every stage: from results.h5 when the run has finished, else from
// the record.h5 of each stage the running run has finished so far.
std::vector<StageTrace> stage_traces(const exp::RunRecord& r);
// DeepIoT's progress lines ("deepiot: iteration N threshold T size S val accuracy A")
// as a trace: what the Live panel shows while the stage is still pruning.
StageTrace deepiot_trace_from_log(const std::string& log_text);
// Rows 0…upto of a trace, one line per visible column against its "iteration"
// column (or the row index) — the replay. `visible` empty: default_visible().
void fill_trace_plot(PlotModel& plot, const StageTrace& t, size_t upto, const std::vector<bool>& visible = {});
// DeepIoT's "trace": threshold, size, accuracy and mean keep-probabilities; other
// tables: their first eight columns besides the iteration.
std::vector<bool> default_visible(const StageTrace& t);
// A table of per-unit keep-probabilities (columns iteration, threshold, p0, p1, …).
bool is_keep_table(const StageTrace& t);
// Row `row` of a keep-probability table: each unit's probability (kept ones — at or
// above the threshold — in one colour, dropped ones in another) and the threshold line.
void fill_keep_plot(PlotModel& plot, const StageTrace& t, size_t row);

// Structure: one row per layer of the final model, matched by name to the
// layers of the uncompressed model where the run recorded them.
struct LayerRow {
  std::string name, kind, precision;
  int64_t units_before = -1, units_after = -1;    // output channels / features; -1 unknown
  int64_t params_before = -1, params_after = -1;
  int64_t bytes_after = -1, macs_after = -1;
  bool removed = false;                           // in the base model only
};
std::vector<LayerRow> structure_rows(const exp::RunRecord& r, const exp::RunRecord* base = nullptr);
// The run's own base model — the trained float model before its stages, recorded in
// its results.h5 (RunRecord::base_graph) — as a record whose graph is that model, or
// nullopt (a run without stages is its own base; results written before the base was
// recorded have none). Never another run's or another experiment's model.
std::optional<exp::RunRecord> own_base_run(const exp::RunRecord& r);

}  // namespace slimlab::gui
