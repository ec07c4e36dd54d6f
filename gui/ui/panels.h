#pragma once
// The six panels of issue 8, one class each (one .cpp each):
//   ExperimentsPanel  list experiments/*.toml, edit one as a validated form, save as
//                     new, start/queue its sweep points, cancel jobs
//   RunsPanel         sortable, filterable table of every run; selection; failed
//                     runs' errors and log tails
//   LivePanel         loss/accuracy curves while a run trains; stage traces
//                     (DeepIoT keep-probabilities) with a replay slider
//   TradeoffPanel     accuracy against a resource, log/linear, colour by technique,
//                     Pareto front; click selects a run
//   StructurePanel    per-layer units and parameters before/after compression, precision
//   DeployPanel       export to .slim at a precision, slimrt benchmark, measurements
#include <string>
#include <vector>

#include "gui/model/views.h"
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

 private:
  void draw_form();
  void draw_jobs();
  std::vector<std::filesystem::path> files_;
  std::string open_file_;
  char save_name_[128] = "";
  std::string message_;
  int parallel_ = 1;
  bool listed_ = false;
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
  int precision_ = 0;
  bool opencl_ = false;
  std::string message_;
};

}  // namespace slimlab::gui
