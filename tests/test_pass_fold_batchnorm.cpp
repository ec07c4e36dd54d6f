// fold_batchnorm (export pass): batch norms after a conv / dense fold into it with a
// note each; one after a binary conv stays.
#include <gtest/gtest.h>

#include "compress/binary/binary_stage.h"
#include "deploy/export/passes/passes.h"
#include "tests/test_pass_util.h"

namespace slimlab {
namespace {

ir::Graph conv_bn() {
  train::GraphBuilder b("t", {2, 12}, 3);
  b.conv("conv", 4, {3});
  b.batch_norm("bn");
  b.flatten("flat");
  b.dense("fc", 3);
  return test::with_weights(b.finish());
}

TEST(FoldBatchnormPass, FoldsWithANote) {
  ir::Graph g = conv_bn();
  std::vector<std::string> notes;
  deploy::passes::fold_batchnorm(g, notes);
  EXPECT_EQ(g.layer("bn"), nullptr);
  EXPECT_EQ(notes, std::vector<std::string>{"batch norm 'bn' folded into the layer before it"});
}

TEST(FoldBatchnormPass, KeepsTheBatchNormOfABinaryConv) {
  ir::Graph g = conv_bn();
  compress::mark_binary_weights(g, {"conv"}, {0.5});
  std::vector<std::string> notes;
  deploy::passes::fold_batchnorm(g, notes);
  EXPECT_NE(g.layer("bn"), nullptr);
  EXPECT_TRUE(notes.empty());
}

}  // namespace
}  // namespace slimlab
