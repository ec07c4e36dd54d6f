#include "experiments/run_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fs = std::filesystem;

namespace slimlab::exp {

namespace {

struct flock whole_file(short type) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = 0;
  l.l_len = 0;  // to the end, however long
  return l;
}

}  // namespace

RunLock::RunLock(const fs::path& run_dir) {
  std::error_code ec;
  fs::create_directories(run_dir, ec);
  const fs::path file = run_dir / "lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(file.string() + ": cannot open the run's lock file: " + std::strerror(errno));
  struct flock l = whole_file(F_WRLCK);
  if (::fcntl(fd_, F_SETLK, &l) != 0) {
    const pid_t holder = run_lock_holder(run_dir);
    ::close(fd_);
    fd_ = -1;
    throw RunFolderBusy("run folder " + run_dir.string() + " is in use by another slimlab process" +
                             (holder > 0 ? " (pid " + std::to_string(holder) + ")" : std::string()) +
                             "; wait for it to end or choose another --run-id");
  }
  // The holder's pid, for people looking at the folder; the lock itself is what counts.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // Informational only.
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the record lock
}

RunLock::RunLock(RunLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

RunLock& RunLock::operator=(RunLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

pid_t run_lock_holder(const fs::path& run_dir) {
  const fs::path file = run_dir / "lock";
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  // F_GETLK asks whether a write lock could be placed; it never takes one. (A lock
  // this process holds itself never conflicts, so the answer is "another process".)
  struct flock l = whole_file(F_WRLCK);
  const int rc = ::fcntl(fd, F_GETLK, &l);
  ::close(fd);
  if (rc != 0 || l.l_type == F_UNLCK) return 0;
  return l.l_pid;
}

bool has_run_lock_file(const fs::path& run_dir) {
  std::error_code ec;
  return fs::is_regular_file(run_dir / "lock", ec);
}

}  // namespace slimlab::exp
