#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "datasets/errors.h"
#include "datasets/wav.h"
#include "test_util.h"

using slimlab::data::read_wav;
using slimlab::data::write_wav_pcm16;
using slimlab::test::error_of;
using slimlab::test::TempDir;

namespace {

// A RIFF/WAVE file built byte by byte, for headers libsndfile would never write.
struct WavBytes {
  std::string bytes;
  void u16(uint32_t v) { bytes += char(v & 0xFF), bytes += char((v >> 8) & 0xFF); }
  void u32(uint32_t v) { u16(v & 0xFFFF), u16(v >> 16); }
  void tag(const char* t) { bytes.append(t, 4); }
};

// fmt code 1 = PCM, 3 = IEEE float. data_declared lets a test lie about the size.
std::string make_wav(int format, int channels, int rate, int bits, const std::string& data, uint32_t data_declared) {
  WavBytes w;
  w.tag("RIFF");
  w.u32(uint32_t(36 + data.size()));
  w.tag("WAVE");
  w.tag("fmt ");
  w.u32(16);
  w.u16(uint32_t(format));
  w.u16(uint32_t(channels));
  w.u32(uint32_t(rate));
  w.u32(uint32_t(rate * channels * bits / 8));
  w.u16(uint32_t(channels * bits / 8));
  w.u16(uint32_t(bits));
  w.tag("data");
  w.u32(data_declared);
  return w.bytes + data;
}

std::string pcm16(const std::vector<int16_t>& v) {
  std::string s;
  for (int16_t x : v) s += char(uint16_t(x) & 0xFF), s += char(uint16_t(x) >> 8);
  return s;
}

}  // namespace

TEST(Wav, RoundTripMonoAndStereo) {
  TempDir dir;
  std::vector<float> mono(1000);
  for (size_t i = 0; i < mono.size(); ++i) mono[i] = float(std::sin(0.01 * double(i)) * 0.8);
  write_wav_pcm16(dir / "m.wav", mono, 1, 8000);
  auto a = read_wav(dir / "m.wav");
  EXPECT_EQ(a.channels, 1);
  EXPECT_EQ(a.rate_hz, 8000);
  ASSERT_EQ(a.samples.size(), mono.size());
  for (size_t i = 0; i < mono.size(); ++i) EXPECT_NEAR(a.samples[i], mono[i], 1.0 / 16384) << i;

  std::vector<float> stereo = {0.5f, -0.5f, 0.25f, -0.25f, 2.0f, -3.0f};  // the last frame clips
  write_wav_pcm16(dir / "s.wav", stereo, 2, 44100);
  auto b = read_wav(dir / "s.wav");
  EXPECT_EQ(b.channels, 2);
  EXPECT_EQ(b.rate_hz, 44100);
  EXPECT_EQ(b.frames(), 3);
  EXPECT_NEAR(b.samples[0], 0.5, 1e-4);
  EXPECT_NEAR(b.samples[1], -0.5, 1e-4);
  EXPECT_NEAR(b.samples[3], -0.25, 1e-4);
  EXPECT_NEAR(b.samples[4], 1.0, 1e-4);
  EXPECT_NEAR(b.samples[5], -1.0, 1e-4);
}

TEST(Wav, RealFsddFileMatchesItsBytes) {
  SLIMLAB_REQUIRE_DATASET("fsdd/recordings/0_george_0.wav");
  const auto path = slimlab::test::shared_datasets() / "fsdd/recordings/0_george_0.wav";
  std::ifstream f(path, std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // Walk the chunks to the data chunk by hand.
  size_t off = 12, data = 0, size = 0;
  while (off + 8 <= raw.size()) {
    const uint32_t n = uint8_t(raw[off + 4]) | uint8_t(raw[off + 5]) << 8 | uint8_t(raw[off + 6]) << 16 |
                       uint32_t(uint8_t(raw[off + 7])) << 24;
    if (raw.compare(off, 4, "data") == 0) {
      data = off + 8, size = n;
      break;
    }
    off += 8 + n + (n & 1);
  }
  ASSERT_GT(size, 0u);
  auto clip = read_wav(path);
  EXPECT_EQ(clip.channels, 1);
  EXPECT_EQ(clip.rate_hz, 8000);
  ASSERT_EQ(clip.samples.size(), size / 2);
  for (size_t i = 0; i < clip.samples.size(); ++i) {
    const int16_t v = int16_t(uint16_t(uint8_t(raw[data + 2 * i])) | uint16_t(uint8_t(raw[data + 2 * i + 1])) << 8);
    ASSERT_FLOAT_EQ(clip.samples[i], float(v) / 32768.0f) << "sample " << i;
  }
}

TEST(Wav, TruncatedDataChunkIsAnErrorNamingTheFile) {
  TempDir dir;
  std::vector<float> x(4000, 0.1f);
  write_wav_pcm16(dir / "cut.wav", x, 1, 8000);
  std::filesystem::resize_file(dir / "cut.wav", 44 + 3000);  // half the samples gone
  const std::string msg = error_of([&] { read_wav(dir / "cut.wav"); });
  EXPECT_NE(msg.find((dir / "cut.wav").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(Wav, HeaderCutShortIsAnErrorNamingTheFile) {
  TempDir dir;
  write_wav_pcm16(dir / "h.wav", std::vector<float>(100, 0.0f), 1, 8000);
  std::filesystem::resize_file(dir / "h.wav", 30);  // inside the fmt chunk
  const std::string msg = error_of([&] { read_wav(dir / "h.wav"); });
  EXPECT_NE(msg.find((dir / "h.wav").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(Wav, NotAWavIsAnErrorNamingTheFile) {
  TempDir dir;
  slimlab::test::write_text(dir / "text.wav", "this is not audio at all, just text\n");
  std::string msg = error_of([&] { read_wav(dir / "text.wav"); });
  EXPECT_NE(msg.find((dir / "text.wav").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("not a WAV"), std::string::npos) << msg;

  slimlab::test::write_text(dir / "tiny.wav", "RIFF");
  msg = error_of([&] { read_wav(dir / "tiny.wav"); });
  EXPECT_NE(msg.find((dir / "tiny.wav").string()), std::string::npos) << msg;

  msg = error_of([&] { read_wav(dir / "missing.wav"); });
  EXPECT_NE(msg.find((dir / "missing.wav").string()), std::string::npos) << msg;
}

TEST(Wav, ZeroFramesIsAnError) {
  TempDir dir;
  slimlab::test::write_text(dir / "empty.wav", make_wav(1, 1, 8000, 16, "", 0));
  const std::string msg = error_of([&] { read_wav(dir / "empty.wav"); });
  EXPECT_NE(msg.find((dir / "empty.wav").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("zero frames"), std::string::npos) << msg;
}

TEST(Wav, LyingDataSizeIsAnError) {
  TempDir dir;
  // 8 bytes of samples, but the header claims 2 GB.
  slimlab::test::write_text(dir / "liar.wav", make_wav(1, 1, 8000, 16, pcm16({1, 2, 3, 4}), 0x7FFFFFF0u));
  const std::string msg = error_of([&] { read_wav(dir / "liar.wav"); });
  EXPECT_NE(msg.find((dir / "liar.wav").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(Wav, AbsurdChannelCountIsAnError) {
  TempDir dir;
  slimlab::test::write_text(dir / "wide.wav", make_wav(1, 4000, 8000, 16, pcm16(std::vector<int16_t>(8000)), 16000));
  const std::string msg = error_of([&] { read_wav(dir / "wide.wav"); });
  EXPECT_NE(msg.find((dir / "wide.wav").string()), std::string::npos) << msg;
}

TEST(Wav, NonFiniteFloatSamplesAreAnError) {
  TempDir dir;
  std::string data;
  for (float v : {0.5f, std::numeric_limits<float>::quiet_NaN(), 0.25f}) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    for (int b = 0; b < 4; ++b) data += char((u >> (8 * b)) & 0xFF);
  }
  slimlab::test::write_text(dir / "nan.wav", make_wav(3, 1, 8000, 32, data, uint32_t(data.size())));
  const std::string msg = error_of([&] { read_wav(dir / "nan.wav"); });
  EXPECT_NE(msg.find((dir / "nan.wav").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("non-finite"), std::string::npos) << msg;
}

TEST(Wav, FloatWavIsRead) {
  TempDir dir;
  std::string data;
  for (float v : {0.5f, -0.75f, 0.25f}) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    for (int b = 0; b < 4; ++b) data += char((u >> (8 * b)) & 0xFF);
  }
  slimlab::test::write_text(dir / "f.wav", make_wav(3, 1, 16000, 32, data, uint32_t(data.size())));
  auto clip = read_wav(dir / "f.wav");
  EXPECT_EQ(clip.rate_hz, 16000);
  ASSERT_EQ(clip.samples.size(), 3u);
  EXPECT_FLOAT_EQ(clip.samples[1], -0.75f);
}

TEST(Wav, WriteRejectsBadArguments) {
  TempDir dir;
  EXPECT_THROW(write_wav_pcm16(dir / "a.wav", {0.f, 0.f, 0.f}, 2, 8000), std::invalid_argument);
  EXPECT_THROW(write_wav_pcm16(dir / "a.wav", {0.f}, 0, 8000), std::invalid_argument);
  EXPECT_THROW(write_wav_pcm16(dir / "a.wav", {0.f}, 1, 0), std::invalid_argument);
  const std::string msg = error_of([&] { write_wav_pcm16(dir / "no/such/dir/a.wav", {0.f}, 1, 8000); });
  EXPECT_NE(msg.find("no/such/dir/a.wav"), std::string::npos) << msg;
}
