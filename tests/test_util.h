#pragma once
// Helpers shared by the test files: where the real datasets are, scratch
// directories that clean up after themselves, DataError checks and running the
// slimlab binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "datasets/errors.h"

namespace slimlab::test {

// ../shared/datasets beside the checkout, or $SLIMLAB_DATASETS.
inline std::filesystem::path shared_datasets() {
  if (const char* env = std::getenv("SLIMLAB_DATASETS")) return env;
  return SLIMLAB_SHARED_DATASETS;
}

// Skips the current test when a real dataset is not on this machine.
#define SLIMLAB_REQUIRE_DATASET(rel)                                                  \
  do {                                                                                \
    if (!std::filesystem::exists(::slimlab::test::shared_datasets() / (rel)))         \
      GTEST_SKIP() << "real dataset not found: "                                      \
                   << (::slimlab::test::shared_datasets() / (rel)).string();          \
  } while (0)

inline std::filesystem::path bin_dir() { return SLIMLAB_BIN_DIR; }

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("slimlab-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f << text;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return s;
}

inline void write_bytes(const std::filesystem::path& p, const std::vector<uint8_t>& b) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

// Runs `fn`, expects a DataError whose message contains every one of `parts`.
template <class Fn>
void expect_data_error(Fn fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    FAIL() << "expected a DataError";
  } catch (const ::slimlab::data::DataError& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

// Runs `f` and returns the message of the DataError it throws, or
// "(no DataError)" when it throws none.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ::slimlab::data::DataError& e) {
    return e.what();
  }
  return "(no DataError)";
}

// Runs build/bin/slimlab with `args` (through the shell).
struct CommandResult {
  int code;
  std::string out;  // stdout and stderr together
};

inline CommandResult run_slimlab(const std::string& args) {
  const std::string cmd = (bin_dir() / "slimlab").string() + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace slimlab::test
