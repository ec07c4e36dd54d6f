// WISDM v1.1 raw (datasets/har_formats.h): the input is WISDM_ar_v1.1_raw.txt;
// format detection runs on it too.
#include <cstdint>

#include "datasets/har_formats.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static slimlab::fuzz::Scratch scratch;
  const auto file = scratch.fresh() / "WISDM_ar_v1.1_raw.txt";
  slimlab::fuzz::write_file(file, data, size);
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::detect_har_format(file); });
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_wisdm(file); });
  return 0;
}
