// `slimlab train` (one run) and `slimlab run` (every point of an experiment's sweep).
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "experiments/runner.h"
#include "experiments/schema.h"

namespace slimlab::cli {

namespace {
std::vector<std::string> g_raw_args;
}

void set_raw_args(int argc, char** argv) { g_raw_args.assign(argv, argv + argc); }
const std::vector<std::string>& raw_args() { return g_raw_args; }

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) return std::string(buf, size_t(n));
  return g_raw_args.empty() ? "slimlab" : g_raw_args[0];
}

void add_train_command(CLI::App& app) {
  struct Args {
    std::string file;
    std::vector<std::string> overrides;
    exp::RunOptions run;
    std::string runs_root = "runs";
    int nproc = 0;
    bool help_keys = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("train", "Train one run of an experiment (a TOML file) into runs/<experiment>/<run-id>/");
  cmd->add_option("experiment", a->file, "Experiment file, e.g. experiments/quickstart.toml");
  cmd->add_option("--set", a->overrides, "Override a key: --set model.width=0.5 --set train.epochs=3 (repeatable)")
      ->take_all();
  cmd->add_option("--run-id", a->run.run_id, "Name of the run folder")->capture_default_str();
  cmd->add_option("--runs", a->runs_root, "Root folder of the runs")->capture_default_str();
  cmd->add_flag("--resume", a->run.resume, "Continue from the run's last checkpoint (after a crash or a kill)");
  cmd->add_flag("--quiet", a->run.quiet, "No progress bar; the run still logs to its folder");
  cmd->add_flag("--help-keys", a->help_keys, "List every experiment key with its type, range, default and meaning");
  const std::string dist = "Data-parallel training (c10d Gloo)";
  cmd->add_option("--world-size", a->run.world_size, "Number of processes")->check(CLI::Range(1, 1024))->group(dist);
  cmd->add_option("--rank", a->run.rank, "This process's rank, 0 … world-size−1")->check(CLI::Range(0, 1023))->group(dist);
  cmd->add_option("--master", a->run.master, "host:port of rank 0's TCP store, reachable by every rank")
      ->capture_default_str()->group(dist);
  cmd->add_option("--nproc", a->nproc, "Launch this many local workers on loopback (sets the three options above)")
      ->check(CLI::Range(1, 64))->group(dist);
  cmd->footer(
      "Examples:\n"
      "  slimlab train experiments/quickstart.toml\n"
      "  slimlab train experiments/mnist_lenet5.toml --set train.epochs=3 --run-id short\n"
      "  slimlab train experiments/mnist_lenet5.toml --run-id short --resume\n"
      "  slimlab train experiments/hmp_cnn1d.toml --nproc 2\n"
      "A [sweep] is ignored here (its first point is not applied); use `slimlab run` for every point.");
  cmd->callback([a] {
    if (a->help_keys) {
      std::cout << exp::help_keys();
      return;
    }
    if (a->file.empty()) throw CLI::RequiredError("experiment");
    if (a->run.rank >= a->run.world_size)
      throw std::invalid_argument("--rank " + std::to_string(a->run.rank) + " must be below --world-size " +
                                  std::to_string(a->run.world_size));
    if (a->nproc > 0) {
      // Re-launch ourselves N times without --nproc; the workers find a free port.
      std::vector<std::string> args;
      const auto& raw = raw_args();
      for (size_t i = 1; i < raw.size(); ++i) {
        if (raw[i] == "--nproc") {
          ++i;
          continue;
        }
        if (raw[i].rfind("--nproc=", 0) == 0) continue;
        args.push_back(raw[i]);
      }
      args.insert(args.begin(), self_exe());
      const int rc = exp::launch_local_workers(a->nproc, args);
      if (rc != 0) throw std::runtime_error("a worker failed (exit " + std::to_string(rc) + ")");
      return;
    }
    a->run.runs_root = a->runs_root;
    exp::Experiment e = exp::load_experiment(a->file, a->overrides);
    // One run: the sweep's points are applied through --set by `slimlab run`, and
    // the run's config.toml records this point only.
    e.sweep = {};
    e.toml_text = exp::to_toml(e);
    exp::run_one(e, a->run);
  });
}

void add_run_command(CLI::App& app) {
  struct Args {
    std::string file;
    std::vector<std::string> overrides;
    std::string runs_root = "runs";
    int jobs = 1;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("run", "Run every point of an experiment's [sweep], N at a time, each in its own process");
  cmd->add_option("experiment", a->file, "Experiment file")->required();
  cmd->add_option("--jobs,-j", a->jobs, "Runs at the same time")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--set", a->overrides, "Override a key for every point (repeatable)")->take_all();
  cmd->add_option("--runs", a->runs_root, "Root folder of the runs")->capture_default_str();
  cmd->add_flag("--quiet", a->quiet, "Only failed runs (with the reason) and the summary line");
  cmd->footer("Example:\n  slimlab run experiments/quickstart.toml --jobs 2\n  slimlab runs list");
  cmd->callback([a] {
    const auto report = exp::run_sweep(a->file, a->overrides, a->jobs, a->runs_root, self_exe(), a->quiet);
    std::cout << report.finished << " finished, " << report.failed << " failed"
              << (report.interrupted ? " (interrupted)" : "") << "\n";
    if (report.failed > 0) throw std::runtime_error(std::to_string(report.failed) + " run(s) failed");
  });
}

}  // namespace slimlab::cli
