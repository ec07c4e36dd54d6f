// The Compare panel's model: curves of several runs overlaid, per-layer structure
// side by side (each run against its own base), the exports' cost in one table, and
// the picked runs persisting.
#include <gtest/gtest.h>

#include "gui/model/compare.h"
#include "gui/model/run_store.h"
#include "experiments/runs.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::gui;

namespace {

exp::RunRecord run(const std::string& id, int epochs, std::vector<std::pair<std::string, int64_t>> layers) {
  exp::RunRecord r;
  r.experiment = "cmp";
  r.run_id = id;
  r.status = "finished";
  for (int e = 1; e <= epochs; ++e) {
    train::EpochMetrics m;
    m.epoch = e;
    m.train_loss = 1.0 / e;
    m.val_accuracy = 0.5 + 0.1 * e;
    r.result.epochs.push_back(m);
  }
  for (const auto& [name, units] : layers) {
    exp::LayerSummary l;
    l.name = name;
    l.kind = "dense";
    l.output_shape = {units};
    l.params = units * 10;
    l.precision = "fp32";
    r.graph.push_back(l);
  }
  return r;
}

}  // namespace

TEST(GuiCompare, CurvesOverlaidOneLinePerRun) {
  const exp::RunRecord a = run("a", 3, {{"fc1", 64}}), b = run("b", 5, {{"fc1", 32}});
  PlotModel plot;
  fill_compare_plot(plot, {&a, &b}, "val_accuracy");
  ASSERT_EQ(plot.series.size(), 2u);
  EXPECT_EQ(plot.series[0].name, "cmp/a");
  EXPECT_EQ(plot.series[1].x.size(), 5u);
  EXPECT_DOUBLE_EQ(plot.series[1].y.back(), 0.5 + 0.1 * 5);
  EXPECT_NE(plot.series[0].color, plot.series[1].color);
  EXPECT_EQ(plot.y.label, "val_accuracy");
  // The view covers both runs.
  EXPECT_LE(plot.x.lo, 1);
  EXPECT_GE(plot.x.hi, 5);
  fill_compare_plot(plot, {&a, &b}, "no_such_metric");
  EXPECT_TRUE(plot.series.empty());
  const auto metrics = compare_metrics();
  EXPECT_NE(std::find(metrics.begin(), metrics.end(), "train_loss"), metrics.end());
}

TEST(GuiCompare, StructureSideBySideMatchesLayersByName) {
  const exp::RunRecord a = run("a", 1, {{"fc1", 64}, {"fc2", 10}});
  const exp::RunRecord b = run("b", 1, {{"fc1", 16}, {"extra", 8}, {"fc2", 10}});
  const CompareStructure s = compare_structure({&a, &b});
  ASSERT_EQ(s.layers, (std::vector<std::string>{"fc1", "fc2", "extra"}));
  ASSERT_EQ(s.cells.size(), 3u);
  EXPECT_EQ(s.cells[0][0].units_after, 64);
  EXPECT_EQ(s.cells[0][1].units_after, 16);
  EXPECT_EQ(s.cells[0][1].params_after, 160);
  EXPECT_TRUE(s.cells[2][0].name.empty());  // a has no "extra"
  EXPECT_EQ(s.cells[2][1].units_after, 8);
}

TEST(GuiCompare, ExportsTableAndPickedRunsPersist) {
  exp::RunRecord a = run("a", 1, {{"fc1", 64}}), b = run("b", 1, {{"fc1", 32}});
  a.latency_ms = 0.25;
  a.arena_bytes = 2048;
  a.file_bytes = 4096;
  a.tags["slimrt_precision"] = "int8";
  a.tags["mcu_cortex-m3_flash_bytes"] = "14488";
  a.tags["mcu_cortex-m3_ram_bytes"] = "2224";
  a.tags["mcu_cortex-m3_match"] = "16/16";
  a.tags["operating_points"] = "5 in model-points-fp32.slim";
  const auto rows = compare_table({&a, &b});
  const auto& cols = compare_columns();
  ASSERT_EQ(rows.size(), 2u);
  auto col = [&](const std::string& c) { return size_t(std::find(cols.begin(), cols.end(), c) - cols.begin()); };
  EXPECT_EQ(rows[0][col("run")], "cmp/a");
  EXPECT_EQ(rows[0][col("precision")], "int8");
  EXPECT_EQ(rows[0][col("latency_ms")], "0.250");
  EXPECT_EQ(rows[0][col("arena_bytes")], exp::short_bytes(2048));
  EXPECT_EQ(rows[1][col("latency_ms")], "-");  // not measured
  EXPECT_EQ(rows[0][col("microcontroller")],
            "cortex-m3: flash " + exp::short_bytes(14488) + ", ram " + exp::short_bytes(2224) + ", 16/16");
  EXPECT_EQ(rows[0][col("operating_points")], "5 in model-points-fp32.slim");
  EXPECT_EQ(rows[1][col("microcontroller")], "-");
  CompareSet set;
  set.toggle("cmp/a");
  set.toggle("cmp/b");
  set.toggle("x/y");
  set.toggle("x/y");  // off again
  GuiState st;
  set.save(st);
  CompareSet back;
  back.load(st);
  EXPECT_EQ(back.keys(), (std::vector<std::string>{"cmp/a", "cmp/b"}));
}
