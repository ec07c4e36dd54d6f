// WAV files recorded at another rate than the model's: `slimrt-run run` resamples them
// with the front end's band-limited resampler (mixing channels down first) and must
// give the features the workbench computes for the same files — load_audio_folder
// (libsndfile, mix_to_mono, datasets/resample) then AudioFeatureExtractor — within
// |device − workbench| ≤ 1e-4·max(1, |workbench|). Also: the 16× upsampling limit is the
// same refusal on both sides, and datasets/resample is slimrt's resampler bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "datasets/audio_features.h"
#include "datasets/audio_folder.h"
#include "datasets/resample.h"
#include "datasets/wav.h"
#include "frontend_test_util.h"
#include "runtime/run_command.h"
#include "slimrt/frontend.h"
#include "slimrt/writer.h"
#include "test_util.h"

namespace data = slimlab::data;
namespace fs = std::filesystem;

namespace {

using slimlab::test::Parity;
using slimlab::test::TempDir;

// 16-bit PCM WAV of frames × channels interleaved samples in [−1, 1).
void write_wav(const fs::path& p, int channels, uint32_t rate, const std::vector<float>& x) {
  std::string b = "RIFF0000WAVEfmt ";
  auto put = [&](uint32_t v, int n) { b.append(reinterpret_cast<const char*>(&v), size_t(n)); };
  put(16, 4), put(1, 2), put(uint32_t(channels), 2), put(rate, 4), put(rate * uint32_t(channels) * 2, 4);
  put(uint32_t(channels) * 2, 2), put(16, 2);
  b += "data";
  put(uint32_t(x.size() * 2), 4);
  for (float v : x) put(uint32_t(uint16_t(int16_t(std::lround(std::clamp(v, -1.0f, 0.99997f) * 32768.0f)))), 2);
  const uint32_t riff = uint32_t(b.size() - 8);
  std::memcpy(&b[4], &riff, 4);
  slimlab::test::write_bytes(p, std::vector<uint8_t>(b.begin(), b.end()));
}

// Tones from 300 Hz to 7 kHz (above the 8 kHz model's Nyquist: the resampler must
// remove them) plus noise, at `rate`.
std::vector<float> signal(int64_t frames, int channels, double rate, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.03f);
  std::vector<float> x(size_t(frames * channels));
  for (int64_t i = 0; i < frames; ++i)
    for (int c = 0; c < channels; ++c) {
      const double t = double(i) / rate;
      double v = 0;
      for (double f : {300.0, 1100.0, 2500.0, 3700.0, 7000.0}) v += 0.15 * std::sin(2 * M_PI * (f + 40 * c) * t);
      x[size_t(i * channels + c)] = float(v) + noise(rng);
    }
  return x;
}

// x f32 [clip] → AudioFeatures (the workbench's options) as the model's only output.
void write_feature_model(const fs::path& p, const data::AudioFeatureExtractor& wb) {
  const data::AudioFeatureOptions& a = wb.options();
  slimrt::ModelWriter m;
  slimrt::FrontEndParams fe;
  fe.present = true, fe.sample_rate = a.rate_hz, fe.n_fft = a.n_fft, fe.win_length = a.win_length;
  fe.hop_length = a.hop_length, fe.n_mels = a.n_mels, fe.fmin = a.fmin, fe.fmax = a.fmax;
  const int x = m.add_tensor("samples", slimrt::DType::F32, {wb.clip_samples()});
  const int y = m.add_tensor("features", slimrt::DType::F32, {a.n_mels, wb.frames()});
  m.add_op(slimrt::OpType::AudioFeatures, "frontend", {x}, {y}).frontend = fe;
  m.inputs = {x};
  m.outputs = {y};
  m.write_file(p.string());
}

slimrt::test::CommandOutput slimrt_run(const std::string& args) {
  return slimrt::test::run_command((slimlab::test::bin_dir() / "slimrt-run").string() + " " + args + " 2>&1");
}

std::vector<float> read_f32(const fs::path& p) {
  const std::string s = slimlab::test::read_text(p);
  std::vector<float> v(s.size() / 4);
  std::memcpy(v.data(), s.data(), v.size() * 4);
  return v;
}

TEST(FrontendResample, SlimrtRunFeaturesEqualTheWorkbenchsAtOtherRates) {
  if (!fs::exists(slimlab::test::bin_dir() / "slimrt-run")) GTEST_SKIP() << "slimrt-run was not built";
  TempDir dir;
  fs::create_directories(dir / "clips");
  struct Clip {
    std::string name;
    int channels;
    uint32_t rate;
    double seconds;
  };
  std::vector<Clip> clips = {{"a_x_0.wav", 1, 16000, 1.0},   {"a_x_1.wav", 2, 44100, 1.0},
                             {"b_y_0.wav", 1, 44100, 1.37},  {"b_y_1.wav", 2, 16000, 0.61},
                             {"c_z_0.wav", 1, 22050, 1.0}};
  uint32_t seed = 1;
  for (const Clip& c : clips)
    write_wav(dir / "clips" / c.name, c.channels, c.rate,
              signal(int64_t(std::lround(c.seconds * c.rate)), c.channels, c.rate, seed++));
  if (fs::exists(slimlab::test::shared_datasets() / "fsdd/recordings")) {  // real speech, relabelled 16 / 44.1 kHz
    const auto fsdd = slimlab::test::fsdd_clips(300);
    for (size_t i = 0; i < fsdd.size() && i < 4; ++i) {
      const data::WavClip w = data::read_wav(fsdd[i]);
      clips.push_back({"d_fsdd_" + std::to_string(i) + ".wav", 1, i % 2 ? 44100u : 16000u, 0});
      write_wav(dir / "clips" / clips.back().name, 1, clips.back().rate, w.samples);
    }
  }
  data::AudioFolderOptions ao;
  ao.rate_hz = 8000;
  const data::RecordingSet set = data::load_audio_folder(dir / "clips", ao);
  const data::AudioFeatureExtractor wb{data::AudioFeatureOptions{}};
  write_feature_model(dir / "fe.slim", wb);
  std::vector<float> ref(size_t(wb.feature_numel()));
  Parity parity;
  for (const Clip& c : clips) {
    const std::string wav = (dir / "clips" / c.name).string();
    const auto r = slimrt_run("run " + (dir / "fe.slim").string() + " " + wav + " --output " + (dir / "y.f32").string());
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("note: " + wav + ": resampled from " + std::to_string(c.rate) + " Hz to the model's 8000 Hz"),
              std::string::npos) << r.out;
    if (c.channels == 2) {
      EXPECT_NE(r.out.find("note: " + wav + ": 2 channels mixed down to mono"), std::string::npos) << r.out;
    }
    const data::Recording* rec = nullptr;
    for (const auto& s : set.recordings)
      if (fs::path(s.source).filename() == c.name) rec = &s;
    ASSERT_NE(rec, nullptr) << c.name;
    wb.extract(rec->samples.data(), rec->frames(), ref.data());
    const std::vector<float> dev = read_f32(dir / "y.f32");
    ASSERT_EQ(dev.size(), ref.size()) << c.name;
    parity.add(dev.data(), ref.data(), dev.size());
  }
  std::printf("%zu clips at 16 / 22.05 / 44.1 kHz → 8 kHz log-mel: %zu values, worst |a-b|/max(1,|b|) = %.3g\n",
              clips.size(), parity.count, parity.worst);
  EXPECT_EQ(parity.bad, 0u) << "worst " << parity.worst;
}

TEST(FrontendResample, SixteenTimesUpsamplingIsTheLimitOnBothSides) {
  if (!fs::exists(slimlab::test::bin_dir() / "slimrt-run")) GTEST_SKIP() << "slimrt-run was not built";
  TempDir dir;
  fs::create_directories(dir / "clips");
  const data::AudioFeatureExtractor wb{data::AudioFeatureOptions{}};
  write_feature_model(dir / "fe.slim", wb);
  const std::string why = "sample rate 400 Hz is too low to resample to 8000 Hz (at most 16× upsampling; is it an "
                          "audio recording?)";
  write_wav(dir / "clips" / "a_x_0.wav", 1, 400, signal(400, 1, 400, 3));
  const std::string msg = slimlab::test::error_of([&] { data::load_audio_folder(dir / "clips"); });
  EXPECT_NE(msg.find(why), std::string::npos) << msg;
  auto r = slimrt_run("run " + (dir / "fe.slim").string() + " " + (dir / "clips" / "a_x_0.wav").string());
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find(": recorded at 400 Hz, the model's front end takes 8000 Hz: " + why), std::string::npos) << r.out;
  // 500 Hz is exactly 16×: resampled on both sides.
  write_wav(dir / "clips" / "a_x_0.wav", 1, 500, signal(500, 1, 500, 4));
  EXPECT_EQ(data::load_audio_folder(dir / "clips").recordings.size(), 1u);
  r = slimrt_run("stream " + (dir / "fe.slim").string() + " " + (dir / "clips" / "a_x_0.wav").string());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("resampled from 500 Hz to the model's 8000 Hz (500 → 8000 samples"), std::string::npos) << r.out;
}

TEST(FrontendResample, WorkbenchResampleIsSlimrtsBitForBit) {
  std::vector<float> x = signal(9001, 1, 44100, 7);
  for (double to : {8000.0, 16000.0, 7999.5}) {
    std::vector<float> dev(size_t(slimrt::frontend::resample_frames(int64_t(x.size()), 44100, to)));
    slimrt::frontend::resample(x.data(), int64_t(x.size()), 44100, to, dev.data());
    EXPECT_EQ(data::resample(x, 44100, to), dev) << to;
  }
  std::vector<float> mono(x.size() / 3);
  slimrt::frontend::mix_to_mono(x.data(), int64_t(mono.size()), 3, mono.data());
  EXPECT_EQ(data::mix_to_mono(std::vector<float>(x.begin(), x.begin() + int64_t(mono.size() * 3)), 3), mono);
  EXPECT_THROW(slimrt::frontend::check_audio_rates(400, 8000), std::invalid_argument);
  EXPECT_NO_THROW(slimrt::frontend::check_audio_rates(500, 8000));
  EXPECT_THROW(slimrt::frontend::check_audio_rates(0, 8000), std::invalid_argument);
}

}  // namespace
