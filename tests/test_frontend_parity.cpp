// The device front end (slimrt_frontend) against the workbench's datasets/
// extractors on real data: FSDD clips (log-mel, MFCC), HMP recordings (linear
// resampling, DeepSense features, normalisation) and MNIST images (resize +
// normalise through the image-folder loader). Float parity: every value within
//   |device − workbench| ≤ 1e-4 · max(1, |workbench|)
// (absolute below magnitude 1, relative above). Skips when a dataset is absent.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/audio_features.h"
#include "datasets/har_formats.h"
#include "datasets/har_windows.h"
#include "datasets/idx.h"
#include "datasets/image_folder.h"
#include "datasets/normalize.h"
#include "datasets/wav.h"
#include "slimrt/frontend.h"
#include "frontend_test_util.h"
#include "test_util.h"

namespace fe = slimrt::frontend;
namespace data = slimlab::data;
namespace fs = std::filesystem;

namespace {

using slimlab::test::fsdd_clips;
using slimlab::test::Parity;

fe::LogMelOptions device_options(const data::AudioFeatureOptions& a) {
  fe::LogMelOptions o;
  o.rate_hz = a.rate_hz;
  o.clip_samples = int64_t(std::llround(a.clip_seconds * a.rate_hz));
  o.n_fft = a.n_fft;
  o.win_length = a.win_length;
  o.hop_length = a.hop_length;
  o.n_mels = a.n_mels;
  o.n_mfcc = a.type == "mfcc" ? a.n_mfcc : 0;
  o.fmin = a.fmin;
  o.fmax = a.fmax;
  return o;
}

void check_audio(const std::string& type, int n_fft, int win_length) {
  data::AudioFeatureOptions a;
  a.type = type;
  a.n_fft = n_fft;
  a.win_length = win_length;
  const data::AudioFeatureExtractor workbench(a);
  const fe::LogMelPlan plan = fe::prepare_log_mel(device_options(a));
  ASSERT_EQ(plan.numel(), workbench.feature_numel());
  std::vector<float> scratch(plan.scratch_floats), dev(size_t(plan.numel())), ref(dev.size());
  Parity parity;
  for (const fs::path& f : fsdd_clips(25)) {
    const data::WavClip clip = data::read_wav(f);
    ASSERT_EQ(clip.channels, 1) << f;
    ASSERT_EQ(clip.rate_hz, 8000) << f;
    workbench.extract(clip.samples.data(), clip.frames(), ref.data());
    fe::log_mel_features(plan, clip.samples.data(), clip.frames(), scratch.data(), dev.data());
    parity.add(dev.data(), ref.data(), dev.size());
  }
  std::printf("FSDD %s n_fft %d: %zu values, worst |a-b|/max(1,|b|) = %.3g\n", type.c_str(), n_fft, parity.count,
              parity.worst);
  EXPECT_EQ(parity.bad, 0u) << "worst " << parity.worst;
  EXPECT_GT(parity.count, 100000u);
}

TEST(FrontendParity, FsddLogMelAndMfcc) {
  SLIMLAB_REQUIRE_DATASET("fsdd/recordings");
  check_audio("logmel", 256, 200);
  check_audio("mfcc", 256, 200);
  check_audio("logmel", 240, 200);  // not a power of two: the direct DFT on both sides
}

TEST(FrontendParity, FsddNormalisedLogMel) {
  SLIMLAB_REQUIRE_DATASET("fsdd/recordings");
  data::AudioFeatureOptions a;
  const data::AudioFeatureExtractor workbench(a);
  const fe::LogMelPlan plan = fe::prepare_log_mel(device_options(a));
  data::ArraySet set;
  set.modality = data::Modality::kAudio;
  set.sample_shape = workbench.feature_shape();
  const auto clips = fsdd_clips(50);
  for (const fs::path& f : clips) {
    const data::WavClip clip = data::read_wav(f);
    set.values.resize(set.values.size() + size_t(workbench.feature_numel()));
    workbench.extract(clip.samples.data(), clip.frames(), set.values.data() + set.values.size() - plan.numel());
    set.labels.push_back(0);
  }
  const auto stats = data::Normalization::fit(set, 1);  // per mel band, as the pipeline does for audio
  data::ArraySet normed = set;
  stats.apply(normed);
  const auto inv = fe::prepare_normalization(stats.stddev.data(), stats.stddev.size());
  std::vector<float> y(size_t(plan.numel()));
  for (size_t i = 0; i < set.size(); ++i) {
    fe::normalize(set.sample(i), 1, plan.options.n_mels, plan.frames, stats.mean.data(), inv.data(), y.data());
    ASSERT_TRUE(std::equal(y.begin(), y.end(), normed.sample(i))) << clips[i];
  }
}

TEST(FrontendParity, HmpResamplingDeepSenseAndNormalisation) {
  SLIMLAB_REQUIRE_DATASET("hmp/Walk");
  const data::RecordingSet set = data::load_hmp(slimlab::test::shared_datasets() / "hmp");
  std::vector<size_t> picked;
  for (size_t i = 0; i < set.recordings.size(); i += 40) picked.push_back(i);
  // Linear resampling 32 → 50 Hz: the same double arithmetic, so bit-identical.
  for (size_t i : picked) {
    const data::Recording& r = set.recordings[i];
    const data::Recording ref = data::resample_linear(r, 50);
    ASSERT_EQ(fe::resample_linear_frames(r.frames(), r.rate_hz, 50), ref.frames()) << r.source;
    std::vector<float> y(ref.samples.size());
    fe::resample_linear(r.samples.data(), r.frames(), r.channels, r.rate_hz, 50, y.data());
    ASSERT_EQ(y, ref.samples) << r.source;
  }
  // DeepSense on 4 s windows: L = 16 (the workbench's radix-2 FFT against the
  // device's direct DFT of the kept bins) and L = 25 at 50 Hz (direct on both sides).
  for (double rate : {0.0, 50.0}) {
    SCOPED_TRACE(rate);
    data::WindowOptions w;
    w.window_seconds = 4;
    w.rate_hz = rate;
    const data::ArraySet windows = data::make_windows(set, picked, w);
    data::DeepSenseOptions d;
    d.intervals = 8;
    d.fft_bins = 6;
    const data::ArraySet ref = data::deepsense_features(windows, d);
    ASSERT_GT(ref.size(), 20u);
    fe::DeepSenseOptions o;
    o.channels = int(windows.sample_shape[0]);
    o.window = int(windows.sample_shape[1]);
    o.intervals = d.intervals;
    o.fft_bins = d.fft_bins;
    o.axes_per_sensor = d.axes_per_sensor;
    const fe::DeepSensePlan plan = fe::prepare_deepsense(o);
    ASSERT_EQ(plan.numel(), ref.sample_numel());
    std::vector<float> y(size_t(plan.numel()));
    Parity parity;
    const auto stats = data::Normalization::fit(ref, 2);  // per feature, as the pipeline does for DeepSense
    data::ArraySet normed = ref;
    stats.apply(normed);
    const auto inv = fe::prepare_normalization(stats.stddev.data(), stats.stddev.size());
    Parity norm_parity;
    for (size_t i = 0; i < windows.size(); ++i) {
      fe::deepsense_features(plan, windows.sample(i), y.data());
      parity.add(y.data(), ref.sample(i), y.size());
      const int64_t feat = ref.sample_shape[2];
      fe::normalize(y.data(), plan.numel() / feat, feat, 1, stats.mean.data(), inv.data(), y.data());
      norm_parity.add(y.data(), normed.sample(i), y.size());
    }
    std::printf("HMP DeepSense (W %d, L %d): %zu values, worst %.3g; normalised worst %.3g\n", o.window,
                plan.interval, parity.count, parity.worst, norm_parity.worst);
    EXPECT_EQ(parity.bad, 0u) << parity.worst;
    EXPECT_EQ(norm_parity.bad, 0u) << norm_parity.worst;
  }
}

TEST(FrontendParity, MnistResizeAndNormaliseThroughTheImageFolderLoader) {
  SLIMLAB_REQUIRE_DATASET("mnist/t10k-images-idx3-ubyte.gz");
  const data::ArraySet mnist = data::load_mnist_dir(slimlab::test::shared_datasets() / "mnist", "test");
  const size_t count = 100;
  slimlab::test::TempDir tmp;
  std::vector<std::vector<uint8_t>> images;
  for (size_t i = 0; i < count; ++i) {
    std::vector<uint8_t> px(28 * 28);
    for (size_t j = 0; j < px.size(); ++j) px[j] = uint8_t(std::lround(mnist.sample(i)[j] * 255.0f));
    char name[32];
    std::snprintf(name, sizeof name, "digit/%04zu.png", i);
    fs::create_directories((tmp / "digit"));
    ASSERT_TRUE(stbi_write_png((tmp / name).string().c_str(), 28, 28, 1, px.data(), 28));
    images.push_back(std::move(px));
  }
  for (int size : {20, 28, 36}) {
    for (int channels : {1, 3}) {
      SCOPED_TRACE(std::to_string(size) + " px, " + std::to_string(channels) + " channels");
      data::ImageFolderOptions io;
      io.size = size;
      io.channels = channels;
      data::ArraySet ref = data::load_image_folder(tmp.path(), io);
      ASSERT_EQ(ref.size(), count);
      const auto stats = data::Normalization::fit(ref, 0);
      stats.apply(ref);
      fe::ImageOptions o;
      o.src_width = o.src_height = 28;
      o.src_channels = 1;
      o.channels = channels;
      o.width = o.height = size;
      o.mean = stats.mean;
      o.stddev = stats.stddev;
      const fe::ImagePlan plan = fe::prepare_image(o);
      std::vector<float> y(size_t(ref.sample_numel()));
      Parity parity;
      for (size_t i = 0; i < count; ++i) {
        fe::image_features(plan, images[i].data(), y.data());
        parity.add(y.data(), ref.sample(i), y.size());
      }
      EXPECT_EQ(parity.bad, 0u) << parity.worst;
      EXPECT_EQ(parity.worst, 0.0);  // the same float operations in the same order
    }
  }
}

}  // namespace

namespace {

// Fixed-point front end (int16 PCM in, ⟨IL, FL⟩ out) against the float path on
// FSDD: the feature error reported in docs/SLIMRT.md.
struct FixedError {
  double max = 0, sum = 0;
  size_t count = 0;
};

FixedError fixed_error(const fe::LogMelOptions& o, int wl, int fl, const std::vector<fs::path>& clips) {
  const fe::LogMelPlan fp = fe::prepare_log_mel(o);
  const fe::FixedLogMelPlan qp = fe::prepare_fixed_log_mel(o, wl, fl);
  std::vector<float> scratch(fp.scratch_floats), ref(size_t(fp.numel()));
  std::vector<int32_t> s32(qp.scratch32);
  std::vector<uint64_t> s64(qp.scratch64);
  std::vector<int16_t> q(ref.size());
  FixedError e;
  for (const fs::path& f : clips) {
    const data::WavClip clip = data::read_wav(f);
    std::vector<int16_t> pcm(clip.samples.size());
    for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = int16_t(std::lround(clip.samples[i] * 32768.0f));  // exact for 16-bit WAV
    fe::log_mel_features(fp, clip.samples.data(), clip.frames(), scratch.data(), ref.data());
    fe::fixed_log_mel_features(qp, pcm.data(), int64_t(pcm.size()), s32.data(), s64.data(), q.data());
    for (size_t i = 0; i < q.size(); ++i) {
      const double d = std::fabs(std::ldexp(double(q[i]), -fl) - double(ref[i]));
      e.max = std::max(e.max, d);
      e.sum += d;
    }
    e.count += q.size();
  }
  std::printf("FSDD fixed-point %s <%d,%d> (WL %d): max abs error %.4g, mean abs error %.4g over %zu values\n",
              o.n_mfcc ? "MFCC" : "log-mel", wl - fl, fl, wl, e.max, e.sum / double(e.count), e.count);
  return e;
}

TEST(FrontendParity, FsddFixedPointFeatureError) {
  SLIMLAB_REQUIRE_DATASET("fsdd/recordings");
  const auto clips = fsdd_clips(25);
  fe::LogMelOptions o;
  const FixedError mel16 = fixed_error(o, 16, 11, clips);
  EXPECT_LT(mel16.max, 0.01);  // measured 0.0036 (output step 2^-11)
  EXPECT_LT(mel16.sum / double(mel16.count), 3e-4);
  const FixedError mel8 = fixed_error(o, 8, 3, clips);  // output step 1/8: rounding alone is ≤ 1/16
  EXPECT_LT(mel8.max, 0.0625 + 0.01);
  o.n_mfcc = 13;
  const FixedError mfcc = fixed_error(o, 16, 8, clips);
  EXPECT_LT(mfcc.max, 0.01);
}

}  // namespace
