// model.h5, the Graph IR on disk (train/graph_io.h): read_graph_h5 checks every
// count and size and validates the graph. HDF5 reads files, so the input is
// written to one first.
#include <hdf5.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_util.h"
#include "train/graph_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = slimlab::fuzz::input_as_file(data, size, "model.h5");
  slimlab::fuzz::expect_clean_error([&] { slimlab::ir::read_graph_h5(file); });
  // Every handle the reader opened must be closed again, on error paths too.
  if (const ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); open != 0) {
    std::fprintf(stderr, "%zd HDF5 object(s) left open\n", open);
    std::abort();
  }
  return 0;
}
