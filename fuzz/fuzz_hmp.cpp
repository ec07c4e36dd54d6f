// HMP (datasets/har_formats.h): input = one or two trial files, each in its own
// class folder, with names of the dataset's pattern.
#include <cstdint>

#include "datasets/har_formats.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static slimlab::fuzz::Scratch scratch;
  auto parts = slimlab::fuzz::split_files(data, size, 2);
  const auto& dir = scratch.fresh();
  slimlab::fuzz::write_file(dir / "Walk" / "Accelerometer-2011-03-24-10-24-39-walk-f1.txt", parts[0]);
  if (parts.size() > 1)
    slimlab::fuzz::write_file(dir / "Sitdown_chair" / "Accelerometer-2011-05-30-09-30-18-sitdown_chair-m1.txt",
                              parts[1]);
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_hmp(dir); });
  return 0;
}
