// The microcontroller export end to end: a model family's graph (train/models) with random
// weights → .slim (slimlab_export, int8 / int16 / BinaryConnect / BNN) → C99
// (slimrt::mcu::generate) → the host C compiler and qemu-system-arm, each run checked
// byte for byte against slimrt's reference kernels on random test vectors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <iostream>
#include <string>
#include <tuple>

#include "codegen/codegen.h"
#include "codegen/verify.h"
#include "compress/quant/calibrate.h"
#include "deploy/export/exporter.h"
#include "ir_fixtures.h"
#include "slimrt/runtime.h"
#include "slimrt/writer.h"
#include "test_export_fixtures.h"
#include "train/models/graph_builder.h"
#include "train/models/models.h"

namespace slimlab::test {
namespace {
namespace fs = std::filesystem;

struct McuCase {
  std::string name;
  train::ModelConfig cfg;
  std::string kind;                  // int8 | int16 | bc_int8 | bnn
  std::vector<std::string> targets;  // qemu cores besides the host
};

train::ModelConfig config(const std::string& model, std::vector<int64_t> shape, int64_t classes, double width) {
  train::ModelConfig c;
  c.name = model;
  c.input_shape = std::move(shape);
  c.num_classes = classes;
  c.width = width;
  c.gru_hidden = 120;
  c.conv_filters = 64;
  c.hidden_units = 256;
  return c;
}

// The shipped experiments' model families, small: HMP CNN1D, the FSDD DNN (keyword),
// MNIST LeNet-5 as BinaryConnect and BNN, DeepSense with its fixed-point GRUs.
std::vector<McuCase> cases() {
  return {
      {"hmp_cnn1d_int8", config("cnn1d", {3, 64}, 7, 0.25), "int8", {"cortex-m3", "cortex-m4"}},
      {"hmp_cnn1d_int16", config("cnn1d", {3, 32}, 7, 0.125), "int16", {"cortex-m3", "cortex-m4"}},
      {"fsdd_dnn_int8", config("deepear_dnn", {1, 40, 101}, 10, 0.125), "int8", {"cortex-m3", "cortex-m33"}},
      {"mnist_lenet5_bc_int8", config("lenet5", {1, 28, 28}, 10, 0.25), "bc_int8", {"cortex-m3"}},
      {"mnist_lenet5_bnn", config("lenet5", {1, 16, 16}, 10, 0.25), "bnn", {"cortex-m3", "cortex-m0"}},
      {"deepsense_gru_int8", config("deepsense", {2, 4, 12}, 6, 0.125), "int8", {"cortex-m3", "cortex-m0"}},
  };
}

// The case's .slim file (written once per process under a temporary folder).
std::string export_case(const McuCase& c, const fs::path& dir) {
  ir::Graph g = with_normal_weights(train::model_graph(c.cfg), 7, 0.3f);
  deploy::ExportOptions o;
  const std::vector<float> cal = calibration(c.cfg.input_shape, 16);
  o.calibration = cal.data();
  o.calibration_samples = 16;
  if (c.kind == "int8") o.precision = deploy::ExportPrecision::kInt8;
  if (c.kind == "int16") o.precision = deploy::ExportPrecision::kInt16;
  if (c.kind == "bc_int8") {
    g = compress::quant::quantize_post_training(binary_graph(g, false), {8, 8, 8}, cal.data(), 16);
    o.precision = deploy::ExportPrecision::kInt8;
  }
  if (c.kind == "bnn") {
    g = binary_graph(g, true);
    o.precision = deploy::ExportPrecision::kBinary;
  }
  const fs::path path = dir / (c.name + ".slim");
  deploy::export_graph_file(g, o, path);
  return path.string();
}

// Generates the case's C sources into their own folder under `root`.
std::string generate_case(const McuCase& c, const fs::path& root, const std::string& tag) {
  const std::string slim = export_case(c, root);
  const std::string dir = (root / (c.name + "_" + tag)).string();
  slimrt::mcu::GenOptions o;
  o.vectors = 4;
  o.seed = 11;
  const auto r = slimrt::mcu::generate(slim, dir, o);
  EXPECT_EQ(r.vectors, 4);
  EXPECT_GT(r.ops, 0);
  return dir;
}

bool have(const char* tool) { return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0; }

class McuExport : public testing::TestWithParam<McuCase> {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("slimlab-mcu-" + std::to_string(::getpid()));
    fs::create_directories(root_);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string generate(const McuCase& c, const std::string& tag) { return generate_case(c, root_, tag); }
  static fs::path root_;
};
fs::path McuExport::root_;

TEST_P(McuExport, HostBuildIsBitExactWithSlimrt) {
  if (!have("cc")) GTEST_SKIP() << "no host C compiler (cc)";
  const std::string dir = generate(GetParam(), "host");
  const auto f = slimrt::mcu::run_host(dir);
  EXPECT_EQ(f.vectors, 4);
  EXPECT_EQ(f.match, f.vectors) << "outputs differ from slimrt's reference kernels; see " << dir;
  EXPECT_GT(f.arena, 0u);
}

TEST_P(McuExport, QemuRunIsBitExactAndMeasured) {
  if (!have("arm-none-eabi-gcc") || !have("qemu-system-arm"))
    GTEST_SKIP() << "arm-none-eabi-gcc or qemu-system-arm missing (tools/install-deps.sh installs them)";
  for (const std::string& t : GetParam().targets) {
    SCOPED_TRACE(t);
    const std::string dir = generate(GetParam(), t);
    const auto f = slimrt::mcu::run_target(dir, slimrt::mcu::find_target(t));
    EXPECT_EQ(f.vectors, 4);
    EXPECT_EQ(f.match, f.vectors) << "see " << dir;
    EXPECT_GT(f.flash, 0u);
    EXPECT_GT(f.stack, 0u);
    EXPECT_EQ(f.ram, f.arena + f.stack);
    EXPECT_LE(f.ram, size_t(64) << 10) << "every model here runs in 64 KiB of RAM";
    EXPECT_GT(f.instructions, 1000u);
    const std::string text = slimrt::mcu::figures_text(f);
    std::cout << "[ figures  ] " << GetParam().name << " " << t << ": arena " << f.arena << ", stack " << f.stack << "\n"
              << text;
    EXPECT_NE(text.find("match 4/4\n"), std::string::npos) << text;
    if (GetParam().kind != "bnn") {  // integer models link no floating point at all
      const std::string nm = "arm-none-eabi-nm " + dir + "/deploy-" + t + ".elf | grep -Eq '__aeabi_([fd]|u?[il]2[fd])'";
      EXPECT_NE(std::system(nm.c_str()), 0) << "soft-float routines in the image of an integer model";
    }
  }
}

// The board recipe (docs/MCU.md): the same sources with the STM32F411 platform file build
// into an image that fits the part.
TEST(McuBoard, ImageBuildsForStm32) {
  if (!have("arm-none-eabi-gcc")) GTEST_SKIP() << "arm-none-eabi-gcc missing (tools/install-deps.sh installs it)";
  const fs::path root = fs::temp_directory_path() / ("slimlab-mcu-board-" + std::to_string(::getpid()));
  fs::create_directories(root);
  const std::string dir = generate_case(cases()[0], root, "stm32f411");
  const slimrt::mcu::Target& t = slimrt::mcu::find_target("stm32f411");
  const auto f = slimrt::mcu::build_target(dir, t);
  EXPECT_GT(f.flash, 1000u);
  EXPECT_LE(f.flash, t.flash_bytes);
  EXPECT_TRUE(fs::exists(dir + "/verify-stm32f411.elf"));
  EXPECT_THROW(slimrt::mcu::run_target(dir, t), slimrt::Error);  // no emulator: said, not faked
  std::error_code ec;
  fs::remove_all(root, ec);
}

INSTANTIATE_TEST_SUITE_P(Families, McuExport, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<McuCase>& i) { return i.param.name; });

// A fixed-point LSTM (no shipped model has one): built with slimrt's writer as the exporter
// writes RNNs — f32 input → Quantize → Lstm (int8, int32 biases, gate / cell / pre-activation
// formats) → Dequantize — then generated and run on the host and a Cortex-M0.
TEST(McuRnn, FixedPointLstmIsBitExact) {
  const int T = 6, F = 5, H = 4;
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> w8(-90, 90), b32(-3000, 3000);
  auto bytes = [&](int n) {
    std::vector<int8_t> v(size_t(n), 0);
    for (int8_t& b : v) b = int8_t(w8(rng));
    return v;
  };
  auto ints = [&](int n) {
    std::vector<int32_t> v(size_t(n), 0);
    for (int32_t& b : v) b = b32(rng);
    return v;
  };
  slimrt::ModelWriter m;
  const int x = m.add_tensor("input", slimrt::DType::F32, {T, F});
  const int xq = m.add_tensor("input.quantized", slimrt::DType::I8, {T, F}, 5);
  const auto wi = bytes(4 * H * F), wh = bytes(4 * H * H);
  const int wit = m.add_constant("lstm.weight_ih", slimrt::DType::I8, {4 * H, F}, wi.data(), wi.size(), 6);
  const int wht = m.add_constant("lstm.weight_hh", slimrt::DType::I8, {4 * H, H}, wh.data(), wh.size(), 6);
  const int bi = m.add_i32("lstm.bias_ih", {4 * H}, ints(4 * H), 11);
  const int bh = m.add_i32("lstm.bias_hh", {4 * H}, ints(4 * H), 12);
  const int y = m.add_tensor("lstm", slimrt::DType::I8, {T, H}, 6);
  const int yf = m.add_tensor("lstm.out", slimrt::DType::F32, {T, H});
  m.add_op(slimrt::OpType::Quantize, "input.quantize", {x}, {xq});
  slimrt::OpDesc& op = m.add_op(slimrt::OpType::Lstm, "lstm", {xq, wit, wht, bi, bh}, {y});
  // Formats ⟨word length, FL⟩: gates ⟨8, 6⟩, cell ⟨8, 4⟩, pre-activations ⟨8, 4⟩.
  std::tie(op.gate_wl, op.gate_fl, op.cell_wl, op.cell_fl, op.pre_wl, op.pre_fl) = std::make_tuple(8, 6, 8, 4, 8, 4);
  m.add_op(slimrt::OpType::Dequantize, "lstm.dequantize", {y}, {yf});
  m.inputs = {x};
  m.outputs = {yf};
  const fs::path root = fs::temp_directory_path() / ("slimlab-mcu-lstm-" + std::to_string(::getpid()));
  fs::create_directories(root);
  m.write_file((root / "lstm.slim").string());
  {  // the model is not degenerate: its outputs vary (saturated gates would match trivially)
    slimrt::Interpreter in(slimrt::Model::from_file((root / "lstm.slim").string()));
    std::vector<float> xs(size_t(T * F)), ys(size_t(T * H));
    std::normal_distribution<float> nd(0, 1);
    for (float& v : xs) v = nd(rng);
    in.set_input(0, xs.data(), xs.size());
    in.invoke();
    in.get_output(0, ys.data(), ys.size());
    std::sort(ys.begin(), ys.end());
    EXPECT_GE(std::unique(ys.begin(), ys.end()) - ys.begin(), 8);
  }
  slimrt::mcu::GenOptions o;
  o.vectors = 6;
  const auto r = slimrt::mcu::generate((root / "lstm.slim").string(), (root / "c").string(), o);
  EXPECT_EQ(r.ops, 1);
  if (have("cc")) {
    const auto f = slimrt::mcu::run_host((root / "c").string());
    EXPECT_EQ(f.match, 6);
    EXPECT_EQ(f.arena, size_t(32 + 24 + 16));  // input 30 B, output 24 B, the cell state 16 B (8-byte aligned)
  }
  if (have("arm-none-eabi-gcc") && have("qemu-system-arm")) {
    const auto f = slimrt::mcu::run_target((root / "c").string(), slimrt::mcu::find_target("cortex-m0"));
    EXPECT_EQ(f.match, 6);
  }
  std::error_code ec;
  fs::remove_all(root, ec);
}

// A model written with slimrt's writer → C (6 random vectors) → the host compiler and a
// Cortex-M4 under qemu: `ops` device ops, every vector byte for byte slimrt's.
void expect_device_bit_exact(slimrt::ModelWriter& m, const std::string& tag, int ops) {
  const fs::path root = fs::temp_directory_path() / ("slimlab-mcu-" + tag + "-" + std::to_string(::getpid()));
  fs::create_directories(root);
  m.write_file((root / "m.slim").string());
  slimrt::mcu::GenOptions o;
  o.vectors = 6;
  EXPECT_EQ(slimrt::mcu::generate((root / "m.slim").string(), (root / "c").string(), o).ops, ops);
  if (have("cc")) EXPECT_EQ(slimrt::mcu::run_host((root / "c").string()).match, 6);
  if (have("arm-none-eabi-gcc") && have("qemu-system-arm"))
    EXPECT_EQ(slimrt::mcu::run_target((root / "c").string(), slimrt::mcu::find_target("cortex-m4")).match, 6);
  std::error_code ec;
  fs::remove_all(root, ec);
}

// A trained BNN LeNet-5 ends in float layers (fc1's float outputs → ReLU → the float
// classifier): float Dense (emitted as a 1×1 conv) and the float ReLU / ReLU6 / hard-tanh
// run on the device with slimrt's reference arithmetic, byte for byte.
TEST(McuFloatTail, FloatDenseAndClampsAreBitExact) {
  const int F = 12, H = 8, C = 6;
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0, 1);
  auto floats = [&](int n) {
    std::vector<float> v(static_cast<size_t>(n), 0.0f);
    for (float& f : v) f = nd(rng);
    return v;
  };
  slimrt::ModelWriter m;
  const int x = m.add_tensor("input", slimrt::DType::F32, {F});
  const auto w1 = floats(H * F), b1 = floats(H), w2 = floats(C * H), b2 = floats(C);
  const int w1t = m.add_f32("fc1.weight", {H, F}, w1);
  const int b1t = m.add_f32("fc1.bias", {H}, b1);
  const int w2t = m.add_f32("fc2.weight", {C, H}, w2);
  const int b2t = m.add_f32("fc2.bias", {C}, b2);
  const int h = m.add_tensor("fc1", slimrt::DType::F32, {H});
  const int hr = m.add_tensor("relu1", slimrt::DType::F32, {H});
  const int y = m.add_tensor("fc2", slimrt::DType::F32, {C});
  const int y6 = m.add_tensor("relu6", slimrt::DType::F32, {C});
  const int yt = m.add_tensor("tanh", slimrt::DType::F32, {C});
  m.add_op(slimrt::OpType::Dense, "fc1", {x, w1t, b1t}, {h});
  m.add_op(slimrt::OpType::Relu, "relu1", {h}, {hr});
  m.add_op(slimrt::OpType::Dense, "fc2", {hr, w2t, b2t}, {y}).activation = slimrt::fb::Activation::Relu;
  m.add_op(slimrt::OpType::Relu6, "relu6", {y}, {y6});
  slimrt::OpDesc& ht = m.add_op(slimrt::OpType::HardTanh, "tanh", {y6}, {yt});
  ht.min_value = 0.25f;
  ht.max_value = 1.5f;
  m.inputs = {x};
  m.outputs = {yt};
  expect_device_bit_exact(m, "ftail", 5);
}

// Fixed-point Add, Sub and Mul (a residual connection's join, a gate): Add / Sub shift
// operands at different FLs to the larger, Mul keeps the product at the sum of FLs;
// each requantized once (Add with a fused ReLU) — byte for byte slimrt's reference, on
// the host and a Cortex-M4.
TEST(McuAdd, FixedPointAddSubMulAreBitExact) {
  const int N = 24;
  slimrt::ModelWriter m;
  const int x = m.add_tensor("input", slimrt::DType::F32, {N});
  const int xq = m.add_tensor("input.quantized", slimrt::DType::I8, {N}, 5);
  const int x4 = m.add_tensor("x4", slimrt::DType::I8, {N}, 3);
  const int s = m.add_tensor("sum", slimrt::DType::I8, {N}, 4);
  const int d = m.add_tensor("diff", slimrt::DType::I8, {N}, 4);
  const int df = m.add_tensor("diff.out", slimrt::DType::F32, {N});
  m.add_op(slimrt::OpType::Quantize, "input.quantize", {x}, {xq});
  m.add_op(slimrt::OpType::Quantize, "requantize", {xq}, {x4});
  m.add_op(slimrt::OpType::Add, "add", {xq, x4}, {s}).activation = slimrt::fb::Activation::Relu;
  m.add_op(slimrt::OpType::Sub, "sub", {s, xq}, {d});
  const int pr = m.add_tensor("prod", slimrt::DType::I8, {N}, 5);
  m.add_op(slimrt::OpType::Mul, "mul", {d, x4}, {pr});
  m.add_op(slimrt::OpType::Dequantize, "prod.dequantize", {pr}, {df});
  m.inputs = {x};
  m.outputs = {df};
  expect_device_bit_exact(m, "add", 4);  // requantize, add, sub, mul (the caller quantizes and dequantizes)
}

// Reverse (ONNX reverse / bidirectional RNNs) on int16 along the time axis and on int8
// along the features: a copy, byte for byte slimrt's reference.
TEST(McuReverse, Int8AndInt16ReversesAreBitExact) {
  slimrt::ModelWriter m;
  const int x = m.add_tensor("input", slimrt::DType::F32, {5, 4});
  const int x16 = m.add_tensor("input.quantized", slimrt::DType::I16, {5, 4}, 9);
  const int r0 = m.add_tensor("rev_time", slimrt::DType::I16, {5, 4}, 9);
  const int r8 = m.add_tensor("rev_time.i8", slimrt::DType::I8, {5, 4}, 4);
  const int r1 = m.add_tensor("rev_feat", slimrt::DType::I8, {5, 4}, 4);
  const int y = m.add_tensor("out", slimrt::DType::F32, {5, 4});
  m.add_op(slimrt::OpType::Quantize, "input.quantize", {x}, {x16});
  m.add_op(slimrt::OpType::Reverse, "rev_time", {x16}, {r0}).axis = 0;
  m.add_op(slimrt::OpType::Quantize, "requantize", {r0}, {r8});
  m.add_op(slimrt::OpType::Reverse, "rev_feat", {r8}, {r1}).axis = 1;
  m.add_op(slimrt::OpType::Dequantize, "out.dequantize", {r1}, {y});
  m.inputs = {x};
  m.outputs = {y};
  expect_device_bit_exact(m, "reverse", 3);  // reverse, requantize, reverse
}

// Ops without a device kernel are refused with the op's name, not miscompiled.
TEST(McuExportErrors, UnsupportedOpNamesTheOp) {
  const fs::path dir = fs::temp_directory_path() / ("slimlab-mcu-err-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ir::Graph g = with_normal_weights(train::model_graph(config("cnn1d", {3, 16}, 4, 0.125)), 3, 0.3f);
  deploy::ExportOptions o;  // fp32: float GlobalAvgPool has no device kernel
  deploy::export_graph_file(g, o, dir / "f.slim");
  try {
    slimrt::mcu::generate((dir / "f.slim").string(), (dir / "out").string());
    FAIL() << "expected an error";
  } catch (const slimrt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'gap' (GlobalAvgPool)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(slimrt::mcu::find_target("cortex-a53"), slimrt::Error);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// The activations added for ONNX import (Tanh, LeakyRelu, HardSigmoid, LogSoftmax) have no
// device kernel: an int8 model using one is refused naming the op.
TEST(McuExportErrors, OnnxActivationsAreRefusedByName) {
  const fs::path dir = fs::temp_directory_path() / ("slimlab-mcu-act-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::vector<float> cal = calibration({12}, 16);
  for (auto [kind, op] : {std::pair{ir::LayerKind::kTanh, "Tanh"}, {ir::LayerKind::kLeakyRelu, "LeakyRelu"},
                          {ir::LayerKind::kHardSigmoid, "HardSigmoid"}, {ir::LayerKind::kLogSoftmax, "LogSoftmax"}}) {
    train::GraphBuilder b("acts", {12}, 4);
    b.dense("fc1", 8);
    b.elementwise("act", kind);
    b.dense("fc2", 4);
    ir::Graph g = b.finish();
    g.layer("act")->alpha = 0.2f;
    g.layer("act")->beta = 0.5f;
    g = with_normal_weights(g, 5, 0.3f);
    deploy::ExportOptions o;
    o.precision = deploy::ExportPrecision::kInt8;
    o.calibration = cal.data();
    o.calibration_samples = 16;
    deploy::export_graph_file(g, o, dir / "a.slim");
    try {
      slimrt::mcu::generate((dir / "a.slim").string(), (dir / "out").string());
      ADD_FAILURE() << op << ": expected an error";
    } catch (const slimrt::Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'act' (") + op + "): no device kernel"), std::string::npos)
          << e.what();
    }
  }
  {  // and Div of two tensors (Add, Sub and Mul have device kernels: McuAdd)
    train::GraphBuilder b("div", {12}, 4);
    b.dense("fa", 8, "input");
    b.dense("fb", 8, "input");
    b.binary("act", ir::LayerKind::kDiv, "fa", "fb");
    b.dense("fc", 4);
    deploy::ExportOptions o;
    o.precision = deploy::ExportPrecision::kInt8;
    o.calibration = cal.data();
    o.calibration_samples = 16;
    deploy::export_graph_file(with_normal_weights(b.finish(), 5, 0.3f), o, dir / "m.slim");
    try {
      slimrt::mcu::generate((dir / "m.slim").string(), (dir / "out").string());
      ADD_FAILURE() << "Div: expected an error";
    } catch (const slimrt::Error& e) {
      EXPECT_NE(std::string(e.what()).find("'act' (Div): no device kernel"), std::string::npos) << e.what();
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// A broadcasting Mul (a channel scale [2, 1] against [2, 4]) has no device kernel:
// refused naming the op and both shapes.
TEST(McuExportErrors, BroadcastIsRefusedNamingTheOpAndShapes) {
  const fs::path dir = fs::temp_directory_path() / ("slimlab-mcu-bcast-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto model = [&](const std::string& file) {
    slimrt::ModelWriter m;
    const int x = m.add_tensor("input", slimrt::DType::F32, {2, 4});
    const int xq = m.add_tensor("input.quantized", slimrt::DType::I8, {2, 4}, 5);
    const int sl = m.add_tensor("s", slimrt::DType::I8, {2, 1}, 5);
    const int y = m.add_tensor("y", slimrt::DType::I8, {2, 4}, 5);
    const int yf = m.add_tensor("y.out", slimrt::DType::F32, {2, 4});
    m.add_op(slimrt::OpType::Quantize, "input.quantize", {x}, {xq});
    auto& op = m.add_op(slimrt::OpType::Slice, "slice", {xq}, {sl});
    op.axis = 1;
    op.begin = 0;
    op.end = 1;
    m.add_op(slimrt::OpType::Mul, "scale", {xq, sl}, {y});
    m.add_op(slimrt::OpType::Dequantize, "y.dequantize", {y}, {yf});
    m.inputs = {x};
    m.outputs = {yf};
    m.write_file((dir / file).string());
    slimrt::mcu::generate((dir / file).string(), (dir / (file + ".out")).string());
  };
  try {
    model("b.slim");
    FAIL() << "expected an error";
  } catch (const slimrt::Error& e) {
    const std::string w = e.what();
    EXPECT_NE(w.find("'scale' (Mul)"), std::string::npos) << w;
    EXPECT_NE(w.find("[2, 4] against [2, 1]"), std::string::npos) << w;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace slimlab::test
