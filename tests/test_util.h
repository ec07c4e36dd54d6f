#pragma once
// Helpers shared by the test files: where the real datasets are, and scratch
// directories that clean up after themselves.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

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

}  // namespace slimlab::test
