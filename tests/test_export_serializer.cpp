// The serializer writes each annotated layer as one op, generically: the op id is the
// op's position in slimrt/op_list.h, activations differ only in their attributes,
// constants are written in operand order (then the output), as the annotations say.
#include <gtest/gtest.h>

#include <cstring>

#include "deploy/export/serializer.h"

namespace slimlab {
namespace {

using deploy::ExportGraph;
using deploy::ExportLayer;
using deploy::Operand;
using slimrt::OpId;

ExportLayer layer(const std::string& name, OpId op, const std::string& input, std::vector<int64_t> shape) {
  ExportLayer e;
  e.layer.name = name;
  e.layer.inputs = {input};
  e.layer.output_shape = std::move(shape);
  e.ann.op = op;
  return e;
}

ExportGraph activations() {
  ExportGraph g;
  ExportLayer in;
  in.layer.name = "x";
  in.layer.output_shape = {4};
  g.layers.push_back(in);
  ExportLayer fc = layer("fc", OpId::Dense, "x", {2});
  deploy::Constant w;
  w.name = "fc.weight";
  w.shape = {2, 4};
  w.values = {1, 2, 3, 4, 5, 6, 7, 8};
  fc.ann.operands = {Operand::of(std::string("x")), Operand::of(w), Operand::absent()};
  fc.ann.activation = slimrt::fb::Activation::Relu6;
  g.layers.push_back(fc);
  g.layers.push_back(layer("r", OpId::Relu, "fc", {2}));
  g.layers.push_back(layer("r6", OpId::Relu6, "r", {2}));
  ExportLayer ht = layer("ht", OpId::HardTanh, "r6", {2});
  ht.layer.min_value = -0.5f;
  ht.layer.max_value = 0.75f;
  g.layers.push_back(ht);
  g.output = "ht";
  return g;
}

TEST(Serializer, OneLayerOneOpWithItsListId) {
  slimrt::Metadata md;
  md.model = "m";
  const deploy::Serialized s = deploy::serialize(activations(), md);
  EXPECT_EQ(s.ops, 4);
  EXPECT_EQ(s.raw_output_tensor, -1);
  auto m = slimrt::Model::from_memory(s.bytes.data(), s.bytes.size());
  const std::vector<OpId> want{OpId::Dense, OpId::Relu, OpId::Relu6, OpId::HardTanh};
  ASSERT_EQ(m->ops().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(int(m->ops()[i].type), int(want[i]));
    EXPECT_STREQ(slimrt::fb::EnumNameOpType(m->ops()[i].type), slimrt::op_info(want[i]).name);
  }
  EXPECT_EQ(m->ops()[0].activation, slimrt::fb::Activation::Relu6);
  EXPECT_EQ(m->ops()[0].inputs, (std::vector<int>{0, 1, -1}));
  EXPECT_FLOAT_EQ(m->ops()[3].min_value, -0.5f);
  EXPECT_FLOAT_EQ(m->ops()[3].max_value, 0.75f);
  EXPECT_EQ(m->tensors()[1].name, "fc.weight");
  EXPECT_EQ(m->tensors()[2].name, "fc");
  EXPECT_EQ(m->metadata().model, "m");
}

TEST(Serializer, OutputFirstWritesTheOutputBeforeTheConstants) {
  ExportGraph g = activations();
  g.layers[1].ann.output_first = true;
  const deploy::Serialized s = deploy::serialize(g, {});
  auto m = slimrt::Model::from_memory(s.bytes.data(), s.bytes.size());
  EXPECT_EQ(m->tensors()[1].name, "fc");
  EXPECT_EQ(m->tensors()[2].name, "fc.weight");
}

TEST(Serializer, AnUnknownInputNamesTheLayer) {
  ExportGraph g = activations();
  g.layers[2].layer.inputs = {"nowhere"};
  try {
    deploy::serialize(g, {});
    ADD_FAILURE() << "an input without a tensor was written";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'r'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nowhere"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace slimlab
