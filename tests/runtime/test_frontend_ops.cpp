// Front-end ops in the graph (ops/frontend, slimrt_frontend): each op's output equals
// slimrt_frontend's kernel on the same samples, bit for bit; hostile parameters are
// refused at load with an error naming the op; .slim files without them still load.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "frontend_models.h"
#include "invoke_util.h"

namespace slimrt::test {
namespace fr = slimrt::frontend;
namespace {

// Output i after the run (intermediate tensors share the arena: tests read outputs).
std::vector<float> output(const Interpreter& in, size_t i) {
  std::vector<float> y(size_t(in.output(i).numel));
  in.get_output(i, y.data(), y.size());
  return y;
}


std::vector<float> run_model(Interpreter& in, const std::vector<float>& x) { return test::invoke_once(in, x); }

void expect_audio_parity(const FrontEndParams& p, int64_t clip) {
  Interpreter in(load(audio_model(p, clip, 0, false, 0, /*head=*/false)));
  const auto x = test_signal(clip, 1, 3);
  run_model(in, x);
  const fr::LogMelPlan plan = fr::prepare_log_mel(ops::fe::log_mel_options(p, clip));
  std::vector<float> want(size_t(plan.numel())), scratch(plan.scratch_floats);
  fr::log_mel_features(plan, x.data(), clip, scratch.data(), want.data());
  EXPECT_EQ(output(in, 0), want);
  // Normalize: the frontend's normalize along axis 0 (the band).
  const int F = plan.features();
  const auto stats = band_stats(F);
  std::vector<float> norm(want.size());
  const auto inv = fr::prepare_normalization(stats.second.data(), stats.second.size());
  fr::normalize(want.data(), 1, F, plan.frames, stats.first.data(), inv.data(), norm.data());
  EXPECT_EQ(output(in, 1), norm);
  // With the head: probabilities.
  Interpreter full(load(audio_model(p, clip)));
  float sum = 0;
  for (float v : run_model(full, x)) sum += v;
  EXPECT_NEAR(sum, 1.0f, 1e-5f);
  EXPECT_EQ(in.kernel_names()[0], "AudioFeatures/f32/frontend");
}

TEST(FrontendOps, LogMelInGraphEqualsTheFrontEnd) { expect_audio_parity(audio_params(), 8000); }

TEST(FrontendOps, MfccAndDirectDftInGraph) {
  FrontEndParams p = audio_params();
  p.n_mfcc = 13;
  expect_audio_parity(p, 6000);
  p.n_mfcc = 0;
  p.n_fft = 240;  // not a power of two: the direct DFT
  expect_audio_parity(p, 4000);
}

TEST(FrontendOps, FixedPointLogMelEqualsTheFixedFrontEnd) {
  const FrontEndParams p = audio_params();
  const int64_t clip = 8000;
  Interpreter in(load(audio_model(p, clip, 0, /*fixed=*/true, /*fl=*/11, /*head=*/false)));
  EXPECT_EQ(in.kernel_names()[0], "AudioFeatures/i16/frontend");
  auto x = test_signal(clip, 1, 5);
  std::vector<int16_t> pcm(x.size());
  for (size_t i = 0; i < x.size(); ++i) {  // values the int16 PCM represents exactly
    pcm[i] = int16_t(std::lround(x[i] * 32767.0f));
    x[i] = float(pcm[i]) / 32768.0f;
  }
  run_model(in, x);
  const fr::FixedLogMelPlan plan = fr::prepare_fixed_log_mel(ops::fe::log_mel_options(p, clip), 16, 11);
  std::vector<int32_t> s32(plan.scratch32);
  std::vector<uint64_t> s64(plan.scratch64);
  std::vector<int16_t> want(size_t(plan.geometry.numel()));
  fr::fixed_log_mel_features(plan, pcm.data(), clip, s32.data(), s64.data(), want.data());
  std::vector<float> want_f(want.size());  // the dequantized output: q·2^−11, exact in float
  for (size_t i = 0; i < want.size(); ++i) want_f[i] = float(want[i]) / 2048.0f;
  EXPECT_EQ(output(in, 0), want_f);
}

TEST(FrontendOps, DeepSenseInGraphEqualsTheFrontEnd) {
  const FrontEndParams p = deepsense_params();
  const int64_t W = 128;
  const int C = 6;
  Interpreter in(load(deepsense_model(p, W, C, /*classes=*/0)));
  const auto x = test_signal(W, C, 9);  // [W, C] time-major
  run_model(in, x);
  const fr::DeepSenseOptions o = ops::fe::deepsense_options(p, W, C);
  const fr::DeepSensePlan plan = fr::prepare_deepsense(o);
  std::vector<float> planar(x.size()), want(size_t(plan.numel()));
  for (int64_t t = 0; t < W; ++t)
    for (int c = 0; c < C; ++c) planar[size_t(c * W + t)] = x[size_t(t * C + c)];
  fr::deepsense_features(plan, planar.data(), want.data());
  EXPECT_EQ(output(in, 0), want);
}

TEST(FrontendOps, ResampleAndImageResizeInGraph) {
  {  // Resample 50 → 32 Hz, 3 channels, then a head
    ModelWriter w;
    FrontEndParams p;
    p.present = true, p.sample_rate = 50, p.target_rate = 32;
    const int64_t n = 200, out = fr::resample_linear_frames(n, 50, 32);
    const int x = w.add_tensor("samples", DType::F32, {n, 3});
    const int y = w.add_tensor("resampled", DType::F32, {out, 3});
    w.add_op(OpType::Resample, "resample", {x}, {y}).frontend = p;
    w.inputs = {x};
    w.outputs = {y};
    Interpreter in(load(w));
    const auto xs = test_signal(n, 3, 2);
    run_model(in, xs);
    std::vector<float> want(size_t(out * 3));
    fr::resample_linear(xs.data(), n, 3, 50, 32, want.data());
    EXPECT_EQ(output(in, 0), want);
  }
  {  // RGB 37×29 → grey 28×28, normalised
    ModelWriter w;
    const int x = w.add_tensor("pixels", DType::F32, {29, 37, 3});
    const int mean = w.add_f32("mean", {1}, {0.1307f}), sd = w.add_f32("std", {1}, {0.3081f});
    const int y = w.add_tensor("image", DType::F32, {1, 28, 28});
    w.add_op(OpType::ImageResize, "resize", {x, mean, sd}, {y});
    w.inputs = {x};
    w.outputs = {y};
    Interpreter in(load(w));
    std::vector<uint8_t> px(29 * 37 * 3);
    std::mt19937 rng(4);
    for (auto& v : px) v = uint8_t(rng() & 255);
    std::vector<float> xs(px.begin(), px.end());
    run_model(in, xs);
    fr::ImageOptions o;
    o.src_width = 37, o.src_height = 29, o.src_channels = 3, o.channels = 1, o.width = 28, o.height = 28;
    o.mean = {0.1307f}, o.stddev = {0.3081f};
    std::vector<float> want(28 * 28);
    fr::image_features(fr::prepare_image(o), px.data(), want.data());
    EXPECT_EQ(output(in, 0), want);
  }
}

// A model with one changed parameter must be refused at load, naming the op and the field.
void expect_refused(const std::function<void(ModelWriter&)>& spoil, const std::string& op, const std::string& what) {
  ModelWriter w = audio_model(audio_params(), 8000);
  spoil(w);
  try {
    load(w);
    ADD_FAILURE() << "loaded; expected an error about " << what;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(op), std::string::npos) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
  }
}

TEST(FrontendOps, HostileParametersAreRefusedNamingTheOp) {
  const std::string fe = "op 0 'frontend' (AudioFeatures)";
  auto audio = [](std::function<void(FrontEndParams&)> f) {
    return [f](ModelWriter& w) { f(w.op(0).frontend); };
  };
  expect_refused(audio([](FrontEndParams& p) { p.n_fft = 0; }), fe, "n_fft 0");
  expect_refused(audio([](FrontEndParams& p) { p.n_fft = 1 << 20; }), fe, "n_fft");
  expect_refused(audio([](FrontEndParams& p) { p.n_fft = 4001; }), fe, "not a power of two");
  expect_refused(audio([](FrontEndParams& p) { p.n_mels = 500; }), fe, "n_mels");
  expect_refused(audio([](FrontEndParams& p) { p.hop_length = 0; }), fe, "hop_length");
  expect_refused(audio([](FrontEndParams& p) { p.win_length = 300; }), fe, "win_length");
  expect_refused(audio([](FrontEndParams& p) { p.sample_rate = std::nan(""); }), fe, "sample rate");
  expect_refused(audio([](FrontEndParams& p) { p.fmax = 1e6; }), fe, "fmax");
  expect_refused(audio([](FrontEndParams& p) { p.n_mfcc = 41; }), fe, "n_mfcc");
  expect_refused(audio([](FrontEndParams& p) { p.stream_hop = -1; }), fe, "stream_hop");
  expect_refused(audio([](FrontEndParams& p) { p.smooth_window = 5000; }), fe, "smooth_window");
  expect_refused(audio([](FrontEndParams& p) { p.smooth_mode = 7; }), fe, "smooth_mode");
  expect_refused(audio([](FrontEndParams& p) { p.present = false; }), fe, "no front-end parameters");
  // The output must hold the features.
  expect_refused([](ModelWriter& w) { w.op(0).frontend.n_mels = 20; }, fe, "values, the features are 20 × 101");
  // Normalize: a zero std.
  expect_refused(
      [](ModelWriter& w) {
        w.op(1).inputs[2] = w.add_f32("bad_std", {40}, std::vector<float>(40, 0.0f));
      },
      "op 1 'normalise' (Normalize)", "std[0] = 0");
}

}  // namespace

}  // namespace slimrt::test
