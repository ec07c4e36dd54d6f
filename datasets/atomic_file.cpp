#include "datasets/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>

namespace slimlab::data {

namespace fs = std::filesystem;

namespace {

// SLIMLAB_FAULT parsed once: point → the pass to die (or hang) on.
struct FaultPlan {
  std::map<std::string, long> die_on;
  std::map<std::string, bool> hang;  // "point=hang": stop forever instead of dying
  std::map<std::string, long> passes;
  std::mutex mu;

  FaultPlan() {
    const char* env = std::getenv("SLIMLAB_FAULT");
    if (env) parse(env);
  }

  void parse(const std::string& spec) {
    die_on.clear();
    hang.clear();
    passes.clear();
    size_t start = 0;
    while (start <= spec.size()) {
      const size_t comma = spec.find(',', start);
      std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      bool hangs = false;
      if (item.size() > 5 && item.compare(item.size() - 5, 5, "=hang") == 0) {
        item.resize(item.size() - 5);
        hangs = true;
      }
      if (!item.empty()) {
        const size_t at = item.rfind('@');
        long n = 1;
        if (at != std::string::npos) n = std::max(1L, std::strtol(item.c_str() + at + 1, nullptr, 10));
        die_on[item.substr(0, at)] = n;
        hang[item.substr(0, at)] = hangs;
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
};

FaultPlan& plan() {
  static FaultPlan p;
  return p;
}

}  // namespace

void set_fault_plan(const std::string& spec) {
  FaultPlan& p = plan();
  std::lock_guard<std::mutex> lock(p.mu);
  p.parse(spec);
}

void fault_point(const std::string& point) {
  FaultPlan& p = plan();
  std::lock_guard<std::mutex> lock(p.mu);
  if (p.die_on.empty()) return;
  auto it = p.die_on.find(point);
  if (it == p.die_on.end()) return;
  if (++p.passes[point] != it->second) return;
  if (p.hang[point])
    while (true) ::pause();  // a hang, as a library looping on a crafted file would
  std::raise(SIGKILL);
}

fs::path temp_path_for(const fs::path& path) {
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  return tmp;
}

void commit_file(const fs::path& tmp, const fs::path& path, const std::string& kind) {
  fault_point(kind + ":before-rename");
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw std::runtime_error(path.string() + ": cannot move the finished file into place: " + ec.message());
  }
}

void write_file_atomic(const fs::path& path, const std::string& bytes, const std::string& kind) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = temp_path_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot create " + tmp.string() + ": " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    std::error_code ec;
    fs::remove(tmp, ec);
    throw std::runtime_error(path.string() + ": " + what + ": " + std::strerror(err));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    if (done > 0) fault_point(kind + ":mid-write");
    const size_t chunk = std::min<size_t>(bytes.size() - done, size_t(1) << 16);
    const ssize_t n = ::write(fd, bytes.data() + done, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed");
    }
    done += size_t(n);
  }
  if (bytes.size() <= (size_t(1) << 16)) fault_point(kind + ":mid-write");
  if (::fsync(fd) != 0) fail("fsync failed");
  ::close(fd);
  commit_file(tmp, path, kind);
}

}  // namespace slimlab::data
