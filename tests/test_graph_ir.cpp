// The Graph IR's names, counts and, above all, validate(): every inconsistency a model
// or a compressor could introduce must be caught and named.
#include "train/graph_ir.h"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "ir_fixtures.h"
#include "train/models/graph_builder.h"

namespace slimlab {
namespace {

using ir::LayerKind;
using namespace test;

// validate() must throw std::invalid_argument whose message contains every one of `parts`.
void expect_invalid(const ir::Graph& g, std::initializer_list<std::string> parts) {
  try {
    g.validate();
    FAIL() << "validate() accepted the graph";
  } catch (const std::invalid_argument& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST(GraphIr, LayerKindNamesRoundTrip) {
  // The kinds are the op list's entries: value = position, name = ir_name; only the
  // SLIMRT_OP_IR ones are layer kinds the IR accepts by name.
  int ir_kinds = 0;
  for (int k = 0; k < ir::kLayerKindCount; ++k) {
    const auto kind = LayerKind(k);
    const std::string name = ir::to_string(kind);
    EXPECT_EQ(name, slimrt::kOpInfo[k].ir_name);
    if (!ir::is_ir_kind(kind)) {
      EXPECT_FALSE(ir::layer_kind_from_string(name).has_value()) << name;
      continue;
    }
    ++ir_kinds;
    ASSERT_TRUE(ir::layer_kind_from_string(name).has_value()) << name;
    EXPECT_EQ(*ir::layer_kind_from_string(name), kind);
  }
  EXPECT_GE(ir_kinds, 25);  // the 25 kinds of model.h5 files written before the op list
  // Names model.h5 files have always used keep their meaning.
  EXPECT_EQ(ir::layer_kind_from_string("depthwise_conv2d"), LayerKind::kDepthwiseConv2d);
  EXPECT_EQ(ir::layer_kind_from_string("batch_norm"), LayerKind::kBatchNorm);
  EXPECT_EQ(ir::layer_kind_from_string("transpose"), LayerKind::kTranspose);
  EXPECT_EQ(int(LayerKind::kDense), int(slimrt::OpId::Dense));
  EXPECT_EQ(int(LayerKind::kHardSwish), int(slimrt::OpId::HardSwish));
  EXPECT_FALSE(ir::layer_kind_from_string("quantize").has_value());  // a .slim op, not a layer
  EXPECT_EQ(std::string(ir::to_string(LayerKind(ir::kLayerKindCount))), "unknown");
  EXPECT_EQ(std::string(ir::to_string(LayerKind::kConv2d)), "conv2d");
  EXPECT_EQ(std::string(ir::to_string(LayerKind::kMeanOverTime)), "mean_over_time");
  EXPECT_FALSE(ir::layer_kind_from_string("Conv2d").has_value());
  EXPECT_FALSE(ir::layer_kind_from_string("").has_value());
}

TEST(GraphIr, PrecisionNamesAndBits) {
  EXPECT_EQ(std::string(ir::to_string(ir::Precision::kFloat32)), "fp32");
  EXPECT_EQ(std::string(ir::to_string(ir::Precision::kBinary)), "binary");
  ir::NumericFormat f;
  EXPECT_EQ(f.bits(), 32);
  f.precision = ir::Precision::kFloat16;
  EXPECT_EQ(f.bits(), 16);
  f.precision = ir::Precision::kFixed;
  f.fixed = {4, 4};
  EXPECT_EQ(f.bits(), 8);
  f.fixed = {2, 14};
  EXPECT_EQ(f.bits(), 16);
  f.precision = ir::Precision::kBinary;
  EXPECT_EQ(f.bits(), 1);
}

TEST(GraphIr, CountsTrainableParametersAndFindsByName) {
  const ir::Graph g = lenet5_graph();
  EXPECT_EQ(g.layer("conv1")->parameter_count(), 20 * 25 + 20);
  EXPECT_EQ(g.layer("fc1")->param("weight")->numel(), 800 * 500);
  EXPECT_EQ(g.layer("pool1")->parameter_count(), 0);
  EXPECT_EQ(g.parameter_count(), 431080);
  EXPECT_EQ(g.layer("nope"), nullptr);
  EXPECT_EQ(g.layer("fc1")->param("gamma"), nullptr);

  ir::Layer bn = layer("bn", LayerKind::kBatchNorm, {"x"}, {8, 4});
  bn.params = {param("weight", {8}), param("bias", {8}), param("running_mean", {8}, false),
               param("running_var", {8}, false)};
  EXPECT_EQ(bn.parameter_count(), 16);  // running statistics are buffers, as in LibTorch

  ir::Graph m = g;
  m.layer("fc2")->param("bias")->shape = {10};
  m.layer("fc2")->param("bias")->data.assign(10, 1.0f);
  EXPECT_EQ(m.layer("fc2")->param("bias")->data.size(), 10u);
}

TEST(GraphIr, ValidLeNet5Passes) { EXPECT_NO_THROW(lenet5_graph().validate()); }

TEST(GraphIr, DuplicateNameAndForwardReference) {
  ir::Graph g = lenet5_graph();
  g.layers[7].name = "fc1";  // relu1 renamed to an earlier layer's name
  expect_invalid(g, {"'fc1'", "earlier layer"});

  g = lenet5_graph();
  g.layers[3].inputs = {"pool2"};  // conv2 reads a later layer
  expect_invalid(g, {"'conv2'", "'pool2'", "not an earlier layer"});

  g = lenet5_graph();
  g.layers[0].kind = LayerKind::kRelu;
  expect_invalid(g, {"must be the input"});
}

TEST(GraphIr, DenseInFeaturesMustMatchProducer) {
  ir::Graph g = lenet5_graph();
  g.layers[6] = dense("fc1", "flatten", 700, 500);  // flatten gives 800
  expect_invalid(g, {"'fc1'", "in_features = 700", "800"});
}

TEST(GraphIr, ParameterShapesMustAgreeWithAttributes) {
  ir::Graph g = lenet5_graph();
  g.layer("conv2")->params[0].shape = {50, 10, 5, 5};
  expect_invalid(g, {"'conv2'", "'weight'", "[50, 20, 5, 5]"});

  g = lenet5_graph();
  g.layer("fc2")->params.pop_back();
  expect_invalid(g, {"'fc2'", "missing parameter 'bias'"});

  g = lenet5_graph();
  g.layer("fc2")->bias = false;
  expect_invalid(g, {"'fc2'", "unexpected parameter 'bias'"});

  g = lenet5_graph();
  g.layer("fc2")->params[0].data.assign(3, 0.0f);
  expect_invalid(g, {"'fc2'", "holds 3 values"});
}

TEST(GraphIr, OutputShapesMustChain) {
  ir::Graph g = lenet5_graph();
  g.layer("conv1")->output_shape = {20, 28, 28};  // as if padded
  expect_invalid(g, {"'conv1'", "[20, 24, 24]"});

  g = lenet5_graph();
  g.layer("pool2")->output_shape = {50, 5, 5};
  expect_invalid(g, {"'pool2'", "[50, 4, 4]"});

  g = lenet5_graph();
  g.num_classes = 6;
  expect_invalid(g, {"'fc2'", "[6]"});
}

TEST(GraphIr, ConvChannelsAndGroups) {
  ir::Graph g = lenet5_graph();
  g.layer("conv2")->in_features = 21;
  expect_invalid(g, {"'conv2'"});

  // A grouped conv: W [out, in/groups, k, k].
  g = lenet5_graph();
  ir::Layer* c2 = g.layer("conv2");
  c2->groups = 5;
  c2->params[0].shape = {50, 4, 5, 5};
  // conv1's group now sees only in/groups = 4 input columns per conv2 filter.
  expect_invalid(g, {"group 'conv1'", "conv2.weight", "4 entries"});
  g.groups.erase(g.groups.begin());
  EXPECT_NO_THROW(g.validate());
  c2->groups = 3;
  expect_invalid(g, {"'conv2'", "groups = 3"});
}

// A tiny recurrent graph: input [T=6, F=4] → GRU(5) → GRU(3) → mean → dense(2).
ir::Graph gru_graph() {
  ir::Graph g;
  g.model = "tiny_gru";
  g.input_shape = {6, 4};
  g.num_classes = 2;
  auto gru = [](const std::string& name, const std::string& from, int64_t f, int64_t h) {
    return test::gru(name, from, 6, f, h);
  };
  g.layers = {layer("input", LayerKind::kInput, {}, {6, 4}), gru("gru1", "input", 4, 5), gru("gru2", "gru1", 5, 3),
              layer("mean", LayerKind::kMeanOverTime, {"gru2"}, {3}), dense("fc", "mean", 3, 2)};
  ir::PrunableGroup g1{"gru1", "rnn", 5, {}, {{"gru2", "weight_ih_l0", 1}}};
  for (const char* p : {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}) g1.producers.push_back({"gru1", p, 0, 1, 5});
  g1.producers.push_back({"gru1", "weight_hh_l0", 1});
  g.groups = {g1};
  return g;
}

TEST(GraphIr, RecurrentShapesAndGateStride) {
  ir::Graph g = gru_graph();
  EXPECT_NO_THROW(g.validate());
  EXPECT_EQ(g.parameter_count(), (15 * 4 + 15 * 5 + 30) + (9 * 5 + 9 * 3 + 18) + (3 * 2 + 2));

  g.layer("gru2")->params[1].shape = {12, 3};  // 4 gates: an LSTM's shape in a GRU
  expect_invalid(g, {"'gru2'", "'weight_hh_l0'", "[9, 3]"});

  // gate_stride must equal the unit count (one block per gate).
  g = gru_graph();
  g.groups[0].producers[0].gate_stride = 4;
  expect_invalid(g, {"group 'gru1'", "gru1.weight_ih_l0", "15 entries"});

  // Without gate_stride a 3H axis does not match H units.
  g = gru_graph();
  g.groups[0].producers[0].gate_stride = 0;
  expect_invalid(g, {"group 'gru1'", "15 entries", "5 units"});

  g = gru_graph();
  g.layer("gru1")->in_features = 5;
  expect_invalid(g, {"'gru1'", "input size = 5"});
}

TEST(GraphIr, GroupExtentAndReferences) {
  ir::Graph g = lenet5_graph();
  g.groups[1].consumers[0].block = 1;  // conv2 → fc1 needs block 16
  expect_invalid(g, {"group 'conv2'", "fc1.weight", "800 entries", "50 units"});

  g = lenet5_graph();
  g.groups[0].units = 19;
  expect_invalid(g, {"group 'conv1'", "conv1.weight", "20 entries"});

  g = lenet5_graph();
  g.groups[0].consumers[0].layer = "conv3";
  expect_invalid(g, {"group 'conv1'", "no layer 'conv3'"});

  g = lenet5_graph();
  g.groups[0].producers[1].param = "gamma";
  expect_invalid(g, {"group 'conv1'", "no parameter 'gamma'"});

  g = lenet5_graph();
  g.groups[0].producers[1].axis = 1;  // the bias is a vector
  expect_invalid(g, {"group 'conv1'", "axis 1"});

  g = lenet5_graph();
  g.groups.push_back({"fc2", "dense", 10, {{"fc2", "weight", 0}}, {}});
  expect_invalid(g, {"group 'fc2'", "output layer"});

  g = lenet5_graph();
  g.groups[2].name = "conv1";
  expect_invalid(g, {"'conv1'", "used twice"});

  g = lenet5_graph();
  g.groups[2].kind = "attention";
  expect_invalid(g, {"group 'fc1'", "attention"});
}

// Two sensor branches sliced out of [S=2, T=3, F=8], convolved, concatenated along the
// channels, transposed to [T, C, L] and flattened per step for a GRU.
ir::Graph two_branch_graph() {
  ir::Graph g;
  g.model = "branches";
  g.input_shape = {2, 3, 8};
  g.num_classes = 2;
  g.layers.push_back(layer("input", LayerKind::kInput, {}, {2, 3, 8}));
  std::vector<std::string> outs;
  for (int s = 0; s < 2; ++s) {
    const std::string p = "s" + std::to_string(s);
    ir::Layer sl = layer(p + ".slice", LayerKind::kSlice, {"input"}, {1, 3, 8});
    sl.axis = 0;
    sl.begin = s;
    sl.end = s + 1;
    g.layers.push_back(sl);
    ir::Layer c = test::conv2d(p + ".conv", p + ".slice", 1, 4, 1, {4, 3, 4});
    c.kernel = {1, 2};
    c.stride = {1, 2};
    c.params[0].shape = {4, 1, 1, 2};
    g.layers.push_back(c);
    outs.push_back(p + ".conv");
  }
  ir::Layer cat = layer("cat", LayerKind::kConcat, outs, {8, 3, 4});
  cat.axis = 0;
  g.layers.push_back(cat);
  ir::Layer tr = layer("tr", LayerKind::kTranspose, {"cat"}, {3, 8, 4});
  tr.perm = {1, 0, 2};
  g.layers.push_back(tr);
  g.layers.push_back(layer("steps", LayerKind::kReshape, {"tr"}, {3, 32}));
  g.layers.push_back(layer("mean", LayerKind::kMeanOverTime, {"steps"}, {32}));
  g.layers.push_back(dense("fc", "mean", 32, 2));
  // Both branches share one mask: unit u is channel u of each sensor block in the concat,
  // and after the transpose it owns 4 consecutive features of each block.
  g.groups = {{"convs", "conv", 4,
               {{"s0.conv", "weight", 0}, {"s0.conv", "bias", 0}, {"s1.conv", "weight", 0}, {"s1.conv", "bias", 0}},
               {{"fc", "weight", 1, 4, 16}}}};
  return g;
}

TEST(GraphIr, SliceConcatTransposeReshape) {
  ir::Graph g = two_branch_graph();
  EXPECT_NO_THROW(g.validate());

  g.layer("s1.slice")->end = 3;
  expect_invalid(g, {"'s1.slice'", "[1, 3)"});

  g = two_branch_graph();
  g.layer("tr")->perm = {1, 1, 2};
  expect_invalid(g, {"'tr'", "not a permutation"});

  g = two_branch_graph();
  g.layer("steps")->output_shape = {3, 31};
  expect_invalid(g, {"'steps'", "cannot reshape"});

  g = two_branch_graph();
  g.layer("cat")->output_shape = {4, 3, 4};
  expect_invalid(g, {"'cat'", "[8, 3, 4]"});

  g = two_branch_graph();
  g.groups[0].consumers[0].gate_stride = 0;
  expect_invalid(g, {"group 'convs'", "fc.weight", "32 entries"});
}

// Add's inputs broadcast (numpy rules on the per-sample shapes): [4] + [1] is [4], [4] + [3] an error.
TEST(GraphIr, AddInputsMustBroadcast) {
  ir::Graph g;
  g.model = "residual";
  g.input_shape = {4};
  g.layers = {layer("input", LayerKind::kInput, {}, {4}), dense("a", "input", 4, 4), dense("b", "a", 4, 4),
              layer("sum", LayerKind::kAdd, {"a", "b"}, {4})};
  EXPECT_NO_THROW(g.validate());
  g.layers[2] = dense("b", "a", 4, 1);
  EXPECT_NO_THROW(g.validate());
  g.layers[2] = dense("b", "a", 4, 3);
  g.layers[3].output_shape = {3};
  expect_invalid(g, {"'sum'", "'b' [3] does not broadcast against 'a' [4]"});
  g.layers[3].inputs = {"a"};
  expect_invalid(g, {"'sum'", "at least 2"});
}

TEST(GraphBuilder, ShapesMatchHandBuiltLeNet) {
  train::GraphBuilder b("lenet5", {1, 28, 28}, 10);
  b.conv("conv1", 20, {5, 5});
  b.max_pool("pool1", {2, 2});
  b.conv("conv2", 50, {5, 5});
  b.max_pool("pool2", {2, 2});
  b.flatten("flatten");
  b.dense("fc1", 500);
  b.elementwise("relu1", LayerKind::kRelu);
  b.dense("fc2", 10);
  b.unit_group("conv1", "", {train::input_columns("conv2")});
  b.unit_group("conv2", "", {train::input_columns("fc1", "weight", 16)});
  b.unit_group("fc1", "", {train::input_columns("fc2")});
  const ir::Graph built = b.finish();
  const ir::Graph hand = lenet5_graph();
  ASSERT_EQ(built.layers.size(), hand.layers.size());
  for (size_t i = 0; i < hand.layers.size(); ++i) {
    EXPECT_EQ(built.layers[i].name, hand.layers[i].name);
    EXPECT_EQ(built.layers[i].output_shape, hand.layers[i].output_shape) << hand.layers[i].name;
    EXPECT_EQ(built.layers[i].parameter_count(), hand.layers[i].parameter_count()) << hand.layers[i].name;
  }
  EXPECT_EQ(built.groups.size(), 3u);
  EXPECT_EQ(built.groups[1].consumers[0].block, 16);

  EXPECT_EQ(train::scaled_units(64, 0.5), 32);
  EXPECT_EQ(train::scaled_units(20, 0.25), 5);
  EXPECT_EQ(train::scaled_units(3, 0.1), 1);
  EXPECT_EQ(train::scaled_units(120, 0.33), 40);
}

TEST(GraphBuilder, FinishValidates) {
  train::GraphBuilder b("bad", {1, 28, 28}, 10);
  b.dense("fc", 9);  // 9 ≠ 10 classes
  EXPECT_THROW(b.finish(), std::invalid_argument);
}

}  // namespace
}  // namespace slimlab
