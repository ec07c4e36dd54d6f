// The GUI's data model without ImGui: plot mapping/zoom/hit-testing/SVG, the run
// scanner and table (filters, sort, selection), the trade-off points and Pareto
// front, the structure / curve / DeepIoT views. Jobs, the experiment form, state
// and deploy: test_gui_jobs.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "gui/model/plot_model.h"
#include "gui/model/run_store.h"
#include "gui/model/views.h"
#include "run_fixtures.h"

using namespace slimlab;
using namespace slimlab::gui;
namespace fs = std::filesystem;
using test::finished_run;
using test::write_run;


// ---- plot model ---------------------------------------------------------------------

TEST(GuiPlotModel, LinearAndLogMappingRoundTrip) {
  PlotModel m;
  m.set_frame(Rect{100, 50, 500, 350});
  m.x = Axis{"x", AxisScale::kLinear, 0, 10};
  m.y = Axis{"y", AxisScale::kLinear, 0, 1};
  EXPECT_FLOAT_EQ(m.px(0), 100);
  EXPECT_FLOAT_EQ(m.px(10), 500);
  EXPECT_FLOAT_EQ(m.px(2.5), 200);
  EXPECT_FLOAT_EQ(m.py(0), 350);  // y grows upwards on the plot, downwards on screen
  EXPECT_FLOAT_EQ(m.py(1), 50);
  EXPECT_NEAR(m.data_x(m.px(7.3)), 7.3, 1e-5);
  m.x = Axis{"x", AxisScale::kLog, 10, 10000};
  EXPECT_FLOAT_EQ(m.px(100), 100 + 400.0f / 3);
  EXPECT_FLOAT_EQ(m.px(1000), 100 + 800.0f / 3);
  EXPECT_TRUE(std::isnan(m.px(0)));
  EXPECT_TRUE(std::isnan(m.px(-5)));
  EXPECT_NEAR(m.data_x(m.px(316.2)), 316.2, 1e-3);
}

TEST(GuiPlotModel, FitZoomResetAndHitTest) {
  PlotModel m;
  m.set_frame(Rect{0, 0, 400, 300});
  Series s;
  s.x = {1000, 2000, 50000};
  s.y = {0.5, 0.7, 0.9};
  s.ids = {7, 8, 9};
  m.series = {s};
  m.x.scale = AxisScale::kLog;
  m.fit();
  EXPECT_LT(m.x.lo, 1000);
  EXPECT_GT(m.x.hi, 50000);
  EXPECT_LT(m.y.lo, 0.5);
  EXPECT_GT(m.y.hi, 0.9);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(m.frame().contains(m.px(s.x[i]), m.py(s.y[i])));
  }
  // Hit-testing finds the nearest marker within the radius, and nothing far away.
  auto hit = m.hit_test(m.px(2000) + 3, m.py(0.7) - 2);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, 8);
  EXPECT_FALSE(m.hit_test(m.px(2000) + 30, m.py(0.7)));
  // A drag rectangle around the first two points zooms to them; the third leaves the view.
  ASSERT_TRUE(m.zoom_to_pixels(Rect{m.px(1000) - 10, m.py(0.7) - 10, m.px(2000) + 10, m.py(0.5) + 10}));
  EXPECT_TRUE(m.zoomed());
  EXPECT_TRUE(m.frame().contains(m.px(1000), m.py(0.5)));
  EXPECT_FALSE(m.frame().contains(m.px(50000), m.py(0.9)));
  m.fit();  // new data while zoomed keeps the zoom
  EXPECT_FALSE(m.frame().contains(m.px(50000), m.py(0.9)));
  EXPECT_FALSE(m.zoom_to_pixels(Rect{10, 10, 12, 40}));  // too small: a click, not a drag
  m.reset();
  EXPECT_FALSE(m.zoomed());
  EXPECT_TRUE(m.frame().contains(m.px(50000), m.py(0.9)));
}

TEST(GuiPlotModel, TicksAndLabels) {
  Axis lin{"", AxisScale::kLinear, 0, 1};
  auto t = axis_ticks(lin, 5);
  ASSERT_FALSE(t.empty());
  EXPECT_DOUBLE_EQ(t.front(), 0);
  EXPECT_NEAR(t[1] - t[0], 0.2, 1e-12);
  Axis lg{"", AxisScale::kLog, 50, 2e6};
  t = axis_ticks(lg);
  EXPECT_NE(std::find(t.begin(), t.end(), 100.0), t.end());
  EXPECT_NE(std::find(t.begin(), t.end(), 1e6), t.end());
  EXPECT_EQ(tick_label(1e6), "1M");
  EXPECT_EQ(tick_label(25000), "25k");
  EXPECT_EQ(tick_label(0.25), "0.25");
}

TEST(GuiPlotModel, SvgHasEveryMarkerAndTheStepLine) {
  PlotModel m;
  m.title = "acc vs params";
  m.x.label = "parameters";
  Series a;
  a.name = "float";
  a.color = palette_color(0);
  a.x = {1, 2, 3};
  a.y = {0.1, 0.2, 0.3};
  Series f;
  f.name = "Pareto front";
  f.markers = false;
  f.line = f.step = true;
  f.x = {1, 3};
  f.y = {0.1, 0.3};
  m.series = {f, a};
  m.fit();
  const std::string svg = m.to_svg();
  size_t circles = 0;
  for (size_t at = 0; (at = svg.find("<circle", at)) != std::string::npos; ++at) ++circles;
  EXPECT_EQ(circles, 3u + 1u);  // three markers and one legend dot
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("#4e79a7"), std::string::npos);
  EXPECT_NE(svg.find("acc vs params"), std::string::npos);
  // The step line has the corner point: (3, y of 1).
  EXPECT_EQ(svg.rfind("</svg>"), svg.size() - 7);
}

// ---- runs ---------------------------------------------------------------------------

TEST(GuiRunStore, ScansFiltersSortsAndKeepsTheSelection) {
  test::TempDir root;
  write_run(root.path(), finished_run("har", "p00", 0.80, 1000, "float"));
  write_run(root.path(), finished_run("har", "p01", 0.90, 5000, "deepiot"));
  write_run(root.path(), finished_run("kws", "p00", 0.70, 300, "fixed8"));
  test::write_text(root / "kws" / "p01" / "status", "running\n");
  test::write_text(root / "kws" / "p01" / "curves.csv", "epoch,train_loss\n1,0.9\n");
  test::write_text(root / "kws" / "p02" / "status", "failed: out of memory\n");
  test::write_text(root / "kws" / "empty" / "note.txt", "not a run");

  RunScanner scanner(root.path());
  scanner.scan_once();
  const uint64_t v1 = scanner.version();
  auto runs = scanner.snapshot();
  ASSERT_EQ(runs->size(), 5u);

  RunTable t;
  t.set_runs(runs);
  EXPECT_EQ(t.rows().size(), 5u);
  t.set_filter(RunFilter{"", "failed", "", ""});
  ASSERT_EQ(t.rows().size(), 1u);
  EXPECT_EQ(t.runs()[t.rows()[0]].error, "out of memory");
  t.set_filter(RunFilter{"DEEPIOT", "", "", ""});  // case-insensitive text
  ASSERT_EQ(t.rows().size(), 1u);
  EXPECT_EQ(t.runs()[t.rows()[0]].run_id, "p01");
  t.set_filter(RunFilter{"", "", "", "kws"});
  EXPECT_EQ(t.rows().size(), 3u);
  t.set_filter(RunFilter{});

  // Numeric sort: by value, runs without one last in both directions.
  t.set_sort("params", true);
  std::vector<std::string> order;
  for (size_t i : t.rows()) order.push_back(run_key(t.runs()[i]));
  EXPECT_EQ(order[0], "kws/p00");
  EXPECT_EQ(order[1], "har/p00");
  EXPECT_EQ(order[2], "har/p01");
  t.set_sort("params", false);
  EXPECT_EQ(run_key(t.runs()[t.rows()[0]]), "har/p01");
  EXPECT_EQ(run_key(t.runs()[t.rows()[2]]), "kws/p00");
  EXPECT_EQ(t.runs()[t.rows()[3]].resources.params, 0);

  t.select("har/p01");
  ASSERT_TRUE(t.selected());
  EXPECT_DOUBLE_EQ(t.selected()->result.test.accuracy, 0.90);

  // A rescan with nothing changed publishes nothing new; a change is picked up.
  scanner.scan_once();
  EXPECT_EQ(scanner.version(), v1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  test::write_text(root / "kws" / "p01" / "curves.csv", "epoch,train_loss\n1,0.9\n2,0.8\n");
  scanner.scan_once();
  EXPECT_GT(scanner.version(), v1);
  t.set_runs(scanner.snapshot());
  ASSERT_TRUE(t.find("kws/p01"));
  EXPECT_EQ(t.find("kws/p01")->result.epochs.size(), 2u);
  EXPECT_EQ(t.selected_key(), "har/p01");  // the selection survives
  ASSERT_TRUE(t.selected());

  // A removed run disappears; the selection of a vanished run finds nothing.
  fs::remove_all(root / "har" / "p01");
  scanner.scan_once();
  t.set_runs(scanner.snapshot());
  EXPECT_EQ(t.runs().size(), 4u);
  EXPECT_EQ(t.selected(), nullptr);
}

TEST(GuiRunStore, BackgroundScannerPicksUpNewRuns) {
  test::TempDir root;
  RunScanner scanner(root.path(), std::chrono::milliseconds(20));
  scanner.start();
  write_run(root.path(), finished_run("har", "p00", 0.8, 1000));
  bool seen = false;
  for (int i = 0; i < 300 && !seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    seen = scanner.snapshot()->size() == 1;
  }
  scanner.stop();
  EXPECT_TRUE(seen);
}

TEST(GuiRunStore, CellText) {
  const auto r = finished_run("har", "p00", 0.9123, 12345);
  EXPECT_EQ(cell_text(r, "test_accuracy"), "91.23%");
  EXPECT_EQ(cell_text(r, "params"), "12.3k");
  EXPECT_EQ(cell_text(r, "latency_ms"), "-");
  EXPECT_EQ(cell_text(r, "technique"), "float");
}

// ---- trade-off ----------------------------------------------------------------------

TEST(GuiTradeoff, ParetoFrontGroupsAndLeftOut) {
  auto runs = std::make_shared<RunList>();
  runs->push_back(finished_run("e", "a", 0.80, 1000, "float"));    // front
  runs->push_back(finished_run("e", "b", 0.75, 2000, "float"));    // dominated by a
  runs->push_back(finished_run("e", "c", 0.90, 5000, "deepiot"));  // front
  runs->push_back(finished_run("e", "d", 0.60, 500, "fixed8"));    // front (smallest)
  exp::RunRecord running;
  running.experiment = "e";
  running.run_id = "r";
  running.status = "running";
  runs->push_back(running);  // no values: left out
  RunTable t;
  t.set_runs(runs);
  TradeoffOptions o;
  Tradeoff tr = build_tradeoff(t.runs(), t.rows(), o);
  EXPECT_EQ(tr.x.size(), 4u);
  EXPECT_EQ(tr.left_out, 1u);
  EXPECT_EQ(tr.groups, (std::vector<std::string>{"deepiot", "fixed8", "float"}));
  std::vector<std::string> front;
  for (size_t i : tr.pareto) front.push_back((*runs)[tr.runs[i]].run_id);
  EXPECT_EQ(front, (std::vector<std::string>{"d", "a", "c"}));

  PlotModel plot;
  fill_tradeoff_plot(plot, tr, o);
  ASSERT_EQ(plot.series.size(), 4u);  // the front, then one series per technique
  EXPECT_EQ(plot.series[0].name, "Pareto front");
  EXPECT_TRUE(plot.series[0].step);
  EXPECT_EQ(plot.series[0].x, (std::vector<double>{500, 1000, 5000}));
  EXPECT_EQ(plot.series[1].color, palette_color(0));

  // Filtering the table changes what is plotted.
  t.set_filter(RunFilter{"", "", "float", ""});
  tr = build_tradeoff(t.runs(), t.rows(), o);
  EXPECT_EQ(tr.x.size(), 2u);
  EXPECT_EQ(tr.pareto.size(), 1u);
}

TEST(GuiViews, StructureBeforeAndAfter) {
  auto base = finished_run("e", "base", 0.9, 1000);
  auto slim = finished_run("e", "slim", 0.88, 400, "deepiot");
  exp::LayerSummary gone;
  gone.name = "fc2";
  gone.kind = "dense";
  gone.output_shape = {10};
  gone.params = 50;
  base.graph.push_back(gone);
  slim.base_graph = base.graph;  // the run's own model before its stages
  const auto b = own_base_run(slim);
  ASSERT_TRUE(b.has_value());
  const auto rows = structure_rows(slim, &*b);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].units_before, 100);
  EXPECT_EQ(rows[0].units_after, 40);
  EXPECT_EQ(rows[0].params_before, 1000);
  EXPECT_EQ(rows[0].params_after, 400);
  EXPECT_EQ(rows[0].bytes_after, 1600);
  EXPECT_TRUE(rows[1].removed);
  EXPECT_FALSE(own_base_run(base).has_value());  // a run without stages is its own base
}

// Regression: the Structure panel compared a run with another experiment's float run
// of the same model (whichever came first in the list); now only with its own base.
TEST(GuiViews, StructureBaseIsTheRunsOwnNeverAnotherExperiments) {
  auto other = finished_run("other_experiment", "float", 0.95, 5000);  // same model, more units
  auto slim = finished_run("e", "slim", 0.88, 400, "deepiot");
  slim.base_graph = finished_run("e", "slim", 0.9, 1000).graph;
  ASSERT_EQ(other.model, slim.model);
  const auto b = own_base_run(slim);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->experiment, "e");
  const auto rows = structure_rows(slim, &*b);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].params_before, 1000) << "the base must be the run's own float model, not " << other.experiment;
  auto unrecorded = slim;
  unrecorded.base_graph.clear();
  EXPECT_FALSE(own_base_run(unrecorded).has_value()) << "no recorded base: none, not a guess";
}

TEST(GuiViews, LiveCurves) {
  auto r = finished_run("e", "a", 0.9, 1000);
  r.result.epochs.push_back(r.result.epochs[0]);
  r.result.epochs[1].epoch = 2;
  r.result.epochs[1].train_loss = 0.3;
  PlotModel p;
  fill_loss_plot(p, r);
  ASSERT_EQ(p.series.size(), 2u);
  EXPECT_EQ(p.series[0].y, (std::vector<double>{0.5, 0.3}));
  EXPECT_EQ(p.series[0].x, (std::vector<double>{1, 2}));
  StageTrace t{"0-deepiot", "keep_probability", {"conv1", "conv2"}, {{1, 1}, {0.8, 0.9}, {0.5, 0.7}}, {}};
  fill_trace_plot(p, t, 1);  // replayed up to iteration 1
  ASSERT_EQ(p.series.size(), 2u);
  EXPECT_EQ(p.series[0].y, (std::vector<double>{1, 0.8}));
  EXPECT_EQ(p.series[1].name, "conv2");
}

TEST(GuiViews, DeepIoTKeepProbabilitiesAndKeptUnits) {
  auto r = finished_run("e", "d", 0.88, 400, "deepiot");
  compress::StageRecord st;
  st.type = "deepiot";
  compress::Table keep;
  keep.columns = {"iteration", "threshold", "p0", "p1", "p2", "p3"};
  keep.rows = {{0, 0.1, 0.9, 0.9, 0.9, 0.9}, {5, 0.4, 0.8, 0.3, 0.5, 0.1}};
  compress::Table trace;
  trace.columns = {"iteration", "threshold", "size_fraction", "loss", "val_accuracy", "kept.fc", "mean_keep.fc"};
  trace.rows = {{0, 0.1, 1, 2, 0.5, 4, 0.9}, {5, 0.4, 0.5, 1, 0.8, 2, 0.42}};
  compress::Table kept;
  kept.columns = {"units", "kept", "kept_fraction"};
  kept.rows = {{100, 40, 0.4}};
  kept.row_labels = {"fc"};
  st.tables = {{"keep_probabilities.fc", keep}, {"trace", trace}, {"kept_units", kept}};
  r.stages = {st};
  const auto traces = stage_traces(r);
  ASSERT_EQ(traces.size(), 3u);
  EXPECT_EQ(traces[0].stage, "0-deepiot");
  const StageTrace& k = traces[0];
  ASSERT_EQ(k.name, "keep_probabilities.fc");
  EXPECT_TRUE(is_keep_table(k));
  EXPECT_EQ(traces[1].name, "trace");  // keep-probabilities first, then the trace, then the rest
  EXPECT_EQ(traces[2].name, "kept_units");
  EXPECT_FALSE(is_keep_table(traces[1]));
  PlotModel p;
  fill_keep_plot(p, k, 1);  // iteration 5: threshold 0.4 keeps units 0 and 2
  ASSERT_EQ(p.series.size(), 3u);
  EXPECT_EQ(p.series[0].y, (std::vector<double>{0.4, 0.4}));  // the threshold line
  EXPECT_EQ(p.series[1].x, (std::vector<double>{0, 2}));       // kept
  EXPECT_EQ(p.series[2].x, (std::vector<double>{1, 3}));       // dropped
  EXPECT_NE(p.title.find("2 of 4 units kept"), std::string::npos) << p.title;
  // The trace: threshold, size, accuracy and mean keep-probability against the iteration.
  const auto vis = default_visible(traces[1]);
  EXPECT_EQ(vis, (std::vector<bool>{false, true, true, false, true, false, true}));
  fill_trace_plot(p, traces[1], 1);
  ASSERT_EQ(p.series.size(), 4u);
  EXPECT_EQ(p.series[0].name, "threshold");
  EXPECT_EQ(p.series[0].x, (std::vector<double>{0, 5}));
  // Units before come from kept_units when there is no base run.
  const auto rows = structure_rows(r);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].units_before, 100);
  EXPECT_EQ(rows[0].units_after, 40);
}

TEST(GuiViews, LiveDeepIoTProgressFromTheLog) {
  const StageTrace t = deepiot_trace_from_log(
      "epoch 3: loss 0.2\n"
      "deepiot: iteration 1 threshold 0.1 size 0.95 val accuracy 0.91\n"
      "deepiot: iteration 2 threshold 0.15 size 0.8 val accuracy 0.9 — target met\n"
      "deepiot: iteration 3 threshold 0.2 size\n");  // a line being written
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[1], (std::vector<double>{2, 0.15, 0.8, 0.9}));
  test::TempDir tmp;
  exp::RunRecord r;
  r.status = "running";
  r.dir = tmp.path();
  test::write_text(tmp / "log.txt", "deepiot: iteration 1 threshold 0.1 size 0.95 val accuracy 0.91\n");
  const auto traces = stage_traces(r);
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0].rows.size(), 1u);
}
