// The exporter's operating points (deploy/export/points.h, docs/ADAPTIVE.md): every
// width of a slimmable graph (compress::slimmable::slice of one set of weights, as the
// slimmable stage writes them) in one .slim. Each point computes bit for bit what the
// graph's own export computes; the file is smaller than the separate files where the
// layout lets weights be shared (no batch norm folded into them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "compress/slimmable/slimmable.h"
#include "deploy/export/points.h"
#include "test_export_fixtures.h"
#include "slimrt/runtime.h"
#include "train/models/models.h"

namespace slimlab {
namespace {

// N(0, 0.1) weights; batch-norm variances |N| + 0.5, means N(0, 0.1).
ir::Graph random_weights(ir::Graph g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n(0.0f, 0.1f);
  for (ir::Layer& l : g.layers)
    for (ir::Param& p : l.params) {
      p.data.resize(size_t(p.numel()));
      for (float& v : p.data) v = p.name == "running_var" ? std::abs(n(rng)) + 0.5f : n(rng);
    }
  return g;
}

ir::Graph model(const std::string& name, std::vector<int64_t> shape) {
  train::ModelConfig c;
  c.name = name;
  c.input_shape = std::move(shape);
  c.num_classes = 5;
  c.hidden_units = 48;
  c.conv_filters = 16;
  return random_weights(train::model_graph(c), 3);
}

std::vector<deploy::PointInput> widths_of(const ir::Graph& full, deploy::ExportPrecision p) {
  std::vector<deploy::PointInput> out;
  for (double w : {1.0, 0.25, 0.5}) {  // any order: the file sorts by MACs
    deploy::PointInput in;
    in.name = "width_" + std::to_string(w).substr(0, 4);
    in.width = w;
    in.graph = compress::slimmable::slice(full, w);
    in.precision = p;
    in.accuracy = 0.5 + 0.4 * w;
    out.push_back(std::move(in));
  }
  return out;
}

std::vector<float> outputs(slimrt::Interpreter& in, const std::vector<float>& x) {
  in.set_input(0, x.data(), x.size());
  in.invoke();
  std::vector<float> y(size_t(in.output(0).numel));
  in.get_output(0, y.data(), y.size());
  return y;
}

void check_points(const ir::Graph& full, deploy::ExportPrecision precision) {
  const std::vector<float> calib = test::calibration(full.input_shape, 64);
  deploy::PointsOptions o;
  o.base.calibration = calib.data();
  o.base.calibration_samples = 64;
  const deploy::PointsExport x = deploy::export_points(widths_of(full, precision), o);
  auto merged = slimrt::Model::from_memory(x.bytes.data(), x.bytes.size());
  const auto& points = merged->operating_points();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].width, 0.25);
  EXPECT_EQ(points[2].width, 1.0);
  EXPECT_EQ(merged->main_point(), 2u);
  EXPECT_TRUE(points[2].main);
  slimrt::Interpreter in(merged);
  const size_t numel = size_t(in.input(0).numel);
  for (size_t p = 0; p < points.size(); ++p) {
    SCOPED_TRACE(points[p].name);
    EXPECT_LT(points[p > 0 ? p - 1 : 0].macs, p > 0 ? points[p].macs : points[0].macs + 1);
    EXPECT_DOUBLE_EQ(points[p].accuracy, 0.5 + 0.4 * points[p].width);
    EXPECT_GT(points[p].energy_uj, 0);
    EXPECT_EQ(points[p].latency_us, -1);  // no test data: not measured
    EXPECT_EQ(points[p].precision, deploy::to_string(precision));
    const auto& own = x.separate[p];
    auto alone_model = slimrt::Model::from_memory(own.data(), own.size());
    EXPECT_EQ(alone_model->macs(), points[p].macs);
    slimrt::Interpreter alone(alone_model);
    in.set_operating_point(p);
    std::mt19937 rng{uint32_t(p)};
    std::normal_distribution<float> nd(0, 1);
    for (int sample = 0; sample < 5; ++sample) {
      std::vector<float> v(numel);
      for (float& f : v) f = nd(rng);
      const auto a = outputs(in, v), b = outputs(alone, v);
      ASSERT_EQ(a.size(), b.size());
      EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
    }
  }
}

TEST(ExportPoints, DnnWidthsFp32BitExactAndShared) {
  const ir::Graph g = model("deepear_dnn", {1, 8, 10});
  check_points(g, deploy::ExportPrecision::kFp32);
  const deploy::PointsExport x = deploy::export_points(widths_of(g, deploy::ExportPrecision::kFp32), {});
  // fc1's rows, the hidden biases and fc's bias of the narrower widths are prefixes of
  // the widest's: the merged file is far below the sum of the separate files.
  EXPECT_LT(double(x.bytes.size()), 0.8 * double(x.separate_total));
  EXPECT_GT(x.bytes.size(), x.separate.back().size());
}

TEST(ExportPoints, DnnWidthsInt8BitExact) { check_points(model("deepear_dnn", {1, 8, 10}), deploy::ExportPrecision::kInt8); }

TEST(ExportPoints, Cnn1dWithPerWidthBatchNorm) {
  // Batch norm folds into each width's own conv weights: bit-exact still, less shared.
  check_points(model("cnn1d", {3, 32}), deploy::ExportPrecision::kFp32);
  check_points(model("cnn1d", {3, 32}), deploy::ExportPrecision::kInt16);
}

TEST(ExportPoints, MeasuresLatencyAndAccuracyOnTestData) {
  const ir::Graph g = model("deepear_dnn", {1, 8, 10});
  data::ArraySet test;
  test.sample_shape = {1, 8, 10};
  test.values = test::calibration({1, 8, 10}, 40);
  test.labels.assign(40, 0);
  for (size_t i = 0; i < test.labels.size(); ++i) test.labels[i] = int32_t(i % 5);
  deploy::PointsOptions o;
  o.test = &test;
  o.latency_runs = 5;
  auto inputs = widths_of(g, deploy::ExportPrecision::kFp32);
  inputs[0].accuracy = -1;  // unknown from the run: the measured one is written
  const deploy::PointsExport x = deploy::export_points(inputs, o);
  auto m = slimrt::Model::from_memory(x.bytes.data(), x.bytes.size());
  for (size_t p = 0; p < x.points.size(); ++p) {
    EXPECT_GE(m->operating_points()[p].latency_us, 0);
    EXPECT_GE(x.points[p].slimrt_accuracy, 0);
  }
  EXPECT_DOUBLE_EQ(m->operating_points()[2].accuracy, x.points[2].slimrt_accuracy);  // width 1 was inputs[0]
}

TEST(ExportPoints, RefusesDuplicateNamesAndNoPoints) {
  auto inputs = widths_of(model("deepear_dnn", {1, 8, 10}), deploy::ExportPrecision::kFp32);
  inputs[1].name = inputs[0].name;
  EXPECT_THROW(deploy::export_points(inputs, {}), std::invalid_argument);
  EXPECT_THROW(deploy::export_points({}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace slimlab
