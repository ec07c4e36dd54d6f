#pragma once
// Child processes the GUI starts: training runs (`slimlab train FILE --set … --run-id …`,
// exactly what `slimlab run --jobs` launches), exports and slimrt benchmarks. A
// queue starts up to `max_parallel` of them; poll() — called once per frame —
// reaps finished children with waitpid(WNOHANG) and never blocks. A child that
// crashes (signal, non-zero exit) while its run folder still says "running" gets
// "failed: …" written to its status file, so the run shows as failed with its log.
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace slimlab::gui {

struct JobSpec {
  std::string label;                   // "quickstart/p00", "export quickstart/p00 fixed"
  std::string kind = "train";          // train | export | bench (the caller's tag)
  std::vector<std::string> argv;       // argv[0] is the executable's path
  std::filesystem::path output;        // stdout and stderr go here (appended; parent folders made)
  std::filesystem::path run_dir;       // train jobs: the run folder whose status file to fix on a crash
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
  std::string message;  // "exit 1", "killed by signal 9 (Killed)", "could not start: …"
  std::chrono::steady_clock::time_point started, ended;
  bool cancel_requested = false;
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
  // A queued job is dropped; a running one gets SIGTERM (its process group), then SIGKILL.
  void cancel(int id);
  void cancel_all();
  void set_max_parallel(int n) { max_parallel_ = n < 1 ? 1 : n; }
  int max_parallel() const { return max_parallel_; }

  const std::deque<Job>& jobs() const { return jobs_; }
  const Job* find(int id) const;
  int running() const;
  int queued() const;
  // Drops finished, failed and cancelled jobs from the list.
  void clear_done();

  // Called from poll() after a job reaches a final state.
  std::function<void(const Job&)> on_done;
  bool kill_on_exit = false;
  std::chrono::milliseconds kill_after{5000};

  // Waits (blocking, tests and the scripted window only) until no job is queued or running.
  bool wait_all(std::chrono::milliseconds timeout);

 private:
  void start(Job& j);
  void finish(Job& j, int wait_status);
  std::deque<Job> jobs_;
  int next_id_ = 1;
  int max_parallel_ = 1;
};

// Writes "failed: <why>" to <run_dir>/status when it is missing or still says
// "running" (a child that died without saying so). Returns true when written.
bool mark_run_failed(const std::filesystem::path& run_dir, const std::string& why);

}  // namespace slimlab::gui
