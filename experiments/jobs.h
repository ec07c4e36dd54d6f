#pragma once
// The one job launcher: child processes that `slimlab run` (every sweep point, N at
// a time) and the GUI (training runs, exports, slimrt benchmarks) start. A queue
// starts up to `max_parallel` of them with posix_spawn, each in its own process
// group with stdout and stderr appended to a file; poll() reaps finished children
// with waitpid(WNOHANG) and never blocks (the GUI calls it once per frame, the CLI
// in a loop). No ImGui, no LibTorch.
//
// One rule for how a launched run ended (settle_run_status): when a train job's
// process ends and its run folder's status file is missing or still says
// "running" — the run could not say why itself — the launcher writes it:
//   cancelled: <why>   the job was cancelled (GUI button, Ctrl-C of `slimlab run`)
//   failed: <why>      killed by a signal ("killed by signal 9 (SIGKILL — out of
//                      memory?)"), a non-zero exit, or the program could not start
// A run that failed by itself already wrote "failed: <why>" (experiments/runner.h)
// and is left alone; so is a folder another live process holds (experiments/run_lock.h).
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace slimlab::exp {

struct JobSpec {
  std::string label;                   // "quickstart/p00", "export quickstart/p00 fixed"
  std::string kind = "train";          // train | export | bench (the caller's tag)
  std::vector<std::string> argv;       // argv[0] is the executable's path
  std::filesystem::path output;        // stdout and stderr go here (appended; parent folders made)
  std::filesystem::path run_dir;       // train jobs: the run folder whose status file to settle
  int group = 0;                       // caller's tag (e.g. a deploy request)
};

enum class JobState { kQueued, kRunning, kFinished, kFailed, kCancelled };
const char* to_string(JobState s);  // "queued", "running", "finished", "failed", "cancelled"

struct Job {
  int id = 0;
  JobSpec spec;
  JobState state = JobState::kQueued;
  pid_t pid = -1;
  int exit_code = -1;   // when exited normally
  int signal = 0;       // when killed by a signal
  std::string message;  // "exit 1", "killed by signal 9 (SIGKILL — out of memory?)", "could not start: …"
  std::chrono::steady_clock::time_point started, ended;
  bool cancel_requested = false;
  std::string cancel_reason = "cancelled";
  std::chrono::steady_clock::time_point cancel_time;
  bool done() const { return state == JobState::kFinished || state == JobState::kFailed || state == JobState::kCancelled; }
};

class JobQueue {
 public:
  JobQueue() = default;
  ~JobQueue();  // kills running children only when kill_on_exit (default: they keep training)
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  int submit(JobSpec spec);  // returns the job id; started by the next poll()
  // Reaps finished children, escalates cancellations (SIGTERM, SIGKILL after
  // `kill_after`), starts queued jobs. Never blocks. Returns true when a job changed state.
  bool poll();
  // A queued job is dropped; a running one gets SIGTERM (its process group), then
  // SIGKILL. `why` becomes the run's "cancelled: <why>".
  void cancel(int id, const std::string& why = "cancelled from the GUI");
  void cancel_all(const std::string& why = "cancelled from the GUI");
  void set_max_parallel(int n) { max_parallel_ = n < 1 ? 1 : n; }
  int max_parallel() const { return max_parallel_; }

  const std::deque<Job>& jobs() const { return jobs_; }
  const Job* find(int id) const;
  int running() const;
  int queued() const;
  // Drops finished, failed and cancelled jobs from the list.
  void clear_done();

  // Called from poll() after a job started / reached a final state.
  std::function<void(const Job&)> on_start;
  std::function<void(const Job&)> on_done;
  bool kill_on_exit = false;
  std::chrono::milliseconds kill_after{5000};

  // Waits (blocking: the CLI, tests, the scripted window) until no job is queued or
  // running; false on timeout. `interrupted` (may be null) is checked between polls:
  // when it turns true every job is cancelled with `interrupt_reason`.
  bool wait_all(std::chrono::milliseconds timeout, const volatile int* interrupted = nullptr,
                const std::string& interrupt_reason = "interrupted");

 private:
  void start(Job& j);
  void finish(Job& j, int wait_status);
  std::deque<Job> jobs_;
  int next_id_ = 1;
  int max_parallel_ = 1;
};

// How a child ended, in words: "exit 1", "killed by signal 11 (SIGSEGV)", and for
// SIGKILL, which the kernel's out-of-memory killer sends, "killed by signal 9
// (SIGKILL — out of memory?)".
std::string describe_wait_status(int wait_status);
std::string describe_signal(int sig);

// Writes "<word>: <why>" to <run_dir>/status when the file is missing or still says
// "running" and no other live process holds the run folder. Returns true when written.
bool mark_run_status(const std::filesystem::path& run_dir, const std::string& word, const std::string& why);
inline bool mark_run_failed(const std::filesystem::path& run_dir, const std::string& why) {
  return mark_run_status(run_dir, "failed", why);
}
// The rule above for a finished job (a no-op for jobs without a run folder or that
// finished with exit 0).
bool settle_run_status(const Job& j);

}  // namespace slimlab::exp
