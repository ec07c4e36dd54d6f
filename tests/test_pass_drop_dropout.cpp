// drop_dropout: readers of a dropout read its input; fixed point keeps one that
// changes the format (a requantize later).
#include <gtest/gtest.h>

#include "deploy/export/passes/passes.h"
#include "tests/test_pass_util.h"

namespace slimlab {
namespace {

using deploy::ExportGraph;

ir::Graph dense_dropout() {
  train::GraphBuilder b("t", {8}, 3);
  b.dense("fc1", 6);
  b.elementwise("drop1", ir::LayerKind::kDropout);
  b.elementwise("drop2", ir::LayerKind::kDropout);
  b.dense("fc2", 3);
  b.elementwise("drop3", ir::LayerKind::kDropout);
  return test::with_weights(b.finish());
}

TEST(DropDropout, ReadersAndTheOutputReadTheInput) {
  ExportGraph g = ExportGraph::from(dense_dropout(), false, false);
  deploy::passes::drop_dropout(g);
  EXPECT_EQ(test::names(g), (std::vector<std::string>{"input", "fc1", "fc2"}));
  EXPECT_EQ(g.find("fc2")->layer.inputs, std::vector<std::string>{"fc1"});
  EXPECT_EQ(g.output, "fc2");
}

TEST(DropDropout, FixedPointKeepsAFormatChange) {
  ir::Graph q = test::fixed_point(dense_dropout(), 8);
  ExportGraph same = ExportGraph::from(q, true, false);
  deploy::passes::drop_dropout(same);
  EXPECT_EQ(same.find("drop2"), nullptr);
  q.layer("drop2")->activation_format.fixed.fl += 1;
  ExportGraph changed = ExportGraph::from(q, true, false);
  deploy::passes::drop_dropout(changed);
  EXPECT_EQ(changed.find("drop1"), nullptr);
  ASSERT_NE(changed.find("drop2"), nullptr);
  EXPECT_EQ(changed.find("drop2")->layer.inputs, std::vector<std::string>{"fc1"});
}

}  // namespace
}  // namespace slimlab
