// WAV / FSDD (datasets/wav.h, datasets/audio_folder.h): the input is one clip
// of a Free Spoken Digit folder, loaded as the FSDD loader does (read_wav, then
// mixed to mono and resampled to 8 kHz when it is not).
#include <cstdint>

#include "datasets/audio_folder.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static slimlab::fuzz::Scratch scratch;
  const auto& dir = scratch.fresh();
  slimlab::fuzz::write_file(dir / "0_george_0.wav", data, size);
  slimlab::fuzz::expect_clean_error([&] { slimlab::data::load_audio_folder(dir); });
  return 0;
}
