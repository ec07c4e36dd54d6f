// Slimmable networks: one set of weights at several widths with a private BatchNorm
// per width. Each width's masked forward equals the real, sliced model of that width
// (units removed) — so every point of the curve is an exportable model.
#include <gtest/gtest.h>

#include "compress/slimmable/slimmable.h"
#include "compress/slimmable/slimmable_torch.h"
#include "compress/surgery.h"
#include "slimming_fixtures_torch.h"
#include "train/graph_io.h"

namespace slimlab::compress {
namespace {

TEST(Slimmable, WidthsAndSlices) {
  EXPECT_EQ(slimmable::parse_widths({"1.0", "0.25", "0.5"}), (std::vector<double>{0.25, 0.5, 1.0}));
  EXPECT_THROW(slimmable::parse_widths({"0.5", "0.5"}), std::invalid_argument);
  EXPECT_THROW(slimmable::parse_widths({"1.5"}), std::invalid_argument);
  EXPECT_THROW(slimmable::parse_widths({}), std::invalid_argument);
  EXPECT_EQ(slimmable::units_at(0.25, 32), 8);
  EXPECT_EQ(slimmable::units_at(0.01, 32), 1);
  const ir::Graph g = train::make_model(test::model_config("audio_cnn"))->graph(true);
  const ir::Graph s = slimmable::slice(g, 0.5);
  EXPECT_EQ(find_group(s, "conv1").units, 8);
  EXPECT_EQ(s.layer("conv2")->in_features, 8);
  std::map<std::string, std::string> v;
  for (const StageKey& k : slimmable::stage_description().keys) v[k.name] = k.default_value;
  v["output_width"] = "0.3";
  const auto issues = slimmable::stage_description().validate(StageParams("slimmable", 0, v));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].key, "output_width");
}

TEST(SlimmableStage, OneModelAWholeCurveEachWidthARealSmallerModel) {
  torch::set_num_threads(1);
  test::StageRun r("slimmable", {{"widths", "0.25,0.5,1.0"}, {"epochs", "3"}, {"output_width", "0.5"}},
                   "audio_cnn", 256);
  const int64_t full = r.params();
  r.run();
  const Table& t = r.record.tables.at("widths");
  ASSERT_EQ(t.rows.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    // The masked forward at a width (private BN swapped in) = the sliced model.
    EXPECT_NEAR(t.rows[i][4], t.rows[i][6], 1e-9) << "width " << t.rows[i][0];
    if (i > 0) EXPECT_GT(t.rows[i][1], t.rows[i - 1][1]);
    const std::string dir = i == 0 ? "width_0.25" : i == 1 ? "width_0.5" : "width_1";
    const ir::Graph g = ir::read_graph_h5(r.ctx.dir / dir / "model.h5");
    EXPECT_EQ(double(g.parameter_count()), t.rows[i][1]);
  }
  EXPECT_EQ(t.rows[2][1], double(full));
  const Table& epochs = r.record.tables.at("fine_tune");  // all widths trained together
  ASSERT_EQ(epochs.rows.size(), 3u);
  EXPECT_LT(epochs.rows.back()[1], epochs.rows.front()[1]) << "the summed loss of the widths falls";
  // The stage continues with output_width = 0.5: a smaller model.
  EXPECT_EQ(double(r.params()), t.rows[1][1]);
  EXPECT_LT(r.params(), full);
}

}  // namespace
}  // namespace slimlab::compress
