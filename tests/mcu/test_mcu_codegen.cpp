// The microcontroller export end to end: a model family's graph (train/models) with random
// weights → .slim (slimlab_export, int8 / int16 / BinaryConnect / BNN) → C99
// (slimrt::mcu::generate) → the host C compiler and qemu-system-arm, each run checked
// byte for byte against slimrt's reference kernels on random test vectors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "codegen/codegen.h"
#include "codegen/verify.h"
#include "compress/quant/calibrate.h"
#include "deploy/export/exporter.h"
#include "ir_fixtures.h"
#include "slimrt/runtime.h"
#include "test_export_fixtures.h"
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
      {"hmp_cnn1d_int16", config("cnn1d", {3, 32}, 7, 0.125), "int16", {"cortex-m3"}},
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

}  // namespace
}  // namespace slimlab::test
