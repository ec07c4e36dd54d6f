// fuse_activation: a ReLU / ReLU6 becomes the fused activation of the dense / conv /
// add before it only when nothing else reads that op and (fixed point) formats agree.
#include <gtest/gtest.h>

#include "deploy/export/passes/passes.h"
#include "tests/test_pass_util.h"

namespace slimlab {
namespace {

using deploy::ExportGraph;
using ir::LayerKind;
using slimrt::fb::Activation;

ir::Graph conv_relu(bool second_reader, LayerKind act = LayerKind::kRelu) {
  train::GraphBuilder b("t", {2, 16}, 3);
  b.conv("conv", 4, {3});
  b.elementwise("act", act);
  if (second_reader) {
    b.elementwise("other", LayerKind::kRelu6, "conv");
    b.concat("cat", {"act", "other"}, 0);
  }
  b.flatten("flat");
  b.dense("fc", 3);
  return test::with_weights(b.finish());
}

TEST(FuseActivation, ReluAfterConvBecomesItsActivation) {
  ExportGraph g = ExportGraph::from(conv_relu(false), false, false);
  deploy::passes::fuse_activation(g);
  EXPECT_EQ(test::names(g), (std::vector<std::string>{"input", "conv", "flat", "fc"}));
  EXPECT_EQ(g.find("conv")->ann.activation, Activation::Relu);
  EXPECT_EQ(g.find("flat")->layer.inputs, std::vector<std::string>{"conv"});
  EXPECT_EQ(g.all_notes(), std::vector<std::string>{"'act' fused into 'conv'"});
}

TEST(FuseActivation, Relu6TooButNotOtherActivations) {
  ExportGraph g = ExportGraph::from(conv_relu(false, LayerKind::kRelu6), false, false);
  deploy::passes::fuse_activation(g);
  EXPECT_EQ(g.find("conv")->ann.activation, Activation::Relu6);
  ExportGraph h = ExportGraph::from(conv_relu(false, LayerKind::kHardTanh), false, false);
  deploy::passes::fuse_activation(h);
  EXPECT_NE(h.find("act"), nullptr);
  EXPECT_EQ(h.find("conv")->ann.activation, Activation::None);
}

TEST(FuseActivation, NotWhenTheOpHasAnotherReader) {
  ExportGraph g = ExportGraph::from(conv_relu(true), false, false);
  deploy::passes::fuse_activation(g);
  EXPECT_NE(g.find("act"), nullptr);
  EXPECT_EQ(g.find("conv")->ann.activation, Activation::None);
}

TEST(FuseActivation, NotIntoPackedOps) {
  ExportGraph g = ExportGraph::from(conv_relu(false), false, true);
  g.find("conv")->ann.reads_packed = true;  // XOR + popcount kernels take no activation
  deploy::passes::fuse_activation(g);
  EXPECT_NE(g.find("act"), nullptr);
}

TEST(FuseActivation, FixedPointOnlyWhenTheFormatIsKept) {
  const ir::Graph q = test::fixed_point(conv_relu(false), 8);
  ExportGraph g = ExportGraph::from(q, true, false);
  deploy::passes::fuse_activation(g);
  EXPECT_EQ(g.find("conv")->ann.activation, Activation::Relu);  // calibration gives the ReLU its input's format
  ir::Graph other = q;
  other.layer("act")->activation_format.fixed.fl -= 1;
  ExportGraph h = ExportGraph::from(other, true, false);
  deploy::passes::fuse_activation(h);
  EXPECT_NE(h.find("act"), nullptr);
}

}  // namespace
}  // namespace slimlab
