// Export parity on REAL test data (MNIST test split, FSDD, HMP; skipped when
// ../shared/datasets is absent), a few hundred samples each, random weights with
// non-trivial batch-norm statistics:
//   fp32         slimrt's logits = LibTorch's within 1e-4;
//   int8 / int16 slimrt's integer logits (and so its predictions) = exactly those of
//                compress::quant::evaluate_fixed_point on the same quantized graph
//                (post-training quantized at export), incl. DeepSense's GRU;
//   binary       BinaryConnect (float and fixed-point activations) and BNN (packed
//                signs, BN + sign folded into thresholds) give the predictions of the
//                workbench's evaluation of the binary graph.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <random>

#include "compress/quant/calibrate.h"
#include "compress/quant/graph_eval.h"
#include "datasets/pipeline.h"
#include "deploy/export/exporter.h"
#include "slimrt/runtime.h"
#include "tests/test_export_fixtures.h"
#include "tests/test_export_models_torch.h"
#include "tests/expect_error.h"
#include "tests/test_util.h"
#include "train/model.h"
#include "train/model_factory.h"

namespace slimlab {
namespace {

using deploy::ExportPrecision;

struct RealCase {
  std::string name, dataset, model;
};

// The prepared data of each real set, capped to `kTrain` / `kTest` samples (prepared once).
constexpr size_t kTrain = 200, kTest = 300;

data::ArraySet first(const data::ArraySet& s, size_t n) {
  std::vector<size_t> idx(std::min(n, s.size()));
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i * s.size() / idx.size();  // spread over the split
  return s.subset(idx);
}

const data::PreparedData& real_data(const std::string& which) {
  static std::map<std::string, data::PreparedData> cache;
  auto it = cache.find(which);
  if (it != cache.end()) return it->second;
  data::DatasetConfig c;
  if (which == "mnist") {
    c.source = (test::shared_datasets() / "mnist").string();
  } else if (which == "fsdd") {
    c.source = (test::shared_datasets() / "fsdd/recordings").string();
    c.audio.type = "mfcc";
  } else {
    c.source = (test::shared_datasets() / "hmp").string();
    c.window.window_seconds = 5.0;
    if (which == "hmp") {
      c.har_features = "deepsense";
      c.deepsense.fft_bins = 5;
    }  // "hmp_raw": raw windows [3, 160]
  }
  data::PreparedData d = data::prepare(c);
  d.train = first(d.train, kTrain);
  d.test = first(d.test, kTest);
  d.val = data::ArraySet{};
  return cache.emplace(which, std::move(d)).first->second;
}

std::string dataset_dir(const std::string& which) {
  return which == "mnist" ? "mnist" : which == "fsdd" ? "fsdd/recordings" : "hmp";  // hmp, hmp_raw
}

train::SlimModel build(const std::string& name, const std::vector<int64_t>& shape, int64_t classes) {
  return test::random_model(name, shape, classes, 0.2);
}

struct SlimOutputs {
  std::vector<float> logits;     // [n, classes]
  std::vector<int64_t> raw;      // fixed point: the integer logits
  std::vector<int64_t> predictions;
};

SlimOutputs run_slim(const deploy::ExportResult& r, const data::ArraySet& s) {
  auto model = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  slimrt::Interpreter in(model);
  const size_t classes = size_t(in.output(0).numel), per = size_t(s.sample_numel());
  SlimOutputs o;
  std::vector<float> y(classes);
  for (size_t i = 0; i < s.size(); ++i) {
    in.set_input(0, s.sample(i), per);
    in.invoke();
    in.get_output(0, y.data(), y.size());
    o.logits.insert(o.logits.end(), y.begin(), y.end());
    o.predictions.push_back(int64_t(std::max_element(y.begin(), y.end()) - y.begin()));
    if (r.raw_output_tensor >= 0) {
      const void* p = in.tensor_data(r.raw_output_tensor);
      const auto dt = model->tensors()[size_t(r.raw_output_tensor)].dtype;
      for (size_t k = 0; k < classes; ++k)
        o.raw.push_back(dt == slimrt::DType::I8 ? int64_t(static_cast<const int8_t*>(p)[k])
                                                : int64_t(static_cast<const int16_t*>(p)[k]));
    }
  }
  return o;
}

double accuracy(const std::vector<int64_t>& pred, const data::ArraySet& s) {
  size_t ok = 0;
  for (size_t i = 0; i < pred.size(); ++i) ok += pred[i] == s.labels[i];
  return double(ok) / double(pred.size());
}

// The workbench's predictions of a float graph (binary weights, sign layers): the
// double-precision reference evaluator.
std::vector<int64_t> reference_predictions(const ir::Graph& g, const data::ArraySet& s, int64_t classes) {
  const std::vector<double> y = compress::quant::evaluate_reference(g, s.values.data(), int64_t(s.size()));
  std::vector<int64_t> p;
  for (size_t i = 0; i < s.size(); ++i) {
    const double* row = y.data() + i * size_t(classes);
    p.push_back(int64_t(std::max_element(row, row + classes) - row));
  }
  return p;
}

class RealExport : public testing::TestWithParam<RealCase> {
 protected:
  void SetUp() override {
    const RealCase c = GetParam();
    if (!std::filesystem::exists(test::shared_datasets() / dataset_dir(c.dataset)))
      GTEST_SKIP() << "real dataset not found: " << (test::shared_datasets() / dataset_dir(c.dataset)).string();
    d_ = &real_data(c.dataset);
    classes_ = int64_t(d_->test.class_names.size());
    model_ = build(c.model, d_->test.sample_shape, classes_);
    graph_ = model_->graph(true);
  }
  const data::PreparedData* d_ = nullptr;
  int64_t classes_ = 0;
  train::SlimModel model_{nullptr};
  ir::Graph graph_;
};

TEST_P(RealExport, Fp32LogitsMatchLibTorch) {
  const auto r = deploy::export_graph(graph_, {});
  const data::ArraySet& s = d_->test;
  const SlimOutputs o = run_slim(r, s);
  std::vector<int64_t> shape{int64_t(s.size())};
  shape.insert(shape.end(), s.sample_shape.begin(), s.sample_shape.end());
  torch::Tensor logits;
  {
    torch::NoGradGuard ng;
    logits = model_->forward(torch::from_blob(const_cast<float*>(s.values.data()), shape).clone()).contiguous();
  }
  const float* ref = logits.data_ptr<float>();
  float worst = 0;
  for (size_t k = 0; k < o.logits.size(); ++k) {
    worst = std::max(worst, std::abs(o.logits[k] - ref[k]) / std::max(1.0f, std::abs(ref[k])));
    ASSERT_NEAR(o.logits[k], ref[k], 1e-4 * std::max(1.0f, std::abs(ref[k]))) << "value " << k;
  }
  RecordProperty("max_rel_diff", std::to_string(worst));
  RecordProperty("samples", std::to_string(s.size()));
}

TEST_P(RealExport, FixedPointIsBitExactWithTheEvaluator) {
  // The audio CNN's conv2d path is LeNet-5's; its 40 × 101 maps make the evaluator slow.
  if (GetParam().model == "audio_cnn") GTEST_SKIP() << "covered by mnist_lenet5 (conv2d) and fsdd_deepear_dnn (FSDD)";
  for (ExportPrecision p : {ExportPrecision::kInt8, ExportPrecision::kInt16}) {
    SCOPED_TRACE(deploy::to_string(p));
    deploy::ExportOptions o;
    o.precision = p;
    o.calibration = d_->train.values.data();
    o.calibration_samples = 64;
    const auto r = deploy::export_graph(graph_, o);
    EXPECT_TRUE(r.quantized_at_export);
    ASSERT_GE(r.raw_output_tensor, 0);
    // Int8 on the whole capped test split; int16 on a third of it (the evaluator is slow).
    const data::ArraySet s = p == ExportPrecision::kInt8 ? d_->test : first(d_->test, kTest / 3);
    const SlimOutputs slim = run_slim(r, s);
    const auto ref = compress::quant::evaluate_fixed_point(r.graph, s.values.data(), int64_t(s.size()));
    ASSERT_EQ(slim.raw.size(), ref.raw.size());
    size_t differ = 0;
    for (size_t k = 0; k < ref.raw.size(); ++k) differ += slim.raw[k] != ref.raw[k];
    EXPECT_EQ(differ, 0u) << "of " << ref.raw.size() << " integer logits";
    EXPECT_EQ(slim.predictions, ref.predictions);
    EXPECT_EQ(r.raw_output_fl, ref.output_fl);
    // The dequantized output is the integer times 2^−FL exactly.
    for (size_t k = 0; k < std::min<size_t>(ref.raw.size(), 50); ++k)
      EXPECT_EQ(double(slim.logits[k]), std::ldexp(double(ref.raw[k]), -ref.output_fl));
    RecordProperty(std::string("accuracy_") + deploy::to_string(p), std::to_string(accuracy(slim.predictions, s)));
  }
}

INSTANTIATE_TEST_SUITE_P(Real, RealExport,
                         testing::Values(RealCase{"mnist_lenet5", "mnist", "lenet5"},
                                         RealCase{"fsdd_deepear_dnn", "fsdd", "deepear_dnn"},
                                         RealCase{"fsdd_audio_cnn", "fsdd", "audio_cnn"},
                                         RealCase{"hmp_deepsense", "hmp", "deepsense"},
                                         RealCase{"hmp_cnn1d", "hmp_raw", "cnn1d"}),
                         [](const testing::TestParamInfo<RealCase>& i) { return i.param.name; });

// ---- binary ----------------------------------------------------------------------

using test::binary_graph;

class BinaryExport : public testing::Test {
 protected:
  void SetUp() override {
    SLIMLAB_REQUIRE_DATASET("mnist");
    d_ = &real_data("mnist");
    graph_ = build("lenet5", d_->test.sample_shape, 10)->graph(true);
  }
  const data::PreparedData* d_ = nullptr;
  ir::Graph graph_;
};

TEST_F(BinaryExport, BinaryConnectFloatActivationsMatchTheWorkbench) {
  const ir::Graph g = binary_graph(graph_, false);
  deploy::ExportOptions o;
  o.precision = ExportPrecision::kBinary;
  const auto r = deploy::export_graph(g, o);
  auto m = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  int packed = 0;
  for (const auto& t : m->tensors()) packed += t.dtype == slimrt::DType::BIN;
  EXPECT_EQ(packed, 4);  // every conv / dense weight of LeNet-5
  const SlimOutputs slim = run_slim(r, d_->test);
  EXPECT_EQ(slim.predictions, reference_predictions(r.graph, d_->test, 10));
  // The binary model's logits in float too (sums of ±H are exact).
  const std::vector<double> ref = compress::quant::evaluate_reference(r.graph, d_->test.values.data(), 20);
  for (size_t k = 0; k < ref.size(); ++k) EXPECT_NEAR(slim.logits[k], ref[k], 1e-4 * std::max(1.0, std::fabs(ref[k])));
}

TEST_F(BinaryExport, BinaryConnectFixedPointActivationsAreBitExact) {
  const ir::Graph g = binary_graph(graph_, false);
  // A binaryconnect run followed by a fixed_point stage: 8-bit activations, weights ±2^−FL.
  const ir::Graph q = compress::quant::quantize_post_training(g, {8, 8, 8}, d_->train.values.data(), 64);
  deploy::ExportOptions o;
  o.precision = ExportPrecision::kBinary;
  const auto r = deploy::export_graph(q, o);
  EXPECT_FALSE(r.quantized_at_export);
  const data::ArraySet s = first(d_->test, 150);
  const SlimOutputs slim = run_slim(r, s);
  const auto ref = compress::quant::evaluate_fixed_point(q, s.values.data(), int64_t(s.size()));
  EXPECT_EQ(slim.raw, ref.raw);
  EXPECT_EQ(slim.predictions, ref.predictions);
  // The same graph as int8: the formats are the model's own.
  o.precision = ExportPrecision::kInt8;
  EXPECT_EQ(run_slim(deploy::export_graph(q, o), s).raw, ref.raw);
}

TEST_F(BinaryExport, BnnPacksSignsFoldsThresholdsAndMatchesTheWorkbench) {
  const ir::Graph g = binary_graph(graph_, true);
  deploy::ExportOptions o;
  o.precision = ExportPrecision::kBinary;
  const auto r = deploy::export_graph(g, o);
  bool thresholds = false;
  for (const auto& n : r.notes) thresholds |= n.find("thresholds") != std::string::npos;
  EXPECT_TRUE(thresholds) << "no BN + sign chain was folded";
  auto m = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  slimrt::Interpreter in(m);
  int bnn_ops = 0;
  for (const auto& k : in.kernel_names()) bnn_ops += k.find("/bnn/") != std::string::npos;
  EXPECT_GE(bnn_ops, 2) << "binary layers with packed inputs should run XOR + popcount";
  const SlimOutputs slim = run_slim(r, d_->test);
  const auto ref = reference_predictions(r.graph, d_->test, 10);
  EXPECT_EQ(slim.predictions, ref);
  // fp32 of the same graph: signs and ±H as floats, the same predictions.
  EXPECT_EQ(run_slim(deploy::export_graph(g, {}), d_->test).predictions, ref);
}

// VGG-small (conv → BN → ReLU → max pool → BN → sign → conv): BNN convolutions with
// packed outputs through thresholds and a packed max pool. Random inputs (no CIFAR here).
TEST(BinaryExportVgg, ConvChainsFoldIntoThresholdsAndPackedPooling) {
  const ir::Graph g = binary_graph(build("vgg_small", {3, 32, 32}, 10)->graph(true), true, /*positive_gamma=*/true);
  deploy::ExportOptions o;
  o.precision = ExportPrecision::kBinary;
  const auto r = deploy::export_graph(g, o);
  auto m = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  int packed_pools = 0, packed_convs = 0;
  for (const auto& op : m->ops()) {
    const auto dt = m->tensors()[size_t(op.outputs[0])].dtype;
    packed_pools += op.type == slimrt::OpType::MaxPool2d && dt == slimrt::DType::BIN;
    packed_convs += op.type == slimrt::OpType::Conv2d && dt == slimrt::DType::BIN;
  }
  EXPECT_GE(packed_convs, 1);
  for (const auto& n : r.notes) RecordProperty("note", n);
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0, 1);
  data::ArraySet s;
  s.sample_shape = {3, 32, 32};
  for (int i = 0; i < 12; ++i) {
    for (int k = 0; k < 3 * 32 * 32; ++k) s.values.push_back(nd(rng));
    s.labels.push_back(0);
  }
  EXPECT_EQ(run_slim(r, s).predictions, reference_predictions(r.graph, s, 10));
  (void)packed_pools;
}

TEST(ExportErrors, BinaryNeedsBinaryWeightsAndInt8NeedsCalibration) {
  const ir::Graph g = build("lenet5", {1, 28, 28}, 10)->graph(true);
  deploy::ExportOptions o;
  o.precision = ExportPrecision::kBinary;
  // A float model is not exported as binary, nor as int8 without calibration data.
  test::expect_error<std::invalid_argument>([&] { deploy::export_graph(g, o); },
                                            {"run a binaryconnect or bnn stage first"});
  o.precision = ExportPrecision::kInt8;
  test::expect_error<std::invalid_argument>([&] { deploy::export_graph(g, o); }, {"calibration"});
  // A 16-bit fixed-point model is not silently narrowed to int8.
  std::vector<float> cal(size_t(28 * 28 * 4), 0.5f);
  const ir::Graph q16 = compress::quant::quantize_post_training(g, {16, 16, 16}, cal.data(), 4);
  try {
    deploy::export_graph(q16, o);
    ADD_FAILURE() << "16-bit formats exported as int8";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("int16"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace slimlab
