// HHAR (datasets/har_formats.h): the input is Phones_accelerometer.csv (an odd
// first byte names it Phones_gyroscope.csv: other channels); detection runs too.
#include <cstdint>

#include "datasets/har_formats.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static slimlab::fuzz::Scratch scratch;
  if (size == 0) return 0;
  const auto file = scratch.fresh() / ((data[0] & 1) ? "Phones_gyroscope.csv" : "Phones_accelerometer.csv");
  slimlab::fuzz::write_file(file, data + 1, size - 1);
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::detect_har_format(file); });
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_hhar(file); });
  return 0;
}
