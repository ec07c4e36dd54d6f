// CIFAR-10 binary (datasets/cifar.h): input = test_batch.bin[@@FILE@@batches.meta.txt].
#include <cstdint>

#include "datasets/cifar.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static slimlab::fuzz::Scratch scratch;
  auto parts = slimlab::fuzz::split_files(data, size, 2);
  const auto& dir = scratch.fresh();
  slimlab::fuzz::write_file(dir / "test_batch.bin", parts[0]);
  if (parts.size() > 1) slimlab::fuzz::write_file(dir / "batches.meta.txt", parts[1]);
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_cifar10_dir(dir, "test"); });
  return 0;
}
