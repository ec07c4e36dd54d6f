// The fixed-point audio front end on the device (docs/MCU.md): a keyword model written
// with slimrt's writer — raw samples → AudioFeatures (log-mel / MFCC at i8 / i16) → a
// small int8 net — generated as C99 and run on real FSDD clips, on the host and under
// qemu-system-arm, features and logits byte for byte slimrt's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "codegen/codegen.h"
#include "codegen/fixed_front_end.h"
#include "codegen/verify.h"
#include "datasets/wav.h"
#include "slimrt/runtime.h"
#include "slimrt/stream.h"
#include "slimrt/writer.h"
#include "test_util.h"

namespace slimlab::test {
namespace {
namespace fs = std::filesystem;
using slimrt::DType;
using slimrt::OpType;

constexpr int64_t kClip = 8000;  // 1 s at 8 kHz, the workbench's FSDD clip
constexpr int kClips = 4;

struct Front {
  int64_t clip = kClip;  // samples
  int n_fft = 256, n_mfcc = 0;
  DType dtype = DType::I8;
  int fl = 3;
};

slimrt::FrontEndParams params(const Front& f) {
  slimrt::FrontEndParams p;
  p.present = true, p.sample_rate = 8000, p.n_fft = f.n_fft, p.win_length = 200, p.hop_length = 80, p.n_mels = 40;
  p.n_mfcc = f.n_mfcc, p.fmin = 20;
  return p;
}

std::vector<int8_t> random_i8(size_t n, uint32_t seed, int range) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-range, range);
  std::vector<int8_t> v(n);
  for (int8_t& b : v) b = int8_t(d(rng));
  return v;
}

// x f32 [clip] → AudioFeatures (⟨wl, fl⟩ at f.dtype) → then either Dequantize (the
// features are the output: head = false) or Reshape → Dense 16 (ReLU) → Dense 10 →
// Dequantize (int8 throughout; the features requantized to int8 first when they are i16).
slimrt::ModelWriter keyword_model(const Front& f, bool head) {
  slimrt::ModelWriter m;
  const int F = f.n_mfcc > 0 ? f.n_mfcc : 40, T = int(1 + f.clip / 80);  // hop 80
  const int x = m.add_tensor("samples", DType::F32, {f.clip});
  int feat = m.add_tensor("features", f.dtype, {F, T}, f.fl);
  m.add_op(OpType::AudioFeatures, "frontend", {x}, {feat}).frontend = params(f);
  if (!head) {  // (float features are the output as they are)
    const int y = f.dtype == DType::F32 ? feat : m.add_tensor("features.f32", DType::F32, {F, T});
    if (y != feat) m.add_op(OpType::Dequantize, "features.dequantize", {feat}, {y});
    m.inputs = {x};
    m.outputs = {y};
    return m;
  }
  if (f.dtype == DType::I16) {
    const int q = m.add_tensor("features.i8", DType::I8, {F, T}, 3);
    m.add_op(OpType::Quantize, "features.requantize", {feat}, {q});
    feat = q;
  }
  const int flat = m.add_tensor("flat", DType::I8, {int64_t(F) * T}, 3);
  m.add_op(OpType::Reshape, "flatten", {feat}, {flat});
  const int H = 16, C = 10;
  const auto w1 = random_i8(size_t(H * F * T), 3, 12), w2 = random_i8(size_t(C * H), 4, 20);
  const int w1t = m.add_constant("fc1.weight", DType::I8, {H, int64_t(F) * T}, w1.data(), w1.size(), 7);
  const int b1t = m.add_i32("fc1.bias", {H}, std::vector<int32_t>(H, 300), 10);
  const int h = m.add_tensor("fc1", DType::I8, {H}, 0);
  m.add_op(OpType::Dense, "fc1", {flat, w1t, b1t}, {h}).activation = slimrt::fb::Activation::Relu;
  const int w2t = m.add_constant("fc2.weight", DType::I8, {C, H}, w2.data(), w2.size(), 6);
  const int y = m.add_tensor("logits", DType::I8, {C}, 1);
  m.add_op(OpType::Dense, "fc2", {h, w2t}, {y});
  const int yf = m.add_tensor("logits.f32", DType::F32, {C});
  m.add_op(OpType::Dequantize, "logits.dequantize", {y}, {yf});
  m.inputs = {x};
  m.outputs = {yf};
  return m;
}

// Every 750th FSDD recording (sorted: several speakers and digits), cropped or zero-padded
// to the clip as the workbench's audio pipeline does; empty when the data set is absent.
std::vector<float> fsdd_inputs() {
  const fs::path dir = shared_datasets() / "fsdd/recordings";
  if (!fs::exists(dir)) return {};
  std::vector<fs::path> all;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wav") all.push_back(e.path());
  std::sort(all.begin(), all.end());
  std::vector<float> x;
  for (size_t i = 0; i < all.size() && x.size() < size_t(kClips * kClip); i += all.size() / kClips) {
    const data::WavClip c = data::read_wav(all[i]);
    EXPECT_EQ(c.rate_hz, 8000) << all[i];
    std::vector<float> clip(size_t(kClip), 0.0f);
    const int64_t n = c.frames(), skip = n > kClip ? (n - kClip) / 2 : 0;
    std::copy(c.samples.begin() + skip, c.samples.begin() + skip + std::min(n, kClip), clip.begin());
    x.insert(x.end(), clip.begin(), clip.end());
  }
  return x;
}

bool have(const char* tool) { return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0; }

class McuFrontEnd : public testing::Test {
 protected:
  void SetUp() override {
    inputs_ = fsdd_inputs();
    if (inputs_.empty()) GTEST_SKIP() << "real dataset not found: " << (shared_datasets() / "fsdd/recordings").string();
    root_ = fs::temp_directory_path() / ("slimlab-mcu-fe-" + std::to_string(::getpid()));
    fs::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // Generates `m` with the FSDD clips as vectors; checks the host build, then each core under qemu.
  void expect_bit_exact(const slimrt::ModelWriter& m, const std::string& tag, const std::vector<std::string>& cores,
                        int64_t clip = kClip) {
    const std::string slim = (root_ / (tag + ".slim")).string();
    m.write_file(slim);
    expect_file_bit_exact(slim, tag, cores, clip);
  }
  // The first `clip` samples of each FSDD clip.
  std::vector<float> clips(int64_t clip) const {
    std::vector<float> x;
    for (int v = 0; v < kClips; ++v)
      x.insert(x.end(), inputs_.begin() + v * kClip, inputs_.begin() + v * kClip + clip);
    return x;
  }
  void expect_file_bit_exact(const std::string& slim, const std::string& tag, const std::vector<std::string>& cores,
                             int64_t clip = kClip) {
    expect_outputs_vary(slim, clip);
    slimrt::mcu::GenOptions o;
    o.vectors = kClips;
    o.inputs = clips(clip);
    const std::string dir = (root_ / tag).string();
    const auto r = slimrt::mcu::generate(slim, dir, o);
    EXPECT_EQ(r.vectors, kClips);
    EXPECT_EQ(r.input_bytes, size_t(clip) * 2) << "the device input is int16 PCM";
    if (have("cc")) {
      EXPECT_EQ(slimrt::mcu::run_host(dir).match, kClips) << "host build differs from slimrt; see " << dir;
    }
    if (!have("arm-none-eabi-gcc") || !have("qemu-system-arm")) return;
    for (const std::string& core : cores) {
      SCOPED_TRACE(core);
      const auto f = slimrt::mcu::run_target(dir, slimrt::mcu::find_target(core));
      EXPECT_EQ(f.match, kClips) << "see " << dir;
      std::cout << "[ figures  ] " << tag << " " << core << ": arena " << f.arena << ", stack " << f.stack
                << ", constants " << r.weight_bytes << "\n"
                << slimrt::mcu::figures_text(f);
      const std::string soft = "arm-none-eabi-nm " + dir + "/deploy-" + core + ".elf | grep -Eq '__aeabi_([fd]|u?[il]2[fd])'";
      EXPECT_NE(std::system(soft.c_str()), 0) << "soft-float routines in the image: the front end must be integer only";
    }
  }
  // The check is not trivial: slimrt's outputs over the clips take many different values.
  void expect_outputs_vary(const std::string& slim, int64_t clip) {
    slimrt_frontend_register();
    slimrt::Interpreter in(slimrt::Model::from_file(slim));
    std::set<float> seen;
    for (int v = 0; v < kClips; ++v) {
      in.set_input(0, inputs_.data() + size_t(v) * kClip, size_t(clip));
      in.invoke();
      std::vector<float> y(size_t(in.output(0).numel));
      in.get_output(0, y.data(), y.size());
      seen.insert(y.begin(), y.end());
    }
    EXPECT_GE(seen.size(), 8u) << slim;
  }
  std::vector<float> inputs_;
  fs::path root_;
};

TEST_F(McuFrontEnd, LogMelInt8FeaturesAndLogitsAreBitExact) {
  expect_bit_exact(keyword_model({}, false), "logmel_features", {"cortex-m4", "cortex-m3"});
  expect_bit_exact(keyword_model({}, true), "logmel_kws", {"cortex-m4", "cortex-m3"});
}

// A Cortex-M0 (v6-M: no CLZ, no 64-bit multiply; 16 KiB of RAM) with a 0.25 s clip.
TEST_F(McuFrontEnd, LogMelOnCortexM0IsBitExact) {
  Front f;
  f.clip = 2000;
  expect_bit_exact(keyword_model(f, true), "logmel_m0", {"cortex-m0"}, f.clip);
}

TEST_F(McuFrontEnd, MfccInt16FeaturesAndLogitsAreBitExact) {
  Front f;
  f.n_mfcc = 13, f.dtype = DType::I16, f.fl = 8;
  expect_bit_exact(keyword_model(f, false), "mfcc_features", {"cortex-m4", "cortex-m33"});
  expect_bit_exact(keyword_model(f, true), "mfcc_kws", {"cortex-m4"});
}

// What `slimlab export --front-end -p int8` writes: x → AudioFeatures (f32) → Normalize
// per band → Quantize (int8, FL 4) → then Dequantize (head = false: the network's input is
// the output) or flatten → Dense 10 → Dequantize.
slimrt::ModelWriter float_front_end_model(bool head) {
  slimrt::ModelWriter m;
  const int x = m.add_tensor("samples", DType::F32, {kClip});
  const int feat = m.add_tensor("features", DType::F32, {1, 40, 101});
  m.add_op(OpType::AudioFeatures, "frontend", {x}, {feat}).frontend = params({});
  std::vector<float> mean(40), sd(40);
  for (size_t b = 0; b < 40; ++b) mean[b] = -9.0f + 0.1f * float(b), sd[b] = 2.5f + 0.02f * float(b);
  const int mt = m.add_f32("frontend.mean", {40}, mean), st = m.add_f32("frontend.std", {40}, sd);
  const int norm = m.add_tensor("input", DType::F32, {1, 40, 101});
  m.add_op(OpType::Normalize, "frontend.normalize", {feat, mt, st}, {norm}).axis = 1;
  const int q = m.add_tensor("input.quantized", DType::I8, {1, 40, 101}, 4);
  m.add_op(OpType::Quantize, "input.quantize", {norm}, {q});
  int y = q;
  if (head) {
    const int flat = m.add_tensor("flat", DType::I8, {4040}, 4);
    m.add_op(OpType::Reshape, "flatten", {q}, {flat});
    const auto w = random_i8(size_t(10 * 4040), 5, 20);
    const int wt = m.add_constant("fc.weight", DType::I8, {10, 4040}, w.data(), w.size(), 7);
    y = m.add_tensor("logits", DType::I8, {10}, 0);
    m.add_op(OpType::Dense, "fc", {flat, wt}, {y});
  }
  const int yf = m.add_tensor("out", DType::F32, head ? std::vector<int64_t>{10} : std::vector<int64_t>{1, 40, 101});
  m.add_op(OpType::Dequantize, "out.dequantize", {y}, {yf});
  m.inputs = {x};
  m.outputs = {yf};
  return m;
}

std::shared_ptr<const slimrt::Model> load(const slimrt::ModelWriter& w) {
  slimrt_frontend_register();
  const auto bytes = w.finish();
  return slimrt::Model::from_memory(bytes.data(), bytes.size());
}

// The network's int8 input over the FSDD clips, from `model`.
std::vector<float> network_inputs(const std::shared_ptr<const slimrt::Model>& model, const std::vector<float>& x) {
  slimrt::Interpreter in(model);
  std::vector<float> all, y(4040);
  for (int v = 0; v < kClips; ++v) {
    in.set_input(0, x.data() + size_t(v) * kClip, size_t(kClip));
    in.invoke();
    in.get_output(0, y.data(), y.size());
    all.insert(all.end(), y.begin(), y.end());
  }
  return all;
}

// slimlab's float front end rewritten with the fixed-point one (slimrt-mcu
// --fixed-front-end): AudioFeatures i16 → per-band Conv1d → requantize; the network's
// int8 input agrees with the float front end's within one step, and the device runs the
// rewritten model bit for bit as slimrt.
TEST_F(McuFrontEnd, FloatFrontEndRewrittenInFixedPoint) {
  const auto fixed_bytes = [](const slimrt::ModelWriter& w) {
    return slimrt::mcu::fixed_audio_front_end(*load(w), "float_front_end.slim");
  };
  const std::vector<uint8_t> features = fixed_bytes(float_front_end_model(false));
  const auto fixed = slimrt::Model::from_memory(features.data(), features.size());
  EXPECT_EQ(fixed->ops()[0].type, OpType::AudioFeatures);
  EXPECT_EQ(fixed->tensors()[size_t(fixed->ops()[0].outputs[0])].dtype, DType::I16);
  EXPECT_EQ(fixed->ops()[1].type, OpType::Conv1d);
  const std::vector<float> a = network_inputs(load(float_front_end_model(false)), inputs_);
  const std::vector<float> b = network_inputs(fixed, inputs_);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_LE(std::fabs(a[i] - b[i]), 1.0f / 16) << "value " << i;
    same += a[i] == b[i];
  }
  EXPECT_GE(double(same), 0.9 * double(a.size())) << same << " of " << a.size() << " equal";
  std::cout << "[ parity   ] fixed vs float front end: " << same << " of " << a.size() << " int8 inputs equal\n";
  const std::vector<uint8_t> kws = fixed_bytes(float_front_end_model(true));
  const std::string slim = (root_ / "rewritten.slim").string();
  std::FILE* f = std::fopen(slim.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(kws.data(), 1, kws.size(), f);
  std::fclose(f);
  expect_file_bit_exact(slim, "rewritten", {"cortex-m4"});
}

std::string generate_error(const slimrt::ModelWriter& m, const std::string& tag) {
  const fs::path root = fs::temp_directory_path() / ("slimlab-mcu-fe-err-" + std::to_string(::getpid()));
  fs::create_directories(root);
  m.write_file((root / (tag + ".slim")).string());
  std::string what;
  try {
    slimrt::mcu::generate((root / (tag + ".slim")).string(), (root / tag).string());
  } catch (const slimrt::Error& e) {
    what = e.what();
  }
  std::error_code ec;
  fs::remove_all(root, ec);
  return what;
}

// What the device cannot run is refused naming the op: an n_fft that is not a power of
// two (no fixed-point direct DFT), a float front end, the other front-end ops.
TEST(McuFrontEndErrors, RefusedWithTheOpNamed) {
  Front odd;
  odd.n_fft = 240;
  const std::string e1 = generate_error(keyword_model(odd, true), "odd");
  EXPECT_NE(e1.find("n_fft"), std::string::npos) << e1;
  EXPECT_NE(e1.find("not a power of two"), std::string::npos) << e1;
  EXPECT_NE(e1.find("op 0 'frontend' (AudioFeatures)"), std::string::npos) << e1;
  Front fl;
  fl.dtype = DType::F32, fl.fl = 0;
  const std::string e2 = generate_error(keyword_model(fl, false), "float");
  EXPECT_NE(e2.find("op 0 'frontend' (AudioFeatures): a float front end has no device kernel"), std::string::npos) << e2;
  slimrt::ModelWriter ds;
  slimrt::FrontEndParams p;
  p.present = true, p.sample_rate = 32, p.intervals = 4, p.fft_bins = 3, p.axes_per_sensor = 3;
  const int x = ds.add_tensor("samples", DType::F32, {32, 3});
  const int y = ds.add_tensor("features", DType::F32, {1, 4, 18});
  ds.add_op(OpType::DeepSenseFeatures, "frontend", {x}, {y}).frontend = p;
  ds.inputs = {x};
  ds.outputs = {y};
  const std::string e3 = generate_error(ds, "deepsense");
  EXPECT_NE(e3.find("'frontend' (DeepSenseFeatures): this front-end op has no device kernel"), std::string::npos) << e3;
}

}  // namespace
}  // namespace slimlab::test
