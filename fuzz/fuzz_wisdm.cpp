// WISDM v1.1 raw (datasets/har_formats.h): the input is WISDM_ar_v1.1_raw.txt;
// format detection runs on it too.
#include <cstdint>

#include "datasets/har_formats.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = slimlab::fuzz::input_as_file(data, size, "WISDM_ar_v1.1_raw.txt");
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::detect_har_format(file); });
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_wisdm(file); });
  return 0;
}
