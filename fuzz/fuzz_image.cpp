// Image folders, PNG / JPEG through stb_image (datasets/image_folder.h): input =
// image[@@FILE@@image], both in one class folder (a size mismatch is an error).
// The first byte picks the options: bit 0 resize to 8×8, bits 1-2 channels 0/1/3.
#include <cstdint>

#include "datasets/image_folder.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static slimlab::fuzz::Scratch scratch;
  if (size == 0) return 0;
  slimlab::data::ImageFolderOptions opt;
  opt.size = (data[0] & 1) ? 8 : 0;
  static const int kChannels[] = {0, 1, 3, 0};
  opt.channels = kChannels[(data[0] >> 1) & 3];
  auto parts = slimlab::fuzz::split_files(data + 1, size - 1, 2);
  const auto& dir = scratch.fresh();
  slimlab::fuzz::write_file(dir / "cat" / "a.png", parts[0]);
  if (parts.size() > 1) slimlab::fuzz::write_file(dir / "cat" / "b.jpg", parts[1]);
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_image_folder(dir, opt); });
  return 0;
}
