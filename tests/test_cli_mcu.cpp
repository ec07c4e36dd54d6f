// `slimlab export <run> --target cortex-mX --verify` end to end from the CLI: a keyword
// model trained here on synthetic audio, exported at int8 for a Cortex-M and run under
// qemu-system-arm with test vectors from the run's test split — without and with the
// sensor front end (the device then runs the fixed-point log-mel on raw int16 PCM, and
// its vectors are the test split's raw clips). docs/MCU.md.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "experiments/results.h"
#include "test_util.h"

namespace fs = std::filesystem;
using slimlab::test::run_slimlab;

namespace {

bool have(const char* tool) { return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0; }

class CliMcu : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new slimlab::test::TempDir();
    const fs::path toml = *dir_ / "kws.toml";
    slimlab::test::write_text(toml,
                              "name = \"kws\"\n[dataset]\nsource = \"synthetic:audio\"\naudio_features = \"logmel\"\n"
                              "[model]\nname = \"deepear_dnn\"\nhidden_units = 32\n[train]\nepochs = 1\nthreads = 1\n");
    const auto r = run_slimlab("train " + toml.string() + " --run-id r --set dataset.synthetic_scale=0.25 --runs " +
                               (*dir_ / "runs").string() + " --quiet");
    trained_ = r.code == 0;
    train_log_ = r.out;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(trained_) << train_log_;
    if (!have("arm-none-eabi-gcc") || !have("qemu-system-arm"))
      GTEST_SKIP() << "arm-none-eabi-gcc or qemu-system-arm missing (tools/install-deps.sh installs them)";
  }
  static std::string run() { return (*dir_ / "runs" / "kws" / "r").string() + " --runs " + (*dir_ / "runs").string(); }

  static slimlab::test::TempDir* dir_;
  static bool trained_;
  static std::string train_log_;
};
slimlab::test::TempDir* CliMcu::dir_ = nullptr;
bool CliMcu::trained_ = false;
std::string CliMcu::train_log_;

// "match k/n" of a verify run, as {k, n}; {-1, -1} when absent.
std::pair<int, int> match_of(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("\nmatch ([0-9]+)/([0-9]+)"))) return {-1, -1};
  return {std::stoi(m[1]), std::stoi(m[2])};
}

TEST_F(CliMcu, Int8NetworkVerifiesOnTheDeviceWithTheRunsTestVectors) {
  const fs::path out = *dir_ / "mcu-m3";
  const auto r = run_slimlab("export " + run() + " -p int8 --target cortex-m3 --verify -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(match_of(r.out), std::make_pair(16, 16)) << r.out;
  EXPECT_TRUE(fs::exists(out / "model.slim"));
  const auto rec = slimlab::exp::read_results(*dir_ / "runs" / "kws" / "r" / "results.h5");
  EXPECT_EQ(rec.tags.at("mcu_cortex-m3_match"), "16/16");
  EXPECT_GT(std::stol(rec.tags.at("mcu_cortex-m3_flash_bytes")), 0);
}

TEST_F(CliMcu, FrontEndRunsOnTheDeviceFromRawClipsBitExact) {
  const fs::path out = *dir_ / "mcu-m4-fe";
  const auto r = run_slimlab("export " + run() + " -p int8 --front-end --target cortex-m4 --verify -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("with the fixed-point audio front end the device runs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("raw clips"), std::string::npos) << r.out;
  EXPECT_EQ(match_of(r.out), std::make_pair(16, 16)) << r.out;
  // The generated model takes int16 PCM, one clip of the run's rate × clip length.
  const std::string header = slimlab::test::read_text(out / "slim_model.h");
  EXPECT_NE(header.find("SLIM_MODEL_INPUT_PCM16"), std::string::npos);
}

TEST_F(CliMcu, FloatFrontEndForADeviceIsRefusedWithTheFix) {
  const auto r = run_slimlab("export " + run() + " -p fp32 --front-end --target cortex-m4 -o " +
                             (*dir_ / "mcu-fp32-fe").string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("--front-end with --target needs -p int8 or int16"), std::string::npos) << r.out;
}

}  // namespace
