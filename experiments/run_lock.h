#pragma once
// One process per run folder. A training run holds a POSIX record lock (fcntl) on
// <run>/lock from before it writes anything until it exits — a kill -9 or an
// out-of-memory kill releases it with the process. So:
//   - a second `slimlab train` of the same run id fails at once, naming the process
//     that holds the folder, and writes nothing into it;
//   - `slimlab run` gives a point whose folder is held another id (p00-… → p00-…-2)
//     and says so;
//   - a listing tells a run whose status still says "running" but whose lock is
//     free (its process is gone without a word) — see experiments/runs.h.
// fcntl locks are tested without taking them (F_GETLK), so listing never disturbs
// a run that is starting.
#include <sys/types.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace slimlab::exp {

// What RunLock throws when another process holds the folder; `slimlab train` then
// exits with kRunFolderBusyExit so that `slimlab run` can give the point another id.
class RunFolderBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
constexpr int kRunFolderBusyExit = 75;  // EX_TEMPFAIL

class RunLock {
 public:
  RunLock() = default;
  // Takes the lock of `run_dir` (made if missing); RunFolderBusy naming the holder's
  // pid when another process has it.
  explicit RunLock(const std::filesystem::path& run_dir);
  ~RunLock();
  RunLock(RunLock&& o) noexcept;
  RunLock& operator=(RunLock&& o) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// The pid of another process holding `run_dir`'s lock, or 0 when none does (or the
// folder has no lock file).
pid_t run_lock_holder(const std::filesystem::path& run_dir);
// Whether the folder has a lock file (runs made before locks existed have none).
bool has_run_lock_file(const std::filesystem::path& run_dir);

}  // namespace slimlab::exp
