#pragma once
// Running experiments. run_one() trains one resolved experiment (one sweep point)
// into runs/<experiment>/<run-id>/:
//   config.toml     the resolved configuration
//   status          "running" while it trains, then "finished", "failed: <why>" or "cancelled: <why>"
//   lock            held (fcntl) by the process working in the folder
//   log.txt         what the run printed (progress lines, notes, errors)
//   curves.csv      one line per finished epoch, appended live (the GUI reads it)
//   checkpoints/    last.pt after every epoch (resume with --resume)
//   results.h5      curves, final metrics, confusion matrices, the Graph IR
//                   summary and the resource profile (experiments/results.h)
// run_sweep() runs every point of an experiment, `jobs` at a time, each in its own
// child process (`slimlab train FILE --set … --run-id …`), so a run that crashes
// takes nothing else down. No LibTorch in this header.
//
// The status file: "running", "finished", "failed: <why>" or "cancelled: <why>". A
// run writes its own failures (an exception: bad data, a stage that produced no
// model, a failed export); the launcher writes the ones a run cannot (a signal, an
// out-of-memory kill, a cancel; experiments/jobs.h). The run folder is locked while
// a process works in it (experiments/run_lock.h).
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/experiment.h"
#include "experiments/results.h"

namespace slimlab::exp {

struct RunOptions {
  std::filesystem::path runs_root = "runs";
  std::string run_id = "p00";
  bool resume = false;
  bool quiet = false;  // no progress bar (children of run_sweep log to their run folder)
  // Data-parallel training (CLI only): world size, this process's rank, TCPStore host:port.
  int world_size = 1;
  int rank = 0;
  std::string master = "127.0.0.1:29500";
};

// Trains `e` and writes its run folder. Returns the record written to results.h5.
// A failure is recorded (status, results.h5 with status "failed" and the error) and rethrown.
RunRecord run_one(const Experiment& e, const RunOptions& options);

// The folder of a run.
std::filesystem::path run_dir(const RunOptions& options, const std::string& experiment);

struct SweepReport {
  int finished = 0;
  int failed = 0;  // failed or cancelled
  std::vector<std::string> failed_ids;
  bool interrupted = false;  // SIGINT / SIGTERM cancelled the rest
};

// Every sweep point of the experiment in `file` (with `overrides` applied first),
// `jobs` children at a time through the shared launcher (experiments/jobs.h); each
// child's output goes to its run folder's console.txt. `self_exe` is the slimlab
// binary to launch. A point whose folder another live process holds gets another
// id (said on stdout). A failed point's reason is printed even when `quiet` (which
// leaves out the start / finish lines). SIGINT or SIGTERM cancels the children:
// their runs say "cancelled: interrupted …".
SweepReport run_sweep(const std::filesystem::path& file, const std::vector<std::string>& overrides, int jobs,
                      const std::filesystem::path& runs_root, const std::filesystem::path& self_exe,
                      bool quiet = false);

// Launches `nproc` local copies of this executable for data-parallel training
// (each with --world-size/--rank/--master on a free loopback port) and waits for
// them; non-zero when any fails (the others are stopped).
int launch_local_workers(int nproc, const std::vector<std::string>& argv_without_nproc);

// The current git commit of the working directory ("" when not in a repository).
std::string git_commit();

}  // namespace slimlab::exp
