#pragma once
// The Compare panel's model: two or more runs side by side — a training curve of
// each overlaid on one plot, their per-layer structure in one table (a column group
// per run, layers matched by name), and their exports' size, latency and arena with
// accuracy and parameters. No ImGui.
#include <string>
#include <vector>

#include "experiments/results.h"
#include "gui/model/gui_state.h"
#include "gui/model/plot_model.h"
#include "gui/model/views.h"

namespace slimlab::gui {

// The runs picked for comparison ("experiment/run" keys), in the order picked.
class CompareSet {
 public:
  bool contains(const std::string& key) const;
  void toggle(const std::string& key);
  void clear() { keys_.clear(); }
  const std::vector<std::string>& keys() const { return keys_; }
  // gui-state.ini: compare.runs = "a/p00,b/p01"
  void save(GuiState& s) const;
  void load(const GuiState& s);

 private:
  std::vector<std::string> keys_;
};

// The curve fields a comparison can overlay: "val_accuracy", "train_loss", … (exp::curve_fields()).
std::vector<std::string> compare_metrics();
// One line per run of `metric` against the epoch (ids = the run's position in `runs`),
// coloured by position; runs without the metric get no line.
void fill_compare_plot(PlotModel& plot, const std::vector<const exp::RunRecord*>& runs, const std::string& metric);

// Per-layer structure side by side: rows are layer names (the first run's order, then
// any other run's new names), cells[row][run] that run's layer (name empty: absent).
struct CompareStructure {
  std::vector<std::string> layers;
  std::vector<std::vector<LayerRow>> cells;
};
CompareStructure compare_structure(const std::vector<const exp::RunRecord*>& runs);

// Columns of the exports table and one row of text per run ("-" where unknown).
const std::vector<std::string>& compare_columns();
std::vector<std::vector<std::string>> compare_table(const std::vector<const exp::RunRecord*>& runs);

}  // namespace slimlab::gui
