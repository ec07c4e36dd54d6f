// Fixed-point quantization, torch-free: BN folding, the float reference and the
// bit-exact integer evaluator, calibration (formats per tensor), word-length checks.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

#include "compress/quant/calibrate.h"
#include "compress/quant/fold_batchnorm.h"
#include "compress/quant/graph_eval.h"
#include "compress/quant/op_rules.h"
#include "slimrt/fixed_point.h"
#include "expect_error.h"
#include "test_util.h"
#include "train/models/graph_builder.h"

namespace slimlab {
namespace {

using compress::quant::FixedPointSpec;
namespace fx = slimrt::fixed;

// Fills every parameter with N(0, scale²) values (BN variances positive, γ around 1).
void fill_weights(ir::Graph& g, uint64_t seed, double scale = 0.3) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0.0, 1.0);
  for (ir::Layer& l : g.layers)
    for (ir::Param& p : l.params) {
      p.data.resize(size_t(p.numel()));
      for (float& v : p.data) {
        if (p.name == "running_var") v = float(0.5 + std::fabs(n(rng)));
        else if (l.kind == ir::LayerKind::kBatchNorm && p.name == "weight") v = float(1.0 + 0.3 * n(rng));
        else v = float(scale * n(rng));
      }
    }
}

std::vector<float> random_inputs(const ir::Graph& g, int64_t n, uint64_t seed) {
  int64_t per = 1;
  for (int64_t d : g.input_shape) per *= d;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(size_t(per * n));
  for (float& v : x) v = d(rng);
  return x;
}

// conv → BN → ReLU → pool → conv → BN → ReLU → flatten → dense → ReLU → dense.
ir::Graph conv_bn_graph() {
  train::GraphBuilder b("test_cnn", {2, 12, 12}, 5);
  b.conv("conv1", 4, {3, 3}, {1, 1}, {1, 1});
  b.batch_norm("bn1");
  b.elementwise("relu1", ir::LayerKind::kRelu);
  b.max_pool("pool1", {2, 2});
  b.conv("conv2", 6, {3, 3});
  b.batch_norm("bn2");
  b.elementwise("relu2", ir::LayerKind::kRelu);
  b.flatten("flatten");
  b.dense("fc1", 16);
  b.elementwise("relu3", ir::LayerKind::kRelu);
  b.dense("fc", 5);
  b.unit_group("conv1", "bn1", {train::input_columns("conv2")});
  ir::Graph g = b.finish();
  fill_weights(g, 7);
  return g;
}

// A DeepSense-like recurrent net: conv1d-free, [T, F] → GRU → GRU → mean → dense.
ir::Graph gru_graph() {
  train::GraphBuilder b("test_gru", {6, 5}, 4);
  b.gru("gru1", 8);
  b.gru("gru2", 7);
  b.mean_over_time("mean");
  b.dense("fc", 4);
  ir::Graph g = b.finish();
  fill_weights(g, 11, 0.4);
  return g;
}

// gru1 of gru_graph() turned into an LSTM (4 gate blocks).
ir::Graph lstm_graph() {
  ir::Graph g = gru_graph();
  ir::Layer& l = *g.layer("gru1");
  l.kind = ir::LayerKind::kLstm;
  for (ir::Param& p : l.params) p.shape[0] = 4 * l.out_features;
  fill_weights(g, 13, 0.4);
  return g;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

TEST(FoldBatchNorm, RemovesBatchNormAndKeepsTheFunction) {
  ir::Graph g = conv_bn_graph();
  const std::vector<float> x = random_inputs(g, 4, 3);
  const std::vector<double> before = compress::quant::evaluate_reference(g, x.data(), 4);
  ir::Graph f = g;
  const std::vector<std::string> folded = compress::quant::fold_batchnorm(f);
  EXPECT_EQ(folded, (std::vector<std::string>{"bn1", "bn2"}));
  for (const ir::Layer& l : f.layers) EXPECT_NE(l.kind, ir::LayerKind::kBatchNorm) << l.name;
  EXPECT_EQ(f.layer("relu1")->inputs, std::vector<std::string>{"conv1"});
  // The group lost its BN entries but still validates (fold_batchnorm validates).
  for (const ir::UnitRef& r : f.groups.at(0).producers) EXPECT_NE(r.layer, "bn1");
  const std::vector<double> after = compress::quant::evaluate_reference(f, x.data(), 4);
  ASSERT_EQ(before.size(), after.size());
  EXPECT_LT(max_abs_diff(before, after), 1e-4);
}

TEST(FoldBatchNorm, AddsABiasWhenTheLayerHadNone) {
  ir::Graph g = conv_bn_graph();
  ir::Layer& c = *g.layer("conv2");
  c.bias = false;
  c.params.erase(c.params.begin() + 1);
  g.validate();
  const std::vector<float> x = random_inputs(g, 2, 5);
  const auto before = compress::quant::evaluate_reference(g, x.data(), 2);
  compress::quant::fold_batchnorm(g);
  ASSERT_NE(g.layer("conv2")->param("bias"), nullptr);
  EXPECT_LT(max_abs_diff(before, compress::quant::evaluate_reference(g, x.data(), 2)), 1e-4);
}

TEST(FoldBatchNorm, LeavesABatchNormAfterAPoolAndFixedPointStillRunsIt) {
  train::GraphBuilder b("t", {2, 8, 8}, 3);
  b.conv("conv1", 3, {3, 3});
  b.max_pool("pool", {2, 2});
  b.batch_norm("bn");
  b.flatten("flat");
  b.dense("fc", 3);
  ir::Graph g = b.finish();
  fill_weights(g, 1);
  EXPECT_TRUE(compress::quant::fold_batchnorm(g).empty());
  const auto why = compress::quant::unfoldable_batchnorms(g);
  ASSERT_EQ(why.size(), 1u);
  EXPECT_NE(why[0].find("bn: its input 'pool' is a max_pool2d"), std::string::npos) << why[0];
  // Fixed point keeps it as a per-channel affine s·x + t (s at the FL of its "weight"
  // format): at 16 bits the integer network tracks the float one.
  const std::vector<float> x = random_inputs(g, 8, 4);
  FixedPointSpec spec;
  spec.weight_bits = spec.activation_bits = spec.state_bits = 16;
  const ir::Graph q = compress::quant::quantize_post_training(g, spec, x.data(), 8);
  ASSERT_NE(q.layer("bn"), nullptr);
  EXPECT_EQ(q.layer("bn")->param("weight")->format.precision, ir::Precision::kFixed);
  const auto ref = compress::quant::evaluate_reference(g, x.data(), 8);
  const auto fixed = compress::quant::evaluate_fixed_point(q, x.data(), 8);
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(fixed.logits[i], ref[i], 1e-2 * (1 + std::fabs(ref[i]))) << i;
}

// One dense layer with hand-set formats: the evaluator must compute exactly
// requantize(Σ x_q w_q + b_q, fl_x + fl_w, wl, fl_out).
TEST(FixedPointEvaluator, DenseIsTheIntegerFormula) {
  train::GraphBuilder b("d", {3}, 2);
  b.dense("fc", 2);
  ir::Graph g = b.finish();
  auto fixed = [](int il, int fl) {
    ir::NumericFormat f;
    f.precision = ir::Precision::kFixed;
    f.fixed = {il, fl};
    return f;
  };
  g.layers[0].activation_format = fixed(3, 5);  // input ⟨3, 5⟩
  ir::Layer& fc = *g.layer("fc");
  fc.activation_format = fixed(4, 4);            // output ⟨4, 4⟩
  fc.param("weight")->format = fixed(2, 6);      // weights ⟨2, 6⟩
  fc.param("weight")->data = {0.5f, -0.25f, 0.1f, 1.9f, -1.2f, 0.33f};
  fc.param("bias")->data = {0.07f, -0.4f};
  const std::vector<float> x = {1.3f, -0.77f, 2.2f};
  const auto out = compress::quant::evaluate_fixed_point(g, x.data(), 1);
  for (int o = 0; o < 2; ++o) {
    int64_t acc = fx::quantize_bias(fc.param("bias")->data[size_t(o)], 5 + 6);
    for (int k = 0; k < 3; ++k)
      acc += fx::quantize(x[size_t(k)], 8, 5) * fx::quantize(fc.param("weight")->data[size_t(o * 3 + k)], 8, 6);
    EXPECT_EQ(out.raw[size_t(o)], fx::requantize(acc, 11, 8, 4)) << o;
  }
  EXPECT_EQ(out.output_fl, 4);
  EXPECT_EQ(out.predictions[0], out.raw[1] > out.raw[0] ? 1 : 0);
}

// Every unary activation of compress/quant/op_rules.h that the IR has runs through slimrt's
// kernel of its name: its integers are the layer's function of the dequantized input,
// quantized to the layer's format (its input's for format-keeping ops). Sigmoid and
// HardSwish join this test by themselves once the IR and slimrt have them.
TEST(FixedPointEvaluator, UnaryActivationsAreTheirFunctionOnTheGrid) {
  auto fixed = [](int il, int fl) {
    ir::NumericFormat f;
    f.precision = ir::Precision::kFixed;
    f.fixed = {il, fl};
    return f;
  };
  std::vector<float> x;
  for (int k = 0; k < 64; ++k) x.push_back(-8.0f + 0.25f * float(k) + 0.03f);
  int checked = 0;
  for (int id = 0; id < slimrt::op_count(); ++id) {
    const auto kind = ir::layer_kind_from_string(slimrt::kOpInfo[id].ir_name);
    if (!kind) continue;
    ir::Layer probe;
    probe.kind = *kind;
    const compress::quant::ElementwiseOp* e = compress::quant::elementwise_op(probe);
    if (!e) continue;
    train::GraphBuilder b("unary", {64}, 64);
    b.elementwise("act", *kind);
    ir::Graph g = b.finish();
    ir::Layer& act = *g.layer("act");
    act.min_value = -0.5f;
    act.max_value = 1.5f;
    g.layers[0].activation_format = fixed(4, 4);
    const bool keeps = e->format == compress::quant::FormatRule::kKeepsInput;
    act.activation_format = keeps ? fixed(4, 4) : fixed(2, 6);
    const int fl_out = keeps ? 4 : 6;
    const auto out = compress::quant::evaluate_fixed_point(g, x.data(), 1);
    ASSERT_EQ(out.raw.size(), x.size());
    for (size_t k = 0; k < x.size(); ++k) {
      const double v = fx::dequantize(fx::quantize(x[k], 8, 4), 4);
      EXPECT_EQ(out.raw[k], fx::quantize(e->reference(v, act), 8, fl_out)) << act.name << " of " << v;
    }
    ++checked;
  }
  EXPECT_GE(checked, 4);  // relu, relu6, hard_tanh, sign
}

TEST(FixedPointEvaluator, RejectsAFloatGraphNamingTheLayer) {
  ir::Graph g = gru_graph();
  slimlab::test::expect_error<std::invalid_argument>([&] { compress::quant::FixedPointEvaluator ev(g); },
                                                     {"layer 'input'", "not fixed point"});
}

TEST(Calibration, RejectsWordLengthsOutside2To16) {
  FixedPointSpec s;
  s.weight_bits = 40;
  slimlab::test::expect_error<std::invalid_argument>([&] { compress::quant::check_spec(s); },
                                                     {"weights word length 40"});
  s.weight_bits = 8;
  s.state_bits = 1;
  EXPECT_THROW(compress::quant::check_spec(s), std::invalid_argument);
}

TEST(Calibration, AnnotatesEveryTensorAndSnapsWeightsToTheGrid) {
  ir::Graph g = conv_bn_graph();
  const std::vector<float> x = random_inputs(g, 16, 2);
  FixedPointSpec spec;
  spec.weight_bits = 6;
  spec.activation_bits = 8;
  const ir::Graph q = compress::quant::quantize_post_training(g, spec, x.data(), 16);
  for (const ir::Layer& l : q.layers) {
    EXPECT_EQ(l.activation_format.precision, ir::Precision::kFixed) << l.name;
    EXPECT_EQ(l.activation_format.fixed.word_length(), 8) << l.name;
  }
  // Pass-through layers keep their input's format: ReLU, pool and flatten are no-ops on integers.
  EXPECT_EQ(q.layer("relu1")->activation_format.fixed.fl, q.layer("conv1")->activation_format.fixed.fl);
  EXPECT_EQ(q.layer("pool1")->activation_format.fixed.fl, q.layer("conv1")->activation_format.fixed.fl);
  const ir::Layer& fc1 = *q.layer("fc1");
  const ir::Param& w = *fc1.param("weight");
  ASSERT_EQ(w.format.precision, ir::Precision::kFixed);
  EXPECT_EQ(w.format.fixed.word_length(), 6);
  for (float v : w.data) {
    const double scaled = std::ldexp(double(v), w.format.fixed.fl);
    EXPECT_EQ(scaled, std::round(scaled));
    EXPECT_LE(std::fabs(scaled), 32.0);
  }
  // The bias sits at fl_x + fl_w in 32 bits.
  const ir::Param& bias = *fc1.param("bias");
  EXPECT_EQ(bias.format.fixed.fl, q.layer("flatten")->activation_format.fixed.fl + w.format.fixed.fl);
  EXPECT_EQ(bias.format.fixed.word_length(), 32);
}

// More bits, closer to the float network; at 16 bits nearly exact.
double fixed_error(const ir::Graph& g, int bits, const std::vector<float>& x, int64_t n) {
  FixedPointSpec spec;
  spec.weight_bits = spec.activation_bits = spec.state_bits = bits;
  const ir::Graph q = compress::quant::quantize_post_training(g, spec, x.data(), n);
  const auto ref = compress::quant::evaluate_reference(g, x.data(), n);
  const auto fixed = compress::quant::evaluate_fixed_point(q, x.data(), n);
  double err = 0, scale = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    err += std::fabs(ref[i] - fixed.logits[i]);
    scale += std::fabs(ref[i]);
  }
  return err / scale;
}

// The errors at `short_bits`, 8 and 16 bits: each strictly smaller than the one before.
std::array<double, 3> errors_shrink_with_word_length(const ir::Graph& g, const std::vector<float>& x, int short_bits) {
  const std::array<double, 3> e = {fixed_error(g, short_bits, x, 24), fixed_error(g, 8, x, 24), fixed_error(g, 16, x, 24)};
  EXPECT_GT(e[0], e[1]);
  EXPECT_GT(e[1], e[2]);
  EXPECT_LT(e[2], 2e-3);
  return e;
}

TEST(FixedPointEvaluator, ConvNetApproachesFloatAsWordLengthGrows) {
  const ir::Graph g = conv_bn_graph();
  EXPECT_LT(errors_shrink_with_word_length(g, random_inputs(g, 24, 9), 4)[1], 0.1);
}

TEST(FixedPointEvaluator, GruQuantizesWeightsGatesAndState) {
  const ir::Graph g = gru_graph();
  const std::vector<float> x = random_inputs(g, 24, 4);
  errors_shrink_with_word_length(g, x, 6);
  FixedPointSpec spec;
  const ir::Graph q = compress::quant::quantize_post_training(g, spec, x.data(), 24);
  const ir::Layer& gru = *q.layer("gru1");
  EXPECT_EQ(gru.gate_format.precision, ir::Precision::kFixed);
  EXPECT_EQ(gru.gate_format.fixed.fl, 6);  // ±1 representable in 8 bits
  EXPECT_EQ(gru.gate_preactivation_format.precision, ir::Precision::kFixed);
  EXPECT_EQ(gru.param("weight_hh_l0")->format.precision, ir::Precision::kFixed);
  EXPECT_EQ(gru.param("bias_hh_l0")->format.fixed.fl,
            gru.activation_format.fixed.fl + gru.param("weight_hh_l0")->format.fixed.fl);
}

TEST(FixedPointEvaluator, LstmAtSixteenBitsIsCloseToFloat) {
  const ir::Graph g = lstm_graph();
  const std::vector<float> x = random_inputs(g, 16, 6);
  EXPECT_LT(fixed_error(g, 16, x, 16), 2e-3);
  EXPECT_GT(fixed_error(g, 6, x, 16), fixed_error(g, 16, x, 16));
}

TEST(FixedPointEvaluator, IsDeterministicAndIdempotentOnItsGrid) {
  const ir::Graph g = conv_bn_graph();
  const std::vector<float> x = random_inputs(g, 8, 12);
  const ir::Graph q = compress::quant::quantize_post_training(g, FixedPointSpec{}, x.data(), 8);
  const auto a = compress::quant::evaluate_fixed_point(q, x.data(), 8);
  // Quantizing an already quantized graph again changes nothing.
  ir::Graph q2 = q;
  compress::quant::requantize_weights(q2, FixedPointSpec{});
  const auto b = compress::quant::evaluate_fixed_point(q2, x.data(), 8);
  EXPECT_EQ(a.raw, b.raw);
  EXPECT_EQ(a.predictions, b.predictions);
}

}  // namespace
}  // namespace slimlab
