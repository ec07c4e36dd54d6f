#pragma once
// Everything the panels share, without ImGui: where things are, the run scanner
// and table, the job queue, the open experiment, deploy requests and the
// persistent state. The app calls update() once per frame; it never blocks.
#include <filesystem>
#include <memory>
#include <string>

#include "gui/model/context_sim.h"
#include "gui/model/deploy.h"
#include "gui/model/experiment_form.h"
#include "gui/model/gui_state.h"
#include "gui/model/jobs.h"
#include "gui/model/new_experiment.h"
#include "gui/model/predict.h"
#include "gui/model/run_store.h"

namespace slimlab::gui {

struct WorkbenchPaths {
  std::filesystem::path runs_root = "runs";
  std::filesystem::path experiments_dir = "experiments";
  std::filesystem::path slimlab_exe;     // default: `slimlab` beside this executable
  std::filesystem::path slimrt_run_exe;  // default: `slimrt-run` beside this executable
  std::filesystem::path config_dir;      // imgui.ini and gui-state.ini; default $XDG_CONFIG_HOME/slimlab
  bool experiments_dir_given = false;    // set on the command line: wins over the remembered folder
};

// The folder of the running executable (/proc/self/exe), or "" when unknown.
std::filesystem::path executable_dir();
// $XDG_CONFIG_HOME/slimlab, else $HOME/.config/slimlab, else ./.slimlab-gui.
std::filesystem::path default_config_dir();

class Workbench {
 public:
  explicit Workbench(WorkbenchPaths paths, bool background_scan = true);
  ~Workbench();

  // Once per frame: reap children, advance deploys, take the scanner's newest list.
  void update();
  // Blocking full scan (start-up, tests).
  void rescan_now();

  const WorkbenchPaths& paths() const { return paths_; }
  RunScanner& scanner() { return scanner_; }
  RunTable& table() { return table_; }
  JobQueue& jobs() { return jobs_; }
  DeployController& deploy() { return deploy_; }
  PredictController& predict() { return predict_; }
  ContextController& context() { return context_; }
  ExperimentForm& form() { return form_; }
  NewExperiment& new_experiment() { return new_; }
  // File → Experiments folder: where the Experiments panel lists files and Save as writes.
  void set_experiments_dir(const std::filesystem::path& dir) { paths_.experiments_dir = dir; }
  GuiState& state() { return state_; }
  std::filesystem::path state_file() const { return paths_.config_dir / "gui-state.ini"; }
  std::filesystem::path imgui_ini() const { return paths_.config_dir / "imgui.ini"; }

  // The run a train job writes, to cancel it from the runs table.
  const Job* job_for_run(const std::filesystem::path& run_dir) const;
  // A failed run with a checkpoint continues where it stopped:
  // `slimlab train <run>/config.toml --runs ROOT --run-id ID --resume`. Returns the job
  // id, or 0 with *why (no checkpoint, still running, …).
  int resume_run(const exp::RunRecord& r, std::string* why);

  // The runs shown change only here, so a frame sees one consistent list.
  uint64_t runs_version() const { return seen_version_; }

 private:
  WorkbenchPaths paths_;
  RunScanner scanner_;
  RunTable table_;
  JobQueue jobs_;
  DeployController deploy_;
  PredictController predict_;
  ContextController context_;
  ExperimentForm form_;
  NewExperiment new_;
  GuiState state_;
  uint64_t seen_version_ = 0;
  bool background_;
};

}  // namespace slimlab::gui
