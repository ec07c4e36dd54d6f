#pragma once
// The six panels of issue 8, one class each (one .cpp each):
//   ExperimentsPanel  list experiments/*.toml, edit one as a validated form, save as
//                     new, start/queue its sweep points, cancel jobs
//   NewExperimentPanel  File → New experiment: from a data folder to a saved, started experiment
//   ComparePanel      two or more runs: curves overlaid, exports' cost, per-layer structure
//   RunsPanel         sortable, filterable table of every run; selection; failed
//                     runs' errors and log tails
//   LivePanel         loss/accuracy curves while a run trains; stage traces
//                     (DeepIoT keep-probabilities) with a replay slider
//   TradeoffPanel     accuracy against a resource, log/linear, colour by technique,
//                     Pareto front; click selects a run
//   StructurePanel    per-layer units and parameters before/after compression, precision
//   DeployPanel       export to .slim at a precision, slimrt benchmark, measurements
//   ContextPanel      a .slim with operating points replayed over a budget trace
//                     (slimlab simulate-context): budget, chosen point, running
//                     accuracy and energy over time, against every fixed point
#include <string>
#include <vector>

#include "gui/model/compare.h"
#include "gui/model/context_sim.h"
#include "gui/model/views.h"
#include "gui/ui/file_dialog.h"
#include "gui/ui/panel.h"
#include "gui/ui/plot_widget.h"

namespace slimlab::gui {

class ExperimentsPanel : public Panel {
 public:
  explicit ExperimentsPanel(Workbench& wb);
  void draw_content() override;
  void save_state(GuiState& s) const override;
  void load_state(const GuiState& s) override;
  void refresh_files();
  // File menu: open a file in the form (and remember it), or show a dialog.
  bool open_file(const std::filesystem::path& file);
  void request_open();
  void request_save_as();
  void request_folder();

 private:
  enum class Ask { kNone, kOpen, kSaveAs, kFolder };
  void draw_form();
  void draw_fields(ExperimentForm& form);
  void draw_jobs();
  void draw_dialog();
  FileDialog dialog_;
  Ask asking_ = Ask::kNone;
  bool show_all_keys_ = false;
  std::vector<std::filesystem::path> files_;
  std::string open_file_;
  char save_name_[128] = "";
  std::string message_;
  std::vector<int> queued_;  // the jobs message_ speaks of ("queued 2 run(s)")
  int parallel_ = 1;
  bool listed_ = false;
};

// File → New experiment (NewExperiment, gui/model/new_experiment.h).
class NewExperimentPanel : public Panel {
 public:
  explicit NewExperimentPanel(Workbench& wb);
  void draw_content() override;
  bool default_open() const override { return false; }
  void start_new();  // a fresh experiment, window shown
  // Where the class-count chart was drawn last (the screenshot test) and its colour.
  const Rect& chart() const { return chart_; }
  static constexpr uint32_t kBarColor = rgba(242, 142, 43);
  const std::string& message() const { return message_; }
  void set_save_path(const std::string& p) { save_path_ = p; }
  bool save();  // to the path shown; message() says what happened

 private:
  enum class Ask { kNone, kData, kSave };
  void draw_data();
  void draw_summary(const DataSummary& s);
  void draw_model();
  void draw_stages();
  void draw_actions();
  void draw_table(const char* title, const std::string& table, bool open_default);
  void draw_key(const std::string& dotted, const exp::SchemaEntry& e, int line = 0);
  FileDialog dialog_;
  Ask asking_ = Ask::kNone;
  Rect chart_;
  int stage_choice_ = 0;
  std::string save_path_, auto_path_, message_;
  bool overwrite_ = false;
  std::vector<int> queued_;
};

// Two or more runs side by side (gui/model/compare.h).
class ComparePanel : public Panel {
 public:
  explicit ComparePanel(Workbench& wb);
  void draw_content() override;
  bool default_open() const override { return false; }
  void save_state(GuiState& s) const override;
  void load_state(const GuiState& s) override;
  CompareSet& set() { return set_; }

 private:
  std::vector<const exp::RunRecord*> picked() const;
  void draw_picker();
  void draw_structure(const std::vector<const exp::RunRecord*>& runs);
  CompareSet set_;
  std::string metric_ = "val_accuracy";
  PlotModel plot_;
  PlotWidget widget_{"compare"};
  std::string built_;  // what plot_ shows: metric, runs version, keys
};

class RunsPanel : public Panel {
 public:
  explicit RunsPanel(Workbench& wb);
  void draw_content() override;
  void save_state(GuiState& s) const override;
  void load_state(const GuiState& s) override;

 private:
  void draw_details(const exp::RunRecord& r);
  char filter_text_[128] = "";
  std::string status_, technique_, experiment_;
  std::string details_key_;  // whose log tail is cached
  uint64_t details_version_ = 0;
  std::string log_tail_;
  bool scroll_to_end_ = false;
  std::string resume_message_;
};

class LivePanel : public Panel {
 public:
  explicit LivePanel(Workbench& wb);
  void draw_content() override;
  bool animating() const override { return playing_; }

 private:
  std::string shown_key_;
  uint64_t shown_revision_ = 0;
  PlotModel loss_, acc_, trace_;
  PlotWidget loss_w_{"loss"}, acc_w_{"accuracy"}, trace_w_{"trace"};
  std::vector<StageTrace> traces_;
  int trace_index_ = 0;
  std::vector<bool> visible_;  // columns shown of the current trace
  std::string visible_name_;
  int replay_ = 0;
  bool playing_ = false;
  double play_clock_ = 0;
};

class TradeoffPanel : public Panel {
 public:
  explicit TradeoffPanel(Workbench& wb);
  void draw_content() override;
  void save_state(GuiState& s) const override;
  void load_state(const GuiState& s) override;
  // For the screenshot test and the benchmark.
  const PlotModel& plot() const { return plot_; }
  const PlotWidget& widget() const { return widget_; }
  PlotWidget& widget() { return widget_; }
  const Tradeoff& tradeoff() const { return tradeoff_; }
  TradeoffOptions& options() { return options_; }

 private:
  void rebuild();
  TradeoffOptions options_;
  Tradeoff tradeoff_;
  PlotModel plot_;
  PlotWidget widget_{"tradeoff"};
  uint64_t built_revision_ = ~uint64_t(0);
  TradeoffOptions built_options_;
  bool dirty_ = true;
};

class StructurePanel : public Panel {
 public:
  explicit StructurePanel(Workbench& wb);
  void draw_content() override;

 private:
  void draw_stages(const exp::RunRecord& r);
  std::string base_key_;  // "" = automatic
};

class DeployPanel : public Panel {
 public:
  explicit DeployPanel(Workbench& wb);
  void draw_content() override;
  void save_state(GuiState& s) const override;
  void load_state(const GuiState& s) override;

 private:
  void draw_run();
  void draw_try(const exp::RunRecord& r);
  int precision_ = 0;
  bool opencl_ = false, front_end_ = false;
  std::string message_;
  std::string shown_key_;  // the run whose precision precision_ defaults to
  std::string input_, try_message_;
  int model_choice_ = 0;
  FileDialog dialog_;
};

// The selected run's operating points over a budget trace (gui/model/context_sim.h).
class ContextPanel : public Panel {
 public:
  explicit ContextPanel(Workbench& wb);
  void draw_content() override;
  bool default_open() const override { return false; }
  void save_state(GuiState& s) const override;
  void load_state(const GuiState& s) override;
  ContextOptions& options() { return options_; }
  // What the last frame showed (tests, the scripted window): the summary table's cells
  // (policy, accuracy, energy uJ, uJ/inf, rows), the best fixed row (-1: none), the error
  // text ("" when none), the four plots (budget, point, accuracy, energy) and their frames.
  const std::vector<std::vector<std::string>>& table() const { return table_; }
  int best_row() const { return best_; }
  const std::string& error() const { return error_; }
  const PlotModel& plot(size_t i) const { return plots_[i]; }
  const PlotWidget& widget(size_t i) const { return widgets_[i]; }

 private:
  void draw_controls(const exp::RunRecord& r, const ContextSim* last);
  void draw_result(const ContextSim& s);
  void build_table(const ContextSim& s);
  void draw_table(const ContextSim& s);
  ContextOptions options_;
  std::string message_, error_;
  std::vector<std::vector<std::string>> table_;
  int best_ = -1;
  int shown_id_ = 0;  // the simulation the plots and table show
  PlotModel plots_[4];
  PlotWidget widgets_[4] = {PlotWidget("ctx_budget"), PlotWidget("ctx_point"), PlotWidget("ctx_accuracy"),
                            PlotWidget("ctx_energy")};
  FileDialog dialog_;
};

}  // namespace slimlab::gui
