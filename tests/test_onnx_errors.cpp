// The ONNX importer on hand-built and hostile models (no exporter needed): a valid small
// CNN and its prunable groups; truncated / corrupt protobuf, cycles, missing
// initializers, absurd dims, unsupported ops and attributes each give an OnnxError
// naming the node, the op type and the opset; thousands of mutated files never give
// anything else.
#include <gtest/gtest.h>

#include <functional>
#include <limits>


#include "import/onnx_import.h"
#include "onnx/onnx_builder.h"

using namespace slimlab;
using onnx_import::OnnxError;
using test::OnnxBuilder;

namespace {

onnx_import::ImportResult import(const std::string& bytes, const onnx_import::ImportOptions& o = {}) {
  return onnx_import::import_onnx(bytes.data(), bytes.size(), o, "test.onnx");
}

// The OnnxError message of importing `bytes` ("(no error)" when it imports).
std::string error_of(const std::string& bytes, const onnx_import::ImportOptions& o = {}) {
  try {
    import(bytes, o);
  } catch (const OnnxError& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << "'" << (part) << "' not in: " << (text)

}  // namespace

TEST(OnnxImport, SmallCnnBecomesAValidGraphWithGroups) {
  const auto r = import(test::small_cnn().bytes());
  const ir::Graph& g = r.graph;
  EXPECT_EQ(g.input_shape, (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(g.num_classes, 3);
  ASSERT_EQ(g.layers.size(), 5u);  // input, conv, relu, pool, dense: Flatten writes no layer
  EXPECT_EQ(g.layers[1].name, "conv1");
  EXPECT_EQ(g.layers[1].kind, ir::LayerKind::kConv2d);
  EXPECT_EQ(g.layers[4].kind, ir::LayerKind::kDense);
  EXPECT_EQ(g.layers[4].params[0].data.size(), 36u * 3u);
  ASSERT_EQ(g.groups.size(), 1u);
  EXPECT_EQ(g.groups[0].name, "conv1");
  ASSERT_EQ(g.groups[0].consumers.size(), 1u);
  EXPECT_EQ(g.groups[0].consumers[0].block, 9);  // each channel owns its pooled 3×3 block of fc's input
  EXPECT_EQ(r.opset, 13);
}

// x [B, 5, 3] → (time-major) GRU 4 → y[:, -1] → Gemm 2, as torch.onnx.export writes a
// batch-first GRU: its units form an "rnn" group read by the dense layer.
TEST(OnnxImport, RecurrentUnitsFormAGroupThroughTheTimeMajorTransposes) {
  OnnxBuilder b({-1, 5, 3});
  b.weight("W", {1, 12, 3});
  b.weight("R", {1, 12, 4});
  b.weight("B", {1, 24});
  b.weight("fc", {2, 4});
  b.int64s("axis1", {1});
  auto& idx = b.int64s("last", {-1});
  idx.clear_dims();  // a scalar index drops the time axis
  OnnxBuilder::ints(b.node("Transpose", {"x"}, {"xt"}, "/gru/Transpose"), "perm", {1, 0, 2});
  auto& gru = b.node("GRU", {"xt", "W", "R", "B"}, {"y4", "h"}, "/gru/GRU");
  OnnxBuilder::integer(gru, "hidden_size", 4);
  OnnxBuilder::integer(gru, "linear_before_reset", 1);
  b.node("Squeeze", {"y4", "axis1"}, {"y3"}, "/gru/Squeeze");
  OnnxBuilder::ints(b.node("Transpose", {"y3"}, {"yb"}, "/gru/Transpose_1"), "perm", {1, 0, 2});
  OnnxBuilder::integer(b.node("Gather", {"yb", "last"}, {"last_step"}, "/Gather"), "axis", 1);
  OnnxBuilder::integer(b.node("Gemm", {"last_step", "fc"}, {"logits"}, "/fc/Gemm"), "transB", 1);
  b.output("logits");
  const ir::Graph g = import(b.bytes()).graph;
  ASSERT_EQ(g.layers.size(), 4u);  // input, gru, slice, dense: the transposes only move the batch axis
  EXPECT_EQ(g.layers[1].kind, ir::LayerKind::kGru);
  ASSERT_EQ(g.groups.size(), 1u);
  EXPECT_EQ(g.groups[0].kind, "rnn");
  EXPECT_EQ(g.groups[0].producers.size(), 5u);  // four gate-row blocks and the recurrent columns
  ASSERT_EQ(g.groups[0].consumers.size(), 1u);
  EXPECT_EQ(g.groups[0].consumers[0].layer, "fc");
}

namespace {

// x [B, 5, 3] → (time-major) bidirectional GRU 4 (W `w_dirs` directions) → Y → Transpose
// [T, B, 2, H] → Reshape [T, B, 8] → Transpose → y[:, -1] → Gemm 2: torch.onnx.export's
// pattern after a batch-first bidirectional GRU. `edit` changes the GRU node.
OnnxBuilder bidirectional_gru(int64_t w_dirs = 2, const std::function<void(onnx::NodeProto&)>& edit = {}) {
  OnnxBuilder b({-1, 5, 3});
  b.weight("W", {w_dirs, 12, 3});
  b.weight("R", {2, 12, 4});
  b.weight("B", {2, 24});
  b.weight("fc", {2, 8});
  b.int64s("shape", {5, -1, 8});
  auto& idx = b.int64s("last", {-1});
  idx.clear_dims();
  OnnxBuilder::ints(b.node("Transpose", {"x"}, {"xt"}, "/gru/Transpose"), "perm", {1, 0, 2});
  auto& gru = b.node("GRU", {"xt", "W", "R", "B"}, {"y4", "h"}, "/gru/GRU");
  OnnxBuilder::integer(gru, "hidden_size", 4);
  OnnxBuilder::integer(gru, "linear_before_reset", 1);
  OnnxBuilder::text(gru, "direction", "bidirectional");
  if (edit) edit(gru);
  OnnxBuilder::ints(b.node("Transpose", {"y4"}, {"y4t"}, "/gru/Transpose_1"), "perm", {0, 2, 1, 3});
  b.node("Reshape", {"y4t", "shape"}, {"y3"}, "/gru/Reshape");
  OnnxBuilder::ints(b.node("Transpose", {"y3"}, {"yb"}, "/gru/Transpose_2"), "perm", {1, 0, 2});
  OnnxBuilder::integer(b.node("Gather", {"yb", "last"}, {"last_step"}, "/Gather"), "axis", 1);
  OnnxBuilder::integer(b.node("Gemm", {"last_step", "fc"}, {"logits"}, "/fc/Gemm"), "transB", 1);
  b.output("logits");
  return b;
}

}  // namespace

// Direction 0 is a forward layer, direction 1 a forward layer between two Reverse layers
// (with its own weights); Y is their per-step concat. The concat has no unit offsets, so
// the two recurrent groups are left out, saying why.
TEST(OnnxImport, BidirectionalGruBecomesForwardAndReversedLayers) {
  const auto r = import(bidirectional_gru().bytes());
  const ir::Graph& g = r.graph;
  using K = ir::LayerKind;
  std::vector<K> kinds;
  for (const ir::Layer& l : g.layers) kinds.push_back(l.kind);
  EXPECT_EQ(kinds, (std::vector<K>{K::kInput, K::kGru, K::kReverse, K::kGru, K::kReverse, K::kConcat, K::kSlice,
                                   K::kDense}));
  EXPECT_EQ(g.layer("gru_reverse")->inputs, std::vector<std::string>{"gru_reverse_in"});
  EXPECT_EQ(g.layer("gru_Y")->output_shape, (std::vector<int64_t>{5, 8}));
  // IR gate r (first) is ONNX block 1: W[d][4][0] = 0.01·((36·d + 12) mod 7 − 3).
  EXPECT_FLOAT_EQ(g.layer("gru")->param("weight_ih_l0")->data[0], 0.02f);
  EXPECT_FLOAT_EQ(g.layer("gru_reverse")->param("weight_ih_l0")->data[0], 0.03f);
  EXPECT_TRUE(g.groups.empty());
  bool noted = false;
  for (const std::string& n : r.notes) noted = noted || n.find("'gru' left out: they feed concat 'gru_Y'") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(OnnxImport, BadDirectionsAreClearErrorsNamingTheNode) {
  const std::string w = error_of(bidirectional_gru(1).bytes());
  EXPECT_HAS(w, "node '/gru/GRU' (GRU, opset 13)");
  EXPECT_HAS(w, "W [1, 12, 3] / R [2, 12, 4] do not fit 2 direction(s)");
  EXPECT_HAS(error_of(bidirectional_gru(2, [](onnx::NodeProto& n) {
               OnnxBuilder::text(n, "direction", "sideways");
             }).bytes()),
             "direction 'sideways' is not valid");
  EXPECT_HAS(error_of(bidirectional_gru(2, [](onnx::NodeProto& n) { n.set_input(3, "fc"); }).bytes()),
             "B [2, 8] does not fit 2 direction(s)");
  EXPECT_HAS(error_of(bidirectional_gru(2, [](onnx::NodeProto& n) {
               OnnxBuilder::strings(n, "activations", {"Sigmoid", "Tanh", "Sigmoid", "Relu"});
             }).bytes()),
             "activations other than the defaults");
  {  // Y_c of a bidirectional LSTM
    OnnxBuilder b({-1, 5, 3});
    b.weight("W", {2, 16, 3});
    b.weight("R", {2, 16, 4});
    OnnxBuilder::ints(b.node("Transpose", {"x"}, {"xt"}), "perm", {1, 0, 2});
    auto& lstm = b.node("LSTM", {"xt", "W", "R"}, {"y", "h", "c"}, "/lstm/LSTM");
    OnnxBuilder::integer(lstm, "hidden_size", 4);
    OnnxBuilder::text(lstm, "direction", "bidirectional");
    b.output("c");
    const std::string msg = error_of(b.bytes());
    EXPECT_HAS(msg, "node '/lstm/LSTM' (LSTM");
    EXPECT_HAS(msg, "Y_c is not supported");
  }
  {  // a step −1 over part of an axis is not a reversal
    OnnxBuilder b({-1, 4, 6});
    b.int64s("starts", {-2});
    b.int64s("ends", {std::numeric_limits<int64_t>::min()});
    b.int64s("axes", {1});
    b.int64s("steps", {-1});
    b.node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"y"}, "/Slice");
    b.output("y");
    EXPECT_HAS(error_of(b.bytes()), "step -1 is supported over the whole axis only");
  }
}

TEST(OnnxImport, CorruptAndTruncatedProtobufAreClearErrors) {
  EXPECT_HAS(error_of("this is not a protobuf at all"), "not a valid ONNX ModelProto");
  const std::string good = test::small_cnn().bytes();
  // A cut inside a field is a parse error; a cut between fields leaves a model without
  // its tail — either way an OnnxError.
  for (size_t cut : {size_t(1), good.size() / 3, good.size() / 2, good.size() - 3}) {
    const std::string msg = error_of(good.substr(0, cut));
    EXPECT_HAS(msg, "onnx: test.onnx") ;
  }
}

TEST(OnnxImport, CycleIsNamed) {
  OnnxBuilder b({1, 4});
  b.node("Relu", {"x", "b"}, {"a"}, "first");
  b.node("Relu", {"a"}, {"b"}, "second");
  b.output("b");
  const std::string msg = error_of(b.bytes());
  EXPECT_HAS(msg, "cycle");
  EXPECT_HAS(msg, "(Relu, opset 13)");
}

TEST(OnnxImport, MissingInitializerIsNamed) {
  OnnxBuilder b({1, 1, 8, 8});
  b.node("Conv", {"x", "w_missing"}, {"y"}, "/conv/Conv");
  b.output("y");
  const std::string msg = error_of(b.bytes());
  EXPECT_HAS(msg, "node '/conv/Conv' (Conv, opset 13)");
  EXPECT_HAS(msg, "w_missing");
  EXPECT_HAS(msg, "missing initializer");
}

TEST(OnnxImport, AbsurdDimsAndSizeMismatchesAreRefused) {
  {
    OnnxBuilder b = test::small_cnn();
    auto* t = b.model().mutable_graph()->mutable_initializer(0);
    t->clear_float_data();
    t->set_dims(0, int64_t(1) << 40);
    EXPECT_HAS(error_of(b.bytes()), "initializer 'w1'");
  }
  {
    OnnxBuilder b = test::small_cnn();
    b.model().mutable_graph()->mutable_initializer(1)->add_float_data(1.0f);  // 5 values for [4]
    EXPECT_HAS(error_of(b.bytes()), "float_data holds 5 values");
  }
  {
    OnnxBuilder b = test::small_cnn();
    b.model().mutable_graph()->mutable_initializer(1)->set_raw_data(std::string(3, '\0'));
    EXPECT_HAS(error_of(b.bytes()), "raw_data has 3 bytes");
  }
  {
    OnnxBuilder b({1, 1 << 30, 1 << 30});
    b.node("Relu", {"x"}, {"y"});
    b.output("y");
    EXPECT_HAS(error_of(b.bytes()), "elements");
  }
}

TEST(OnnxImport, UnsupportedOpNamesNodeOpOpsetAndTheFix) {
  OnnxBuilder b({1, 4}, 11);
  b.node("Elu", {"x"}, {"y"}, "/act/Elu");
  b.output("y");
  const std::string msg = error_of(b.bytes());
  EXPECT_HAS(msg, "node '/act/Elu' (Elu, opset 11)");
  EXPECT_HAS(msg, "no SlimLab mapping");
  EXPECT_HAS(msg, "docs/ADDING_AN_OP.md");
  EXPECT_HAS(msg, "Supported: ");
}

// Add / Mul / Sub / Div take two data-path tensors that broadcast, or one and a scalar /
// per-channel constant; another constant, inputs that do not broadcast or of different
// ranks are errors naming the node and both shapes; LeakyRelu's alpha must be finite.
TEST(OnnxImport, BinaryOpsAndAttributesOutsideTheirIrFormsAreErrors) {
  {  // a constant along the sample's last axis is not per-channel
    OnnxBuilder b({1, 4, 3}, 13);
    b.weight("k", {3});
    b.node("Relu", {"x"}, {"r"});
    b.node("Mul", {"r", "k"}, {"y"}, "/scale/Mul");
    b.output("y");
    const std::string msg = error_of(b.bytes());
    EXPECT_HAS(msg, "node '/scale/Mul' (Mul, opset 13)");
    EXPECT_HAS(msg, "[-1, 4, 3] and the constant [3]");
    EXPECT_HAS(msg, "per-channel");
  }
  {  // c / x
    OnnxBuilder b({1, 4}, 13);
    b.weight("k", {4});
    b.node("Relu", {"x"}, {"r"});
    b.node("Div", {"k", "r"}, {"y"}, "/inv/Div");
    b.output("y");
    EXPECT_HAS(error_of(b.bytes()), "Div of a constant by the data path");
  }
  {  // [4, 6] against [4, 3]: no broadcast
    OnnxBuilder b({1, 4, 6}, 13);
    b.int64s("starts", {0});
    b.int64s("ends", {3});
    b.int64s("axes", {2});
    b.node("Slice", {"x", "starts", "ends", "axes"}, {"s"});
    b.node("Mul", {"x", "s"}, {"y"}, "/gate/Mul");
    b.output("y");
    const std::string msg = error_of(b.bytes());
    EXPECT_HAS(msg, "node '/gate/Mul' (Mul, opset 13)");
    EXPECT_HAS(msg, "[-1, 4, 6] and [-1, 4, 3] do not broadcast");
  }
  {  // [4, 6] against [4]: ranks differ (ONNX would pair the batch axis with a sample axis)
    OnnxBuilder b({1, 4, 6}, 13);
    auto& k = b.node("ReduceMean", {"x"}, {"m2"});
    OnnxBuilder::ints(k, "axes", {2});
    OnnxBuilder::integer(k, "keepdims", 0);
    b.node("Add", {"x", "m2"}, {"y"}, "/skip/Add");
    b.output("y");
    EXPECT_HAS(error_of(b.bytes()), "differ in rank");
  }
  {
    OnnxBuilder b({1, 4}, 13);
    auto& n = b.node("LeakyRelu", {"x"}, {"y"}, "/act/LeakyRelu");
    auto* a = n.add_attribute();
    a->set_name("alpha");
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(std::numeric_limits<float>::infinity());
    b.output("y");
    const std::string msg = error_of(b.bytes());
    EXPECT_HAS(msg, "node '/act/LeakyRelu' (LeakyRelu, opset 13)");
    EXPECT_HAS(msg, "alpha and beta must be finite");
  }
}

TEST(OnnxImport, DynamicAxesNeedAnInputShape) {
  OnnxBuilder b({-1, 1, -2, 8});
  b.node("Relu", {"x"}, {"r"});
  b.node("Flatten", {"r"}, {"y"});
  b.output("y");
  EXPECT_HAS(error_of(b.bytes()), "fix it with --input-shape");
  onnx_import::ImportOptions o;
  o.input_shape = {1, 5, 8};
  EXPECT_EQ(import(b.bytes(), o).graph.input_shape, (std::vector<int64_t>{1, 5, 8}));
  o.input_shape = {2, 5, 8};
  EXPECT_HAS(error_of(b.bytes(), o), "axis 1 is fixed at 1");
}

TEST(OnnxImport, AttributesWithoutAnExactMappingAreRefused) {
  {
    OnnxBuilder b = test::small_cnn();
    OnnxBuilder::ints(*b.model().mutable_graph()->mutable_node(0), "pads", {1, 1, 0, 0});
    EXPECT_HAS(error_of(b.bytes()), "asymmetric padding");
  }
  {
    OnnxBuilder b({1, 5, 3});
    b.weight("W", {1, 12, 3});
    b.weight("R", {1, 12, 4});
    auto& gru = b.node("GRU", {"x", "W", "R"}, {"y", "h"}, "/gru/GRU");
    OnnxBuilder::integer(gru, "hidden_size", 4);
    b.output("h");
    EXPECT_HAS(error_of(b.bytes()), "linear_before_reset = 0");
  }
  {
    OnnxBuilder b({1, 4}, 5);
    b.node("Relu", {"x"}, {"y"});
    b.output("y");
    EXPECT_HAS(error_of(b.bytes()), "opset 5 is outside");
  }
}

// The small CNN and the bidirectional GRU (reverse layers, a non-leading batch axis).
TEST(OnnxImport, MutatedFilesGiveOnlyOnnxErrors) {
  for (const std::string& good : {test::small_cnn(1).bytes(), bidirectional_gru().bytes()})
    EXPECT_GT(test::import_mutations(good, 3000, 7), 0)
        << "no mutation left a usable model (the test would not see a mis-import)";
}

// A per-channel constant folds into the conv before it only when nothing else reads that
// conv: here its output also reaches an Add through an Identity, so the Mul must stay a
// layer of its own (folding would scale what the Add reads too).
TEST(OnnxImport, AConstantIsNotFoldedIntoAConvThatAnotherNodeReads) {
  for (const bool shared : {false, true}) {
    SCOPED_TRACE(shared ? "conv also read by the Add" : "conv read by the Mul only");
    OnnxBuilder b({-1, 1, 8, 8});
    b.weight("w1", {4, 1, 3, 3});
    b.weight("b1", {4});
    onnx::TensorProto& s = b.weight("s", {4, 1, 1});
    for (int i = 0; i < 4; ++i) s.set_float_data(i, 0.5f + float(i));
    b.node("Conv", {"x", "w1", "b1"}, {"c"}, "/conv1/Conv");
    b.node("Identity", {"c"}, {"i"}, "/Identity");
    b.node("Mul", {"i", "s"}, {"m"}, "/Mul");
    if (shared) b.node("Add", {"c", "m"}, {"a"}, "/Add");
    b.node("Flatten", {shared ? "a" : "m"}, {"f"}, "/Flatten");
    b.weight("w2", {3, 144});
    auto& fc = b.node("Gemm", {"f", "w2"}, {"y"}, "/fc/Gemm");
    OnnxBuilder::integer(fc, "transB", 1);
    b.output("y");
    const ir::Graph g = import(b.bytes()).graph;
    const std::vector<float>& w = g.layer("conv1")->param("weight")->data;
    const bool folded = w[0] != 0.01f * float(0 % 7 - 3);
    EXPECT_EQ(folded, !shared);
    bool affine = false;
    for (const ir::Layer& l : g.layers) affine |= l.kind == ir::LayerKind::kBatchNorm;
    EXPECT_EQ(affine, shared);
  }
}

// Expand of a constant folds (as in exported Shape → … → Expand subgraphs): here a
// per-channel [4, 1, 1] constant expanded to [1, 4, 1, 1] and added to the conv, which
// takes it as its bias; a negative target dim is an error naming the node.
TEST(OnnxImport, ExpandOfAConstantFolds) {
  for (const int64_t first : {int64_t(1), int64_t(-2)}) {
    OnnxBuilder b({-1, 1, 8, 8});
    b.weight("w1", {4, 1, 3, 3});
    onnx::TensorProto& c = b.weight("c", {4, 1, 1});
    for (int i = 0; i < 4; ++i) c.set_float_data(i, float(i + 1));
    b.int64s("shape", {first, 4, 1, 1});
    b.node("Expand", {"c", "shape"}, {"e"}, "/Expand");
    b.node("Conv", {"x", "w1"}, {"k"}, "/conv1/Conv");
    b.node("Add", {"k", "e"}, {"a"}, "/Add");
    b.node("Flatten", {"a"}, {"f"}, "/Flatten");
    b.weight("w2", {3, 144});
    auto& fc = b.node("Gemm", {"f", "w2"}, {"y"}, "/fc/Gemm");
    OnnxBuilder::integer(fc, "transB", 1);
    b.output("y");
    if (first < 0) {
      const std::string e = error_of(b.bytes());
      EXPECT_HAS(e, "/Expand");
      EXPECT_HAS(e, "negative dim");
      continue;
    }
    const ir::Graph g = import(b.bytes()).graph;
    const ir::Param* bias = g.layer("conv1")->param("bias");
    ASSERT_NE(bias, nullptr);
    EXPECT_EQ(bias->data, (std::vector<float>{1, 2, 3, 4}));
  }
}
