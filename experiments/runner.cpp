// run_sweep and helpers: process management only, no LibTorch.
#include "experiments/runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <iostream>
#include <map>

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

SweepReport run_sweep(const fs::path& file, const std::vector<std::string>& overrides, int jobs,
                      const fs::path& runs_root, const fs::path& self_exe) {
  // Validate everything (file, overrides, every point) before any work.
  const Experiment e = load_experiment(file, overrides);
  const std::vector<SweepPoint> points = expand_sweep(e);
  if (jobs < 1) jobs = 1;
  std::cout << e.name << ": " << points.size() << " run" << (points.size() == 1 ? "" : "s") << ", " << jobs
            << " at a time, in " << (runs_root / e.name).string() << "\n"
            << std::flush;

  SweepReport report;
  std::map<pid_t, size_t> running;
  size_t next = 0;
  auto launch = [&](size_t i) {
    std::vector<std::string> args = {self_exe.string(), "train", file.string(), "--quiet",
                                     "--runs",          runs_root.string(),
                                     "--run-id",        points[i].id};
    for (const auto& o : overrides) args.insert(args.end(), {"--set", o});
    for (const auto& o : points[i].overrides) args.insert(args.end(), {"--set", o});
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      std::perror("slimlab run: exec");
      _exit(127);
    }
    if (pid < 0) throw std::runtime_error("slimlab run: cannot start a child process");
    running[pid] = i;
    std::cout << "  started  " << points[i].id << "\n" << std::flush;
  };
  while (next < points.size() || !running.empty()) {
    while (next < points.size() && int(running.size()) < jobs) launch(next++);
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::string& id = points[it->second].id;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok) {
      ++report.finished;
      std::cout << "  finished " << id << "\n";
    } else {
      ++report.failed;
      report.failed_ids.push_back(id);
      std::cout << "  FAILED   " << id << " ("
                << (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                        : "exit " + std::to_string(WEXITSTATUS(status)))
                << "; see " << (runs_root / e.name / id / "log.txt").string() << ")\n";
    }
    std::cout << std::flush;
    running.erase(it);
  }
  return report;
}

}  // namespace slimlab::exp
