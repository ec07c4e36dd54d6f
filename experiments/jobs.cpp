#include "experiments/jobs.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "experiments/run_lock.h"
#include "experiments/runs.h"

extern char** environ;

namespace fs = std::filesystem;

namespace slimlab::exp {

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

namespace {

// The last "error: …" line a child printed (slimlab prints "slimlab: error: <why>"), or "".
std::string last_error_line(const fs::path& output) {
  if (output.empty()) return "";
  std::ifstream in(output);
  std::string line, found;
  while (std::getline(in, line)) {
    const size_t at = line.find("error: ");
    if (at != std::string::npos) found = line.substr(at + 7);
  }
  return found;
}

}  // namespace

std::string describe_signal(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  std::string s = "signal " + std::to_string(sig) + " (" + (abbrev ? "SIG" + std::string(abbrev) : strsignal(sig));
  // The kernel's out-of-memory killer sends SIGKILL; so does `kill -9`.
  if (sig == SIGKILL) s += " — out of memory?";
  return s + ")";
}

std::string describe_wait_status(int st) {
  if (WIFEXITED(st)) return "exit " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return "killed by " + describe_signal(WTERMSIG(st));
  return "ended with wait status " + std::to_string(st);
}

bool mark_run_status(const fs::path& run_dir, const std::string& word, const std::string& why) {
  if (run_dir.empty()) return false;
  std::error_code ec;
  if (const auto st = read_status(run_dir); st && st->first != "running") return false;
  // A live process holds the folder (a second run of the same id that is still working).
  if (run_lock_holder(run_dir) > 0) return false;
  fs::create_directories(run_dir, ec);
  const fs::path tmp = run_dir / ("status.tmp-" + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << word << ": " << why << "\n";
    if (!out) return false;
  }
  fs::rename(tmp, run_dir / "status", ec);
  return !ec;
}

bool settle_run_status(const Job& j) {
  if (j.spec.run_dir.empty()) return false;
  if (j.state == JobState::kCancelled) return mark_run_status(j.spec.run_dir, "cancelled", j.cancel_reason);
  if (j.state != JobState::kFailed) return false;
  std::string why = j.message;
  if (j.signal == 0 && j.exit_code > 0) {
    const std::string said = last_error_line(j.spec.output);
    why = said.empty() ? "the process ended with " + j.message + " without a final status" : said;
  }
  if (!j.spec.output.empty() && j.signal != 0) why += "; see log.txt and " + j.spec.output.filename().string();
  return mark_run_status(j.spec.run_dir, "failed", why);
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
    settle_run_status(j);
    return;
  }
  j.pid = pid;
  j.state = JobState::kRunning;
}

void JobQueue::finish(Job& j, int st) {
  j.ended = std::chrono::steady_clock::now();
  if (WIFEXITED(st)) j.exit_code = WEXITSTATUS(st);
  else if (WIFSIGNALED(st)) j.signal = WTERMSIG(st);
  j.message = describe_wait_status(st);
  if (j.cancel_requested) j.state = JobState::kCancelled;
  else j.state = WIFEXITED(st) && j.exit_code == 0 ? JobState::kFinished : JobState::kFailed;
  settle_run_status(j);
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
      settle_run_status(j);
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
    if (j.state == JobState::kRunning) {
      --slots;
      if (on_start) on_start(j);
    } else {
      done.push_back(j.id);
    }
  }
  if (on_done)
    for (int id : done)
      if (const Job* j = find(id)) {
        const Job copy = *j;
        on_done(copy);
      }
  return changed;
}

void JobQueue::cancel(int id, const std::string& why) {
  for (Job& j : jobs_) {
    if (j.id != id) continue;
    j.cancel_reason = why;
    if (j.state == JobState::kQueued) {
      j.state = JobState::kCancelled;
      j.message = "cancelled before it started";
      j.ended = std::chrono::steady_clock::now();
      settle_run_status(j);
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

void JobQueue::cancel_all(const std::string& why) {
  for (Job& j : jobs_) cancel(j.id, why);
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

bool JobQueue::wait_all(std::chrono::milliseconds timeout, const volatile int* interrupted,
                        const std::string& interrupt_reason) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  bool cancelled = false;
  while (running() + queued() > 0) {
    if (interrupted && *interrupted && !cancelled) {
      cancel_all(interrupt_reason);
      cancelled = true;
    }
    poll();
    if (running() + queued() == 0) break;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace slimlab::exp
