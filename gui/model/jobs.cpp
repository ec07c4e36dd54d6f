#include "gui/model/jobs.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "experiments/runs.h"

extern char** environ;

namespace fs = std::filesystem;

namespace slimlab::gui {

const char* to_string(JobState s) {
  switch (s) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kFinished: return "finished";
    case JobState::kFailed: return "failed";
    case JobState::kCancelled: return "cancelled";
  }
  return "?";
}

bool mark_run_failed(const fs::path& run_dir, const std::string& why) {
  if (run_dir.empty()) return false;
  std::error_code ec;
  const fs::path status = run_dir / "status";
  if (fs::exists(status, ec)) {
    std::ifstream in(status);
    std::stringstream ss;
    ss << in.rdbuf();
    if (exp::parse_status_text(ss.str()).first != "running") return false;
  }
  fs::create_directories(run_dir, ec);
  const fs::path tmp = run_dir / "status.gui-tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "failed: " << why << "\n";
    if (!out) return false;
  }
  fs::rename(tmp, status, ec);
  return !ec;
}

JobQueue::~JobQueue() {
  if (!kill_on_exit) return;
  for (Job& j : jobs_)
    if (j.state == JobState::kRunning && j.pid > 0) {
      ::kill(-j.pid, SIGKILL);
      int st = 0;
      ::waitpid(j.pid, &st, 0);
    }
}

int JobQueue::submit(JobSpec spec) {
  Job j;
  j.id = next_id_++;
  j.spec = std::move(spec);
  jobs_.push_back(std::move(j));
  return jobs_.back().id;
}

void JobQueue::start(Job& j) {
  j.started = std::chrono::steady_clock::now();
  if (j.spec.argv.empty()) {
    j.state = JobState::kFailed;
    j.message = "could not start: no command";
    j.ended = j.started;
    return;
  }
  std::error_code ec;
  if (!j.spec.output.empty() && j.spec.output.has_parent_path()) fs::create_directories(j.spec.output.parent_path(), ec);
  // posix_spawn, not fork: the GUI has threads (the run scanner), and between
  // fork and exec only async-signal-safe calls are allowed.
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  const std::string out = j.spec.output.empty() ? std::string("/dev/null") : j.spec.output.string();
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  // Its own process group, so a cancel reaches everything the run started.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> argv;
  for (auto& a : j.spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    j.state = JobState::kFailed;
    j.message = "could not start " + j.spec.argv[0] + ": " + std::strerror(rc);
    j.ended = std::chrono::steady_clock::now();
    if (!j.spec.run_dir.empty()) mark_run_failed(j.spec.run_dir, j.message);
    return;
  }
  j.pid = pid;
  j.state = JobState::kRunning;
}

void JobQueue::finish(Job& j, int st) {
  j.ended = std::chrono::steady_clock::now();
  if (WIFEXITED(st)) {
    j.exit_code = WEXITSTATUS(st);
    j.message = "exit " + std::to_string(j.exit_code);
  } else if (WIFSIGNALED(st)) {
    j.signal = WTERMSIG(st);
    j.message = "killed by signal " + std::to_string(j.signal) + " (" + strsignal(j.signal) + ")";
  }
  if (j.cancel_requested) {
    j.state = JobState::kCancelled;
    if (!j.spec.run_dir.empty()) mark_run_failed(j.spec.run_dir, "cancelled from the GUI");
  } else if (WIFEXITED(st) && j.exit_code == 0) {
    j.state = JobState::kFinished;
  } else {
    j.state = JobState::kFailed;
    if (!j.spec.run_dir.empty())
      mark_run_failed(j.spec.run_dir, "the training process ended unexpectedly (" + j.message + "); see log.txt and console.txt");
  }
}

bool JobQueue::poll() {
  bool changed = false;
  std::vector<int> done;  // on_done may submit jobs: call it after the loops
  const auto now = std::chrono::steady_clock::now();
  for (Job& j : jobs_) {
    if (j.state != JobState::kRunning) continue;
    int st = 0;
    const pid_t r = ::waitpid(j.pid, &st, WNOHANG);
    if (r == j.pid) {
      finish(j, st);
      changed = true;
      done.push_back(j.id);
    } else if (r < 0 && errno == ECHILD) {  // reaped elsewhere: nothing more to learn
      j.state = j.cancel_requested ? JobState::kCancelled : JobState::kFailed;
      j.message = "lost track of the process";
      j.ended = now;
      changed = true;
      done.push_back(j.id);
    } else if (j.cancel_requested && now - j.cancel_time > kill_after) {
      ::kill(-j.pid, SIGKILL);
    }
  }
  int slots = max_parallel_ - running();
  for (Job& j : jobs_) {
    if (slots <= 0) break;
    if (j.state != JobState::kQueued) continue;
    start(j);
    changed = true;
    if (j.state == JobState::kRunning) --slots;
    else done.push_back(j.id);
  }
  if (on_done)
    for (int id : done)
      if (const Job* j = find(id)) {
        const Job copy = *j;
        on_done(copy);
      }
  return changed;
}

void JobQueue::cancel(int id) {
  for (Job& j : jobs_) {
    if (j.id != id) continue;
    if (j.state == JobState::kQueued) {
      j.state = JobState::kCancelled;
      j.message = "cancelled before it started";
      j.ended = std::chrono::steady_clock::now();
      if (on_done) {
        const Job copy = j;
        on_done(copy);
      }
      return;
    } else if (j.state == JobState::kRunning && !j.cancel_requested) {
      j.cancel_requested = true;
      j.cancel_time = std::chrono::steady_clock::now();
      ::kill(-j.pid, SIGTERM);
    }
  }
}

void JobQueue::cancel_all() {
  for (Job& j : jobs_) cancel(j.id);
}

const Job* JobQueue::find(int id) const {
  for (const Job& j : jobs_)
    if (j.id == id) return &j;
  return nullptr;
}

int JobQueue::running() const {
  int n = 0;
  for (const Job& j : jobs_) n += j.state == JobState::kRunning;
  return n;
}

int JobQueue::queued() const {
  int n = 0;
  for (const Job& j : jobs_) n += j.state == JobState::kQueued;
  return n;
}

void JobQueue::clear_done() {
  for (auto it = jobs_.begin(); it != jobs_.end();) it = it->done() ? jobs_.erase(it) : it + 1;
}

bool JobQueue::wait_all(std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (running() + queued() > 0) {
    poll();
    if (running() + queued() == 0) break;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace slimlab::gui
