#include "gui/model/workbench.h"

#include <unistd.h>

#include <cstdlib>

namespace fs = std::filesystem;

namespace slimlab::gui {

fs::path executable_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

fs::path default_config_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return fs::path(x) / "slimlab";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".config" / "slimlab";
  return ".slimlab-gui";
}

namespace {
WorkbenchPaths with_defaults(WorkbenchPaths p) {
  if (p.slimlab_exe.empty()) p.slimlab_exe = executable_dir() / "slimlab";
  if (p.slimrt_run_exe.empty()) p.slimrt_run_exe = executable_dir() / "slimrt-run";
  if (p.config_dir.empty()) p.config_dir = default_config_dir();
  return p;
}
}  // namespace

Workbench::Workbench(WorkbenchPaths paths, bool background_scan)
    : paths_(with_defaults(std::move(paths))),
      scanner_(paths_.runs_root),
      deploy_(jobs_, paths_.slimlab_exe, paths_.slimrt_run_exe),
      predict_(jobs_, paths_.slimrt_run_exe),
      context_(jobs_, paths_.slimlab_exe),
      state_(GuiState::load(state_file())),
      background_(background_scan) {
  jobs_.on_done = [this](const Job& j) {
    deploy_.on_job_done(j);
    predict_.on_job_done(j);
    context_.on_job_done(j);
    scanner_.request_rescan();  // its run folder changed (finished, failed, measured)
  };
  if (background_) scanner_.start();
}

Workbench::~Workbench() { scanner_.stop(); }

void Workbench::update() {
  jobs_.poll();
  new_.poll();
  const uint64_t v = scanner_.version();
  if (v != seen_version_) {
    seen_version_ = v;
    table_.set_runs(scanner_.snapshot());
  }
}

void Workbench::rescan_now() {
  if (background_) {
    scanner_.stop();
    scanner_.scan_once();
    scanner_.start();
  } else {
    scanner_.scan_once();
  }
  update();
}

int Workbench::resume_run(const exp::RunRecord& r, std::string* why) {
  auto fail = [&](const std::string& w) {
    if (why) *why = w;
    return 0;
  };
  std::error_code ec;
  if (r.dir.empty() || !fs::exists(r.dir / "config.toml", ec)) return fail("the run has no config.toml");
  if (!fs::exists(r.dir / "checkpoints" / "last.pt", ec)) return fail("the run has no checkpoint to resume from");
  if (r.status == "running" || r.status == "finished") return fail("the run is " + r.status);
  if (const Job* j = job_for_run(r.dir); j && !j->done()) return fail("a job of this run is still " + std::string(to_string(j->state)));
  JobSpec spec;
  spec.label = r.experiment + "/" + r.run_id + " (resume)";
  spec.kind = "train";
  spec.run_dir = r.dir;
  spec.output = r.dir / "console.txt";
  spec.argv = {paths_.slimlab_exe.string(), "train", (r.dir / "config.toml").string(), "--quiet",
               "--runs", r.dir.parent_path().parent_path().string(), "--run-id", r.run_id, "--resume"};
  return jobs_.submit(std::move(spec));
}

const Job* Workbench::job_for_run(const fs::path& run_dir) const {
  const Job* found = nullptr;
  for (const Job& j : jobs_.jobs())
    if (j.spec.kind == "train" && !j.spec.run_dir.empty() && j.spec.run_dir == run_dir) found = &j;
  return found;
}

}  // namespace slimlab::gui
