// results.h5 and a stage's record.h5 (experiments/results.h): the same file goes
// through read_results and read_stage_record.
#include <hdf5.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "experiments/results.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = slimlab::fuzz::input_as_file(data, size, "results.h5");
  slimlab::fuzz::expect_clean_error([&] { slimlab::exp::read_results(file); });
  slimlab::fuzz::expect_clean_error([&] { slimlab::exp::read_stage_record(file); });
  // Every handle the reader opened must be closed again, on error paths too.
  if (const ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); open != 0) {
    std::fprintf(stderr, "%zd HDF5 object(s) left open\n", open);
    std::abort();
  }
  return 0;
}
