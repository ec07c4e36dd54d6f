// The fixed_point, binaryconnect, bnn and weight_sharing stages end to end through
// the runner (synthetic HAR, CNN1D with batch norm), and their validation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "compress/quant/fixed_point_torch.h"
#include "compress/quant/graph_eval.h"
#include "experiments/results.h"
#include "experiments/runner.h"
#include "experiments/stages.h"
#include "test_util.h"
#include "train/graph_io.h"
#include "train/model_factory.h"

namespace fs = std::filesystem;

namespace slimlab {
namespace {

std::string experiment_text(const fs::path& cache, const std::string& stages) {
  return "name = \"quant\"\n[dataset]\nsource = \"synthetic:har\"\nsynthetic_scale = 0.25\ncache_dir = \"" +
         cache.string() +
         "\"\n[model]\nname = \"cnn1d\"\nwidth = 0.25\n[train]\nepochs = 2\nbatch_size = 64\nthreads = 1\n"
         "lr = 0.003\n" + stages;
}

struct Ran {
  exp::RunRecord rec;
  ir::Graph model;  // model.h5
  data::DatasetConfig dataset;
};

Ran run(const test::TempDir& dir, const std::string& stages, const std::string& id) {
  const exp::Experiment e = exp::parse_experiment(experiment_text(dir / "cache", stages), "quant.toml");
  exp::RunOptions o;
  o.runs_root = dir / "runs";
  o.run_id = id;
  o.quiet = true;
  Ran r;
  r.dataset = e.dataset;
  r.rec = exp::run_one(e, o);
  r.model = ir::read_graph_h5(dir / "runs/quant" / id / "model.h5");
  return r;
}

// The test split exactly as the runner prepared it (same dataset configuration).
data::ArraySet test_split(const data::DatasetConfig& c) { return data::prepare(c).test; }

TEST(FixedPointStage, PostTrainingGivesABitExactFixedPointModel) {
  test::TempDir dir;
  const Ran r = run(dir, "[[stage]]\ntype = \"fixed_point\"\nword_length = 8\ncalibration_samples = 128\n", "ptq");
  ASSERT_EQ(r.rec.stages.size(), 1u);
  const compress::StageRecord& s = r.rec.stages[0];
  EXPECT_EQ(s.info.at("folded_batchnorms"), "bn1,bn2,bn3");
  EXPECT_TRUE(s.tables.count("formats"));
  for (const ir::Layer& l : r.model.layers) {
    EXPECT_NE(l.kind, ir::LayerKind::kBatchNorm) << l.name;
    EXPECT_EQ(l.activation_format.precision, ir::Precision::kFixed) << l.name;
    EXPECT_EQ(l.activation_format.fixed.word_length(), 8) << l.name;
  }
  // The run's accuracy is the integer evaluation of the model it wrote.
  const data::ArraySet test = test_split(r.dataset);
  const auto out = compress::quant::evaluate_fixed_point(r.model, test.values.data(), int64_t(test.size()));
  int64_t correct = 0;
  for (size_t i = 0; i < test.size(); ++i) correct += out.predictions[i] == test.labels[i];
  EXPECT_DOUBLE_EQ(r.rec.result.test.accuracy, double(correct) / double(test.size()));
  EXPECT_DOUBLE_EQ(s.metrics.at("ptq_test_accuracy"), r.rec.result.test.accuracy);
  // 8 bits cost little against the float base model (chance is 1/7).
  EXPECT_GT(r.rec.result.test.accuracy, s.metrics.at("test_accuracy_before") - 0.05);
  // The torch entry point gives the same predictions.
  std::vector<int64_t> shape = {int64_t(test.size())};
  shape.insert(shape.end(), test.sample_shape.begin(), test.sample_shape.end());
  const torch::Tensor x = torch::from_blob(const_cast<float*>(test.values.data()), shape).clone();
  const auto [logits, pred] = compress::evaluate_fixed_point(r.model, x);
  for (size_t i = 0; i < test.size(); ++i) EXPECT_EQ(pred[int64_t(i)].item<int64_t>(), out.predictions[i]) << i;
  EXPECT_EQ(logits.size(1), 7);
}

TEST(FixedPointStage, QuantizationAwareTrainingAtFourBits) {
  test::TempDir dir;
  const Ran r = run(dir,
                    "[[stage]]\ntype = \"fixed_point\"\nword_length = 4\nmode = \"qat\"\nepochs = 1\n"
                    "calibration_samples = 128\noptimizer = \"adam\"\nlr = 0.001\n",
                    "qat");
  const compress::StageRecord& s = r.rec.stages[0];
  EXPECT_TRUE(s.metrics.count("qat_test_accuracy"));
  EXPECT_TRUE(s.tables.count("fine_tune"));
  EXPECT_DOUBLE_EQ(s.metrics.at("qat_test_accuracy"), r.rec.result.test.accuracy);
  for (const ir::Layer& l : r.model.layers)
    if (const ir::Param* w = l.param("weight")) {
      EXPECT_EQ(w->format.fixed.word_length(), 4) << l.name;
      std::set<float> v(w->data.begin(), w->data.end());
      EXPECT_LE(v.size(), 16u) << l.name;
    }
}

TEST(BinaryStages, BinaryConnectLeavesPlusMinusHWeights) {
  test::TempDir dir;
  const Ran r = run(dir, "[[stage]]\ntype = \"binaryconnect\"\nmode = \"stoch\"\nepochs = 1\n", "bc");
  EXPECT_EQ(r.rec.techniques, "binaryconnect");
  for (const char* name : {"conv1", "conv2", "conv3", "fc"}) {
    const ir::Param& w = *r.model.layer(name)->param("weight");
    EXPECT_EQ(w.format.precision, ir::Precision::kBinary) << name;
    std::set<float> mags;
    for (float v : w.data) mags.insert(std::fabs(v));
    EXPECT_EQ(mags.size(), 1u) << name;
  }
  EXPECT_EQ(r.rec.stages[0].info.at("binary_layers"), "conv1,conv2,conv3,fc");
}

TEST(BinaryStages, BnnKeepsFirstAndLastFloatAndSignsTheRest) {
  test::TempDir dir;
  const Ran r = run(dir, "[[stage]]\ntype = \"bnn\"\nepochs = 1\noptimizer = \"shift_adamax\"\nshift_batchnorm = true\n", "bnn");
  EXPECT_EQ(r.model.layer("conv1")->param("weight")->format.precision, ir::Precision::kFloat32);
  EXPECT_EQ(r.model.layer("fc")->param("weight")->format.precision, ir::Precision::kFloat32);
  for (const char* name : {"conv2", "conv3"}) {
    EXPECT_EQ(r.model.layer(name)->param("weight")->format.precision, ir::Precision::kBinary) << name;
    const ir::Layer* sign = r.model.layer(std::string(name) + ".sign");
    ASSERT_NE(sign, nullptr) << name;
    EXPECT_EQ(sign->kind, ir::LayerKind::kSign);
    EXPECT_EQ(r.model.layer(name)->inputs, std::vector<std::string>{sign->name});
    // Shift-based BN: γ of the BN before the sign is a power of two.
    const ir::Layer* bn = r.model.layer(sign->inputs[0]);
    ASSERT_EQ(bn->kind, ir::LayerKind::kBatchNorm);
    for (float g : bn->param("weight")->data) {
      const double e = std::log2(std::fabs(g));
      EXPECT_EQ(e, std::round(e)) << bn->name;
    }
  }
}

// BinaryConnect with power-of-two scales, then 8-bit fixed point: the binary weights
// stay binary (±1 at their FL) inside the bit-exact integer model.
TEST(BinaryStages, BinaryConnectThenFixedPointKeepsBinaryWeights) {
  test::TempDir dir;
  const Ran r = run(dir,
                    "[[stage]]\ntype = \"binaryconnect\"\nfloat_layers = [\"first\"]\nepochs = 1\n"
                    "[[stage]]\ntype = \"fixed_point\"\ncalibration_samples = 64\n",
                    "bcfx");
  EXPECT_EQ(r.rec.techniques, "binaryconnect+fixed_point");
  EXPECT_EQ(r.model.layer("conv1")->param("weight")->format.precision, ir::Precision::kFixed);
  for (const char* name : {"conv2", "conv3", "fc"})
    EXPECT_EQ(r.model.layer(name)->param("weight")->format.precision, ir::Precision::kBinary) << name;
  const data::ArraySet test = test_split(r.dataset);
  const auto out = compress::quant::evaluate_fixed_point(r.model, test.values.data(), int64_t(test.size()));
  int64_t correct = 0;
  for (size_t i = 0; i < test.size(); ++i) correct += out.predictions[i] == test.labels[i];
  EXPECT_DOUBLE_EQ(r.rec.result.test.accuracy, double(correct) / double(test.size()));
}

TEST(WeightSharingStage, CodebooksInTheModel) {
  test::TempDir dir;
  // With one epoch of fine-tuning through the shared values (straight-through), then re-clustered.
  const Ran r = run(dir, "[[stage]]\ntype = \"weight_sharing\"\nbits = 3\nepochs = 1\nblock_columns = 8\n", "ws");
  for (const char* name : {"conv1", "conv2", "conv3", "fc"}) {
    const ir::Param& w = *r.model.layer(name)->param("weight");
    EXPECT_EQ(w.format.codebook_bits, 3) << name;
    const int64_t cols = w.numel() / w.shape[0];
    EXPECT_EQ(w.format.codebooks, (cols + 7) / 8) << name;
    // Every 8-column block holds at most 8 distinct values.
    for (int64_t c0 = 0; c0 < cols; c0 += 8) {
      std::set<float> v;
      for (int64_t r = 0; r < w.shape[0]; ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + 8); ++c) v.insert(w.data[size_t(r * cols + c)]);
      EXPECT_LE(v.size(), 8u) << name << " block " << c0;
    }
  }
  EXPECT_TRUE(r.rec.stages[0].tables.count("codebooks"));
  EXPECT_TRUE(r.rec.stages[0].tables.count("fine_tune"));
}

TEST(QuantStageValidation, RejectsBadWordLengthsAndUnsupportedLayers) {
  test::TempDir dir;
  try {
    exp::parse_experiment(experiment_text(dir / "cache", "[[stage]]\ntype = \"fixed_point\"\nword_length = 40\n"),
                          "quant.toml");
    FAIL() << "word_length 40 must be rejected";
  } catch (const exp::ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("stage.0.word_length"), std::string::npos) << m;
    EXPECT_NE(m.find("40"), std::string::npos) << m;
  }
  EXPECT_THROW(exp::parse_experiment(experiment_text(dir / "cache",
                                                     "[[stage]]\ntype = \"fixed_point\"\nmode = \"qat\"\n"),
                                     "quant.toml"),
               exp::ConfigError);  // QAT without epochs
  // BNN asked for a GRU: rejected by the preflight against the model, naming the layer.
  const exp::Experiment e = exp::parse_experiment(
      experiment_text(dir / "cache", "[[stage]]\ntype = \"bnn\"\nlayers = [\"gru1\"]\n"), "quant.toml");
  train::ModelConfig mc;
  mc.name = "deepsense";
  mc.width = 0.25;
  mc.input_shape = {2, 20, 18};
  mc.num_classes = 5;
  const ir::Graph g = train::make_model(mc)->graph(false);
  const std::vector<exp::ConfigIssue> issues = exp::preflight_stages(e, g);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].key, "stage.0.layers");
  EXPECT_NE(issues[0].message.find("'gru1' is a gru"), std::string::npos) << issues[0].message;
}

}  // namespace
}  // namespace slimlab
