// Inputs the fuzzers found (fuzz/regressions/<target>/, docs/RELIABILITY.md "Findings"):
// each must now be rejected with a clean error. Under tools/sanitize-test.sh these also
// prove the undefined behaviour / memory error they once caused is gone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "slimrt/runtime.h"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> regression_files(const std::string& target) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(SLIMLAB_SOURCE_DIR) / "fuzz" / "regressions" / target))
    out.push_back(e.path());
  return out;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A tensor shape (a FlatBuffers vector of int64) at an address that is 4- but not
// 8-byte aligned passed FlatBuffers' verifier, and reading it was a misaligned load
// (UBSan, fuzz_slim). The verifier now refuses it.
TEST(FuzzRegressions, SlimMisalignedShapeIsRejected) {
  const auto files = regression_files("slim");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    const std::string bytes = read_all(f);
    try {
      slimrt::Model::from_memory(bytes.data(), bytes.size());
      ADD_FAILURE() << f << " was accepted";
    } catch (const slimrt::Error& e) {
      EXPECT_NE(std::string(e.what()).find("misaligned"), std::string::npos) << f << ": " << e.what();
    }
  }
}

}  // namespace

#include "datasets/errors.h"
#include "datasets/audio_folder.h"
#include "datasets/image_folder.h"
#include "experiments/results.h"
#include "test_util.h"

namespace {

// A 98-byte PNG whose IDAT chunk claims 587 MB: stb_image grew its buffer to that size
// before reading (fuzz_image, out-of-memory). The chunk layout is now checked first.
TEST(FuzzRegressions, PngChunkLongerThanTheFileIsRejected) {
  const auto files = regression_files("image");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    const std::string bytes = read_all(f).substr(1);  // the harness's option byte first
    slimlab::test::TempDir dir;
    fs::create_directories(dir / "cat");
    std::ofstream(dir / "cat" / "a.png", std::ios::binary) << bytes;
    try {
      slimlab::data::load_image_folder(dir.path(), {});
      ADD_FAILURE() << f << " was accepted";
    } catch (const slimlab::data::DataError& e) {
      EXPECT_NE(std::string(e.what()).find("claims"), std::string::npos) << f << ": " << e.what();
    }
  }
}

// Each regression file of `target`, copied into a fresh folder as `name`, must make
// `load(folder)` throw a DataError whose message contains `want` (the file's path when
// `want` is empty).
template <class Load>
void expect_rejected(const std::string& target, const std::string& name, Load load, const std::string& want) {
  const auto files = regression_files(target);
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    slimlab::test::TempDir dir;
    fs::copy_file(f, dir / name);
    try {
      load(dir.path());
      ADD_FAILURE() << f << " was accepted";
    } catch (const slimlab::data::DataError& e) {
      const std::string expected = want.empty() ? (dir / name).string() : want;
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

// A results.h5 whose variable-length string claims 1.7 GB: HDF5's conversion buffer
// allocated it inside H5Dread (fuzz_results_h5, out-of-memory). The file is now read
// first in a child under a memory cap (datasets/h5_guard.h), where the allocation fails.
TEST(FuzzRegressions, HugeVariableLengthStringInResultsIsRejected) {
  expect_rejected("results_h5", "results.h5", [](const fs::path& d) { slimlab::exp::read_results(d / "results.h5"); },
                  "");
}

// A results.h5 whose variable-length string points into a damaged global heap:
// libhdf5 1.10.8 loops forever inside H5HG_read (found by CI's fuzz round as a
// libFuzzer timeout in fuzz_results_h5). The isolated read now has a deadline; the
// hang ends as a DataError naming the file and the limit.
TEST(FuzzRegressions, ResultsThatMakeHdf5LoopAreRejectedAtTheDeadline) {
  ::setenv("SLIMLAB_H5_PROBE_SECONDS", "2", 1);
  expect_rejected("results_h5_hang", "results.h5",
                  [](const fs::path& d) { slimlab::exp::read_results(d / "results.h5"); }, "did not finish in 2 s");
  ::unsetenv("SLIMLAB_H5_PROBE_SECONDS");
}

// A 7 KB WAV whose header says 10 Hz: the FSDD loader resampled it to 8 kHz, 800 output
// samples per input sample (26 s under ASan: a fuzz_wav timeout; a 2.6 MB file would
// have allocated 4 GB). More than 16× upsampling is now refused before resampling.
TEST(FuzzRegressions, WavWithAbsurdlyLowSampleRateIsRejected) {
  expect_rejected("wav", "0_george_0.wav", [](const fs::path& d) { slimlab::data::load_audio_folder(d); },
                  "too low to resample");
}

// 713 bytes: a 6×1 PNG and a JPEG whose header claims about 150 million pixels (sides
// under the 16,384 limit). stb decoded it and the loader then asked for 603 MB of float
// planes (fuzz_image, out-of-memory). Images over 4096×4096 pixels are now refused
// from their header, before decoding.
TEST(FuzzRegressions, JpegClaimingHugePixelCountIsRejected) {
  const auto files = regression_files("image_pixels");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    const std::string bytes = read_all(f).substr(1);  // the harness's option byte first
    const size_t sep = bytes.find("@@FILE@@");
    ASSERT_NE(sep, std::string::npos) << f;
    slimlab::test::TempDir dir;
    fs::create_directories(dir / "cat");
    // The JPEG alone (the PNG beside it holds more image data than its header implies,
    // refused on its own since, TruncatedPngStreamIsRejectedBeforeStb).
    std::ofstream(dir / "cat" / "b.jpg", std::ios::binary) << bytes.substr(sep + 8);
    try {
      slimlab::data::load_image_folder(dir.path(), {});
      ADD_FAILURE() << f << " was accepted";
    } catch (const slimlab::data::DataError& e) {
      EXPECT_NE(std::string(e.what()).find("pixels, over the limit"), std::string::npos) << e.what();
    }
  }
}

// A 79-byte PNG (9×1 grey) whose compressed image data ends early: Debian's stb_image
// read zeros past the end and kept inflating until a 2 GB realloc (fuzz_image,
// out-of-memory). The stream is now inflated with zlib first, capped at the size the
// header implies.
TEST(FuzzRegressions, TruncatedPngStreamIsRejectedBeforeStb) {
  const auto files = regression_files("image_stream");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    slimlab::test::TempDir dir;
    fs::create_directories(dir / "cat");
    std::ofstream(dir / "cat" / "a.png", std::ios::binary) << read_all(f).substr(1);  // option byte first
    try {
      slimlab::data::load_image_folder(dir.path());
      ADD_FAILURE() << f << " was accepted";
    } catch (const slimlab::data::DataError& e) {
      EXPECT_NE(std::string(e.what()).find("PNG image data"), std::string::npos) << e.what();
    }
  }
}

}  // namespace

