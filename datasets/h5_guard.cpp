#include "datasets/h5_guard.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>

#include "datasets/atomic_file.h"
#include "datasets/errors.h"
#include "datasets/h5.h"

// Sanitizer runtimes (ASan, libFuzzer) call back on a fatal report; weak so that a
// normal build links without them.
extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

namespace slimlab::h5 {

namespace {

namespace fs = std::filesystem;

// Exit codes of the child, beside 0 (read cleanly).
constexpr int kDataError = 3;  // the reader threw DataError: its message follows on the pipe
constexpr int kNoMemory = 4;   // std::bad_alloc under the cap
constexpr int kOtherError = 5;

uint64_t address_space_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  return pages * uint64_t(sysconf(_SC_PAGESIZE));
}

void write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += size_t(n);
  }
}

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return s;
    s.append(buf, size_t(n));
  }
}

// Seconds the child may take: SLIMLAB_H5_PROBE_SECONDS, else 20 s + 1 s per MB of file.
unsigned probe_seconds(uint64_t file_bytes) {
  if (const char* env = std::getenv("SLIMLAB_H5_PROBE_SECONDS")) {
    const long s = std::strtol(env, nullptr, 10);
    if (s > 0) return unsigned(s);
  }
  return unsigned(20 + (file_bytes >> 20));
}

[[noreturn]] void run_child(int out_fd, uint64_t cap_bytes, unsigned seconds, const std::function<void()>& read) {
  if (!std::getenv("SLIMLAB_H5_PROBE_STDERR")) {
    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null_fd >= 0) ::dup2(null_fd, STDERR_FILENO);
  }
  // The child's death is the parent's evidence, nothing more: no crash handler of the
  // host process (libFuzzer saving a "crash" input, ASan's SEGV report) runs here.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM}) std::signal(sig, SIG_DFL);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
  // A deadline: a file that makes libhdf5 loop (or a child stuck on a lock another
  // thread of the parent held at fork) ends as SIGALRM, never as a hung parent.
  ::alarm(seconds);
  const uint64_t limit = address_space_bytes() + cap_bytes;
  const rlimit rl{rlim_t(limit), rlim_t(limit)};
  ::setrlimit(RLIMIT_AS, &rl);
  data::fault_point("h5:probe");
  int code = 0;
  try {
    read();
  } catch (const data::DataError& e) {
    // file \0 line \0 message: the parent rebuilds the same DataError.
    write_all(out_fd, e.file() + std::string(1, '\0') + std::to_string(e.line()) + std::string(1, '\0') + e.what());
    code = kDataError;
  } catch (const std::bad_alloc&) {
    code = kNoMemory;
  } catch (const std::exception& e) {
    write_all(out_fd, e.what());
    code = kOtherError;
  } catch (...) {
    code = kOtherError;
  }
  // _exit, never exit(): atexit handlers would close (and flush) the parent's
  // HDF5 files, which the child shares.
  ::_exit(code);
}

std::string signal_name(int sig) {
  const char* s = strsignal(sig);
  return "signal " + std::to_string(sig) + (s ? std::string(" (") + s + ")" : std::string());
}

// The DataError the child threw, from "file\0line\0full message".
data::DataError child_error(const std::string& wire) {
  const size_t a = wire.find('\0');
  const size_t b = a == std::string::npos ? a : wire.find('\0', a + 1);
  if (b == std::string::npos) return data::DataError("", wire);
  const std::string file = wire.substr(0, a);
  const long line = std::strtol(wire.substr(a + 1, b - a - 1).c_str(), nullptr, 10);
  std::string what = wire.substr(b + 1);
  std::string prefix = file;
  if (line > 0) prefix += ":" + std::to_string(line);
  if (!prefix.empty()) prefix += ": ";
  if (what.compare(0, prefix.size(), prefix) == 0) what.erase(0, prefix.size());
  return data::DataError(file, line, what);
}

}  // namespace

void probe_in_child(const fs::path& path, const std::function<void()>& read) {
  std::error_code ec;
  const uint64_t file_bytes = fs::file_size(path, ec);
  const uint64_t cap = (uint64_t(512) << 20) + (ec ? 0 : 8 * file_bytes);
  const unsigned seconds = probe_seconds(ec ? 0 : file_bytes);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;  // no isolation possible: read unguarded
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = -1;
  {
    // HDF5 must be quiescent when the child is forked: no other thread inside it.
    const auto lock = lock_library();
    pid = ::fork();
    if (pid == 0) {
      reset_library_lock_in_child();
      ::close(fds[0]);
      run_child(fds[1], cap, seconds, read);
    }
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return;  // fork failed (no memory, process limit): read unguarded
  }
  const std::string message = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string file = path.string();
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    throw data::DataError(file, "reading this HDF5 file did not finish in " + std::to_string(seconds) +
                                    " s (the HDF5 library looping on a damaged or crafted file?); nothing of it "
                                    "was used (SLIMLAB_H5_PROBE_SECONDS sets the limit)");
  if (WIFSIGNALED(status))
    throw data::DataError(file, "reading this HDF5 file crashed the HDF5 library (" + signal_name(WTERMSIG(status)) +
                                    "): the file is damaged or crafted; nothing of it was used");
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 0) return;
  if (code == kDataError) throw child_error(message);
  if (code == kNoMemory)
    throw data::DataError(file, "reading this HDF5 file needs more than " + std::to_string(cap >> 20) +
                                    " MB for a " + std::to_string(file_bytes) +
                                    "-byte file (a damaged size field?); nothing of it was used");
  if (code == kOtherError)
    throw data::DataError(file, "cannot read this HDF5 file: " + (message.empty() ? "unknown error" : message));
  throw data::DataError(file, "the HDF5 library failed reading this file (exit code " + std::to_string(code) +
                                  "): the file is damaged or crafted; nothing of it was used");
}

}  // namespace slimlab::h5
