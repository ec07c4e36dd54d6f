// A fixed-point network as ONNX QDQ (import/onnx_export.cpp, import/onnx_qdq.cpp): the
// exported model has QuantizeLinear → DequantizeLinear after the input and every layer
// and integer weights behind DequantizeLinear, passes onnx.checker, and re-imports to the
// same fixed-point model — the workbench's bit-exact evaluation gives the same integers and
// the int8 .slim is the same bytes. Bad QDQ input is an error naming the node.
#include <gtest/gtest.h>

#include "compress/binary/binary_stage.h"
#include "compress/quant/calibrate.h"
#include "compress/quant/graph_eval.h"
#include "deploy/export/exporter.h"
#include "import/onnx_export.h"
#include "import/onnx_import.h"
#include "onnx/onnx_builder.h"
#include "onnx/onnx_test_util.h"
#include "train/op_facts.h"

using namespace slimlab;

namespace {

struct OpCounts {
  int q = 0, dq = 0, clip = 0, int8 = 0, int32 = 0;
};

OpCounts count_ops(const std::string& bytes) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes));
  OpCounts c;
  for (const auto& n : m.graph().node()) {
    c.q += n.op_type() == "QuantizeLinear";
    c.dq += n.op_type() == "DequantizeLinear";
    c.clip += n.op_type() == "Clip";
  }
  for (const auto& t : m.graph().initializer()) {
    c.int8 += t.data_type() == onnx::TensorProto::INT8 && t.dims_size() > 0;
    c.int32 += t.data_type() == onnx::TensorProto::INT32 && t.dims_size() > 0;
  }
  return c;
}

ir::Graph quantized(const ir::Graph& g, const std::vector<float>& x, int64_t n, int weights, int activations) {
  compress::quant::FixedPointSpec s;
  s.weight_bits = weights;
  s.activation_bits = s.state_bits = activations;
  return compress::quant::quantize_post_training(g, s, x.data(), n);
}

ir::Graph reimport(const std::string& bytes, const std::string& model = "") {
  onnx_import::ImportOptions o;
  o.model_name = model;
  return onnx_import::import_onnx(bytes.data(), bytes.size(), o, "qdq").graph;
}

// The fixed-point .slim: int8, or int16 when a format is wider than 8 bits.
std::vector<uint8_t> fixed_slim(const ir::Graph& g) {
  deploy::ExportOptions o;
  o.precision = deploy::ExportPrecision::kInt8;
  for (const ir::Layer& l : g.layers)
    for (const ir::Param& p : l.params)
      if (p.format.precision == ir::Precision::kFixed && p.format.fixed.word_length() > 8 &&
          p.format.fixed.word_length() <= 16)
        o.precision = deploy::ExportPrecision::kInt16;
  return deploy::export_graph(g, o).bytes;
}

int weighted_layers(const ir::Graph& g) {
  int n = 0;
  for (const ir::Layer& l : g.layers) n += ir::multiplies_weights(l.kind);
  return n;
}

// Every layer's formats, the weights' values and formats of `back` equal those of `g`
// (layers matched by name: the exporter's node names come back as layer names).
void expect_same_fixed_point_model(const ir::Graph& g, const ir::Graph& back) {
  ASSERT_EQ(back.layers.size(), g.layers.size());
  auto same = [](const ir::NumericFormat& a, const ir::NumericFormat& b) {
    return a.precision == b.precision && (a.precision != ir::Precision::kFixed || (a.fixed.il == b.fixed.il && a.fixed.fl == b.fixed.fl));
  };
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const ir::Layer &a = g.layers[i], &b = back.layers[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_TRUE(same(a.activation_format, b.activation_format)) << a.name;
    EXPECT_TRUE(same(a.gate_preactivation_format, b.gate_preactivation_format)) << a.name;
    EXPECT_TRUE(same(a.gate_format, b.gate_format)) << a.name;
    EXPECT_TRUE(same(a.cell_format, b.cell_format)) << a.name;
    for (const ir::Param& p : a.params) {
      const ir::Param* q = b.param(p.name);
      ASSERT_NE(q, nullptr) << a.name << "." << p.name;
      EXPECT_EQ(q->data, p.data) << a.name << "." << p.name;
      EXPECT_EQ(q->format.precision, p.format.precision) << a.name << "." << p.name;
      if (p.format.precision == ir::Precision::kFixed && p.format.fixed.word_length() <= 16) {
        EXPECT_TRUE(same(p.format, q->format)) << a.name << "." << p.name;
      }
    }
  }
}

// Export → re-import of fixed-point `g`: the same integers on `x`, the same int8 .slim.
onnx_import::OnnxExport round_trip(const ir::Graph& g, const std::vector<float>& x, int64_t n) {
  const onnx_import::OnnxExport e = onnx_import::export_onnx(g);
  const ir::Graph back = reimport(e.bytes, g.model);
  expect_same_fixed_point_model(g, back);
  const auto a = compress::quant::evaluate_fixed_point(g, x.data(), n);
  const auto b = compress::quant::evaluate_fixed_point(back, x.data(), n);
  EXPECT_EQ(a.raw, b.raw);
  EXPECT_EQ(a.output_fl, b.output_fl);
  EXPECT_EQ(fixed_slim(g), fixed_slim(back));
  return e;
}

std::vector<float> inputs(int64_t count) {
  std::vector<float> x(static_cast<size_t>(count));
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(int((i * 7919) % 23) - 11) * 0.13f;
  return x;
}

ir::Graph small_cnn_graph() {
  const std::string bytes = test::small_cnn().bytes();
  return onnx_import::import_onnx(bytes.data(), bytes.size(), {}).graph;
}

}  // namespace

TEST(OnnxQdq, Int8CnnRoundTripsToTheSameFixedPointModel) {
  const ir::Graph g = quantized(small_cnn_graph(), inputs(64 * 16), 16, 8, 8);
  const onnx_import::OnnxExport e = round_trip(g, inputs(64 * 16), 16);
  const OpCounts c = count_ops(e.bytes);
  // One Q/DQ pair after the input and each of the 5 layers; DQ of 2 weights and 2 biases.
  EXPECT_EQ(c.q, int(g.layers.size()));
  EXPECT_EQ(c.dq, int(g.layers.size()) + 2 * weighted_layers(g));
  EXPECT_EQ(c.clip, 0);
  EXPECT_EQ(c.int8, 2);   // the weights
  EXPECT_EQ(c.int32, 2);  // the biases
  ASSERT_FALSE(e.notes.empty());
  EXPECT_NE(e.notes[0].find("QuantizeLinear / DequantizeLinear"), std::string::npos) << e.notes[0];
}

TEST(OnnxQdq, NarrowWordsAreAClipBetweenQuantizeAndDequantize) {
  const ir::Graph g = quantized(small_cnn_graph(), inputs(64 * 16), 16, 5, 6);
  const onnx_import::OnnxExport e = round_trip(g, inputs(64 * 16), 16);
  EXPECT_EQ(count_ops(e.bytes).clip, int(g.layers.size()));
}

TEST(OnnxQdq, SixteenBitWeightsAreInt32AndSixteenBitActivationsAreRefused) {
  const ir::Graph g = quantized(small_cnn_graph(), inputs(64 * 16), 16, 16, 8);
  const onnx_import::OnnxExport e = round_trip(g, inputs(64 * 16), 16);
  EXPECT_EQ(count_ops(e.bytes).int32, 4);  // weights and biases
  const ir::Graph wide = quantized(small_cnn_graph(), inputs(64 * 16), 16, 8, 16);
  try {
    onnx_import::export_onnx(wide);
    FAIL() << "expected an OnnxError";
  } catch (const onnx_import::OnnxError& err) {
    const std::string w = err.what();
    EXPECT_NE(w.find("layer 'input'"), std::string::npos) << w;
    EXPECT_NE(w.find("INT16 needs opset 21"), std::string::npos) << w;
  }
}

TEST(OnnxQdq, PowerOfTwoBinaryWeightsAreInt8SignsBehindDequantizeLinear) {
  ir::Graph g = small_cnn_graph();
  compress::mark_binary_weights(g, {"fc"}, {0.0625});  // ±2^−4, as a binary stage with scale "pow2"
  g = quantized(g, inputs(64 * 16), 16, 8, 8);
  ASSERT_EQ(g.layer("fc")->param("weight")->format.precision, ir::Precision::kBinary);
  const onnx_import::OnnxExport e = round_trip(g, inputs(64 * 16), 16);
  EXPECT_EQ(count_ops(e.bytes).int8, 2);
  EXPECT_EQ(e.notes.size(), 1u) << "binary ±2^−FL weights are exact in float: nothing computed otherwise";
}

TEST(OnnxQdq, AnUnfoldedBatchNormKeepsItsScaleFormatInTheDocString) {
  // Conv → MaxPool → BatchNormalization (after a pool: not folded) → Flatten → Gemm.
  test::OnnxBuilder b({-1, 1, 8, 8});
  b.weight("w1", {4, 1, 3, 3});
  b.weight("b1", {4});
  for (const char* p : {"gamma", "beta", "mean"}) b.weight(p, {4});
  auto& var = b.weight("var", {4});
  for (int i = 0; i < 4; ++i) var.set_float_data(i, 0.5f + 0.25f * float(i));
  b.weight("w2", {3, 36});
  b.weight("b2", {3});
  b.node("Conv", {"x", "w1", "b1"}, {"c"}, "/conv1/Conv");
  auto& pool = b.node("MaxPool", {"c"}, {"p"}, "/pool/MaxPool");
  test::OnnxBuilder::ints(pool, "kernel_shape", {2, 2});
  test::OnnxBuilder::ints(pool, "strides", {2, 2});
  b.node("BatchNormalization", {"p", "gamma", "beta", "mean", "var"}, {"n"}, "/bn/BatchNormalization");
  b.node("Flatten", {"n"}, {"f"}, "/Flatten");
  test::OnnxBuilder::integer(b.node("Gemm", {"f", "w2", "b2"}, {"y"}, "/fc/Gemm"), "transB", 1);
  b.output("y");
  const std::string bytes = b.bytes();
  const ir::Graph g =
      quantized(onnx_import::import_onnx(bytes.data(), bytes.size(), {}).graph, inputs(64 * 16), 16, 8, 8);
  ASSERT_NE(g.layer("bn"), nullptr);
  const onnx_import::OnnxExport e = round_trip(g, inputs(64 * 16), 16);
  ASSERT_EQ(e.notes.size(), 2u);
  EXPECT_NE(e.notes[1].find("bn"), std::string::npos) << e.notes[1];
}

// ---- bad QDQ input ----

namespace {

struct Mutated {
  onnx::ModelProto m;
  explicit Mutated(const std::string& bytes) { m.ParseFromString(bytes); }
  onnx::TensorProto& init(const std::string& name) {
    for (auto& t : *m.mutable_graph()->mutable_initializer())
      if (t.name() == name) return t;
    ADD_FAILURE() << "no initializer " << name;
    return *m.mutable_graph()->mutable_initializer(0);
  }
  onnx::NodeProto& node(const std::string& name) {
    for (auto& n : *m.mutable_graph()->mutable_node())
      if (n.name() == name) return n;
    ADD_FAILURE() << "no node " << name;
    return *m.mutable_graph()->mutable_node(0);
  }
  // The import's error message (empty when it imports).
  std::string error() const {
    try {
      reimport(m.SerializeAsString());
    } catch (const onnx_import::OnnxError& e) {
      return e.what();
    }
    return "";
  }
};

std::string int8_cnn_onnx() {
  return onnx_import::export_onnx(quantized(small_cnn_graph(), inputs(64 * 16), 16, 8, 8)).bytes;
}

}  // namespace

TEST(OnnxQdq, BadQdqInputIsAnErrorNamingTheNode) {
  const std::string good = int8_cnn_onnx();
  ASSERT_EQ(Mutated(good).error(), "");
  auto expect_error = [](const Mutated& m, const std::vector<std::string>& parts) {
    const std::string e = m.error();
    for (const std::string& p : parts) EXPECT_NE(e.find(p), std::string::npos) << "want '" << p << "' in: " << e;
  };
  {  // a scale that is not a power of two
    Mutated m(good);
    onnx::NodeProto& q = m.node("input/QuantizeLinear");
    onnx::TensorProto& s = m.init(q.input(1));
    const float third = 0.3f;
    s.set_raw_data(std::string(reinterpret_cast<const char*>(&third), 4));
    expect_error(m, {"node 'input/QuantizeLinear' (QuantizeLinear", "not a power of two"});
  }
  {  // a non-zero zero point
    Mutated m(good);
    m.init("fixed.zero_point.int8").set_raw_data(std::string(1, char(3)));
    expect_error(m, {"node 'input/QuantizeLinear'", "zero point 'fixed.zero_point.int8' is 3", "symmetric"});
  }
  {  // an unsigned zero point
    Mutated m(good);
    m.init("fixed.zero_point.int8").set_data_type(onnx::TensorProto::UINT8);
    expect_error(m, {"node 'input/QuantizeLinear'", "is UINT8, expected INT8"});
  }
  {  // a QuantizeLinear without its DequantizeLinear: a Relu reads the integers
    Mutated m(good);
    m.node("Relu").set_input(0, "conv1/q");
    expect_error(m, {"node 'conv1/QuantizeLinear'", "read by 'Relu' (Relu)"});
  }
  {  // no zero point: ONNX's UINT8 output
    Mutated m(good);
    m.node("input/QuantizeLinear").mutable_input()->RemoveLast();
    expect_error(m, {"node 'input/QuantizeLinear'", "UINT8"});
  }
  {  // a DequantizeLinear of a float data-path value
    Mutated m(good);
    const onnx::NodeProto& dq = m.node("conv1/DequantizeLinear");
    onnx::NodeProto stray;
    stray.set_op_type("DequantizeLinear");
    stray.set_name("stray/DequantizeLinear");
    stray.add_input("conv1");
    stray.add_input(dq.input(1));
    stray.add_input(dq.input(2));
    stray.add_output("stray");
    *m.m.mutable_graph()->add_node() = stray;
    expect_error(m, {"node 'stray/DequantizeLinear'", "not a QuantizeLinear's output"});
  }
  {  // scales of a pair that disagree
    Mutated m(good);
    auto* t = m.m.mutable_graph()->add_initializer();
    t->set_name("other_scale");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(1.0f / 1048576);  // 2^−20
    m.node("conv1/DequantizeLinear").set_input(1, "other_scale");
    expect_error(m, {"node 'conv1/DequantizeLinear'", "its scale 2^-20 differs from its QuantizeLinear's"});
  }
  {  // weights of an unsigned type
    Mutated m(good);
    m.init("conv1.weight.q").set_data_type(onnx::TensorProto::UINT8);
    expect_error(m, {"node 'conv1.weight/DequantizeLinear'", "UINT8", "signed"});
  }
  {  // truncated integer weights
    Mutated m(good);
    onnx::TensorProto& w = m.init("fc.weight.q");
    w.set_raw_data(w.raw_data().substr(0, w.raw_data().size() - 5));
    expect_error(m, {"initializer 'fc.weight.q'", "raw_data has"});
  }
  {  // per-axis scales
    Mutated m(good);
    auto* t = m.m.mutable_graph()->add_initializer();
    t->set_name("per_axis");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(4);
    for (int i = 0; i < 4; ++i) t->add_float_data(0.5f);
    m.node("conv1.weight/DequantizeLinear").set_input(1, "per_axis");
    expect_error(m, {"node 'conv1.weight/DequantizeLinear'", "per-axis"});
  }
}

TEST(OnnxQdq, MutatedQdqFilesGiveOnlyOnnxErrors) {
  EXPECT_GT(test::import_mutations(int8_cnn_onnx(), 3000, 11), 0)
      << "no mutation left a usable model (the test would not see a mis-import)";
}

// ---- models written by PyTorch: checker, round trip ----

using OnnxQdqModels = test::OnnxModelTest;

TEST_P(OnnxQdqModels, Int8ExportPassesTheCheckerAndReimportsBitExact) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const test::OnnxReference ref = reference();
  const ir::Graph g = quantized(onnx_import::import_onnx_file(onnx_file()).graph, ref.x, ref.n, 8, 8);
  test::TempDir out;
  const auto path = out / "qdq.onnx";
  const onnx_import::OnnxExport e = onnx_import::export_onnx_file(g, path);
  std::string log;
  EXPECT_EQ(test::run_onnx_script("check_model.py", path.string(), &log), 0) << log;
  round_trip(g, ref.x, ref.n);
  const OpCounts c = count_ops(e.bytes);
  EXPECT_EQ(c.q, int(g.layers.size()));
  std::cout << GetParam() << ": " << e.nodes << " ONNX nodes, " << c.q << " QuantizeLinear, " << c.dq
            << " DequantizeLinear, " << c.int8 << " INT8 / " << c.int32 << " INT32 initializers\n";
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxQdqModels, SLIMLAB_ONNX_MODELS);
