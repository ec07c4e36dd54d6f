// run_sweep and helpers: process management (the shared launcher, experiments/jobs.h), no LibTorch.
#include "experiments/runner.h"

#include <signal.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>

#include "experiments/jobs.h"
#include "experiments/run_lock.h"
#include "experiments/runs.h"
#include "experiments/sweep.h"

namespace slimlab::exp {

namespace fs = std::filesystem;

fs::path run_dir(const RunOptions& o, const std::string& experiment) { return o.runs_root / experiment / o.run_id; }

std::string git_commit() {
  FILE* p = popen("git rev-parse HEAD 2>/dev/null", "r");
  if (!p) return "";
  std::array<char, 128> buf{};
  std::string out;
  if (fgets(buf.data(), int(buf.size()), p)) out = buf.data();
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

// SIGINT / SIGTERM cancel the sweep's children (their own process groups do not see
// the terminal's Ctrl-C) for as long as this object lives.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// `id`, or the first `id-N` without a folder when a live process holds id's folder.
std::string free_run_id(const fs::path& experiment_dir, const std::string& id) {
  if (run_lock_holder(experiment_dir / id) == 0) return id;
  std::error_code ec;
  for (int n = 2;; ++n) {
    const std::string alt = id + "-" + std::to_string(n);
    if (!fs::exists(experiment_dir / alt, ec)) return alt;
  }
}

// What a run's status file says ("" when it has none).
std::string status_reason(const fs::path& run) {
  const auto st = read_status(run);
  if (!st) return "";
  return st->second.empty() ? st->first : st->first + ": " + st->second;
}

}  // namespace

SweepReport run_sweep(const fs::path& file, const std::vector<std::string>& overrides, int jobs,
                      const fs::path& runs_root, const fs::path& self_exe, bool quiet) {
  // Validate everything (file, overrides, every point) before any work.
  const Experiment e = load_experiment(file, overrides);
  // Sweep points × [evaluation] folds and seeds (loso counts the subjects in the data).
  const std::vector<SweepPoint> points = expand_protocol(expand_sweep(e), protocol_folds(e));
  if (jobs < 1) jobs = 1;
  const fs::path exp_dir = runs_root / e.name;
  if (!quiet)
    std::cout << e.name << ": " << points.size() << " run" << (points.size() == 1 ? "" : "s") << ", " << jobs
              << " at a time, in " << exp_dir.string() << "\n"
              << std::flush;

  JobQueue queue;
  queue.set_max_parallel(jobs);
  std::map<int, size_t> point_of;  // job id → point
  auto submit = [&](size_t i, const std::string& wanted) {
    const std::string id = free_run_id(exp_dir, wanted);
    if (id != wanted)
      std::cout << "  " << wanted << " is being run by another slimlab process (pid "
                << run_lock_holder(exp_dir / wanted) << "): this run writes " << id << " instead\n"
                << std::flush;
    JobSpec spec;
    spec.label = id;
    spec.run_dir = exp_dir / id;
    spec.output = spec.run_dir / "console.txt";
    spec.argv = {self_exe.string(), "train", file.string(), "--quiet", "--runs", runs_root.string(), "--run-id", id};
    for (const auto& o : overrides) spec.argv.insert(spec.argv.end(), {"--set", o});
    for (const auto& o : points[i].overrides) spec.argv.insert(spec.argv.end(), {"--set", o});
    point_of[queue.submit(std::move(spec))] = i;
  };
  SweepReport report;
  queue.on_start = [&](const Job& j) {
    if (!quiet) std::cout << "  started  " << j.spec.label << "\n" << std::flush;
  };
  queue.on_done = [&](const Job& j) {
    if (j.exit_code == kRunFolderBusyExit) {  // another process took the folder first: next id
      submit(point_of.at(j.id), j.spec.label);
      return;
    }
    if (j.state == JobState::kFinished) {
      ++report.finished;
      if (!quiet) std::cout << "  finished " << j.spec.label << "\n";
    } else {
      ++report.failed;
      report.failed_ids.push_back(j.spec.label);
      // The reason is printed even when quiet: the run's status file says it (the run
      // wrote it, or the launcher did for a signal or a cancel).
      std::string why = status_reason(j.spec.run_dir);
      if (why.empty() || why == "running") why = j.message;
      std::cout << "  " << (j.state == JobState::kCancelled ? "CANCELLED " : "FAILED   ") << j.spec.label << ": "
                << why << " (" << j.message << "; see " << (j.spec.run_dir / "log.txt").string() << ")\n";
    }
    std::cout << std::flush;
  };
  for (size_t i = 0; i < points.size(); ++i) submit(i, points[i].id);
  InterruptGuard guard;
  queue.wait_all(std::chrono::hours(24 * 365), &g_interrupted, "interrupted (Ctrl-C or SIGTERM to slimlab run)");
  report.interrupted = g_interrupted != 0;
  return report;
}

}  // namespace slimlab::exp
