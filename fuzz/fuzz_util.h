#pragma once
// Shared pieces of the libFuzzer targets (fuzz/fuzz_*.cpp, docs/RELIABILITY.md).
//
// SlimLab's loaders read files and folders, so each target lays the input out as
// the files its loader expects, in a scratch folder of its own (in /dev/shm when
// there is one: no disk traffic per input), and calls the loader on it.
//
// What counts as a finding: a sanitizer report, a crash, a timeout, an allocation
// beyond libFuzzer's -malloc_limit_mb, or an exception other than the documented
// ones. The loaders document std::runtime_error subclasses (data::DataError,
// exp::ConfigError, slimrt::Error) and std::invalid_argument for bad input; a
// std::out_of_range, std::length_error or std::bad_alloc escaping a loader is a bug
// (its message names no file), so those are left to terminate the process.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace slimlab::fuzz {

// Separates the files of a multi-file input ("images@@FILE@@labels").
inline constexpr std::string_view kFileSeparator = "@@FILE@@";

// Splits the input at kFileSeparator into at most max_parts pieces (the last piece
// keeps any further separators).
inline std::vector<std::string> split_files(const uint8_t* data, size_t size, size_t max_parts) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  while (parts.size() + 1 < max_parts) {
    size_t at = in.find(kFileSeparator);
    if (at == std::string_view::npos) break;
    parts.emplace_back(in.substr(0, at));
    in.remove_prefix(at + kFileSeparator.size());
  }
  parts.emplace_back(in);
  return parts;
}

// A per-process scratch folder, emptied for every input.
class Scratch {
 public:
  Scratch() {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                      : std::filesystem::temp_directory_path();
    root_ = base / ("slimlab-fuzz-" + std::to_string(::getpid()));
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  // Removes what the previous input left and returns the (empty, existing) folder.
  const std::filesystem::path& fresh() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
    std::filesystem::create_directories(root_);
    return root_;
  }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) throw std::logic_error("fuzz harness: cannot write " + path.string());
}

inline void write_file(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  write_file(path, std::string_view(reinterpret_cast<const char*>(data), size));
}

// The whole input written as `name` in the harness's scratch folder (emptied first).
inline std::filesystem::path input_as_file(const uint8_t* data, size_t size, const std::string& name) {
  static Scratch scratch;
  const std::filesystem::path file = scratch.fresh() / name;
  write_file(file, data, size);
  return file;
}

// Runs `load` and swallows the documented error types (see above).
template <typename F>
void expect_clean_error(F&& load) {
  try {
    load();
  } catch (const std::invalid_argument&) {
  } catch (const std::runtime_error&) {
  }
}

}  // namespace slimlab::fuzz
