// Every panel drawn for a few frames in a headless Dear ImGui context (no window,
// no GL): the app over a runs folder with finished, running, failed and
// unreadable runs, an opened experiment, selections, filters and the plot
// widget's mouse handling (hover, click to select, drag to zoom, double-click to
// reset), and the state that persists between launches.
#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include "context_points_fixture.h"
#include "experiments/results.h"
#include "gui/model/workbench.h"
#include "gui/ui/app.h"
#include "gui/ui/panels.h"
#include "gui/ui/plot_widget.h"
#include "run_fixtures.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::gui;
namespace fs = std::filesystem;

namespace {

// test::finished_run with three epochs of curves (the Live panel draws them).
exp::RunRecord run(const std::string& id, double acc, int64_t params, const std::string& technique) {
  exp::RunRecord r = test::finished_run("har", id, acc, params, technique);
  r.result.epochs.clear();
  for (int e = 1; e <= 3; ++e) {
    train::EpochMetrics m;
    m.epoch = e;
    m.train_loss = 1.0 / e;
    m.val_loss = 1.2 / e;
    m.train_accuracy = 0.5 + 0.1 * e;
    m.val_accuracy = 0.45 + 0.1 * e;
    r.result.epochs.push_back(m);
  }
  r.resources.layers[0].activation_bytes = 40;
  r.graph[0].inputs = {"input"};
  if (technique == "deepiot") {  // what a DeepIoT stage records: traces the Live panel replays
    compress::StageRecord st;
    st.type = "deepiot";
    st.metrics = {{"params_before", 2.0 * double(params)}, {"params", double(params)}, {"threshold", 0.5}};
    st.info = {{"groups", "fc"}};
    compress::Table trace;
    trace.columns = {"iteration", "threshold", "size_fraction", "val_accuracy", "mean_keep.fc"};
    compress::Table keep;
    keep.columns = {"iteration", "threshold"};
    for (int u = 0; u < 10; ++u) keep.columns.push_back("p" + std::to_string(u));
    for (int it = 0; it < 20; ++it) {
      trace.rows.push_back({double(it), 0.1 + 0.02 * it, 1.0 - 0.02 * it, 0.9, 0.8 - 0.01 * it});
      std::vector<double> row = {double(it), 0.1 + 0.02 * it};
      for (int u = 0; u < 10; ++u) row.push_back(std::min(1.0, 0.05 * u + 0.01 * it));
      keep.rows.push_back(row);
    }
    compress::Table kept;
    kept.columns = {"units", "kept", "kept_fraction"};
    kept.rows = {{double(params / 5), double(params / 10), 0.5}};
    kept.row_labels = {"fc"};
    st.tables = {{"trace", trace}, {"keep_probabilities.fc", keep}, {"kept_units", kept}};
    r.stages = {st};
  }
  return r;
}

// A headless ImGui context: a display size, a built font atlas, no backend.
class Headless {
 public:
  explicit Headless(ImVec2 display = ImVec2(1400, 860)) {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = display;
    io.DeltaTime = 1.0f / 60;
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
  }
  ~Headless() { ImGui::DestroyContext(ctx_); }
  // One frame of the app with the mouse at `mouse` (button 0 down or not).
  void frame(App& app, ImVec2 mouse = ImVec2(-1, -1), bool down = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = mouse;
    io.MouseDown[0] = down;
    ImGui::NewFrame();
    app.frame();
    ImGui::Render();
    ASSERT_NE(ImGui::GetDrawData(), nullptr);
    vertices += ImGui::GetDrawData()->TotalVtxCount;
  }
  long vertices = 0;

 private:
  ImGuiContext* ctx_;
};

struct Fixture {
  test::TempDir tmp;
  WorkbenchPaths paths;
  Fixture() {
    exp::write_results(run("p00", 0.80, 1000, "float"), tmp / "runs" / "har" / "p00" / "results.h5");
    exp::write_results(run("p01", 0.90, 5000, "deepiot"), tmp / "runs" / "har" / "p01" / "results.h5");
    exp::write_results(run("p02", 0.60, 300, "fixed8"), tmp / "runs" / "har" / "p02" / "results.h5");
    test::write_text(tmp / "runs" / "har" / "live" / "status", "running\n");
    test::write_text(tmp / "runs" / "har" / "live" / "curves.csv",
                     "epoch,train_loss,train_accuracy,val_loss,val_accuracy\n1,0.9,0.5,1.0,0.4\n2,0.7,0.6,0.9,0.5\n");
    test::write_text(tmp / "runs" / "har" / "crashed" / "status", "failed: killed by signal 11\n");
    test::write_text(tmp / "runs" / "har" / "crashed" / "log.txt", "epoch 1 ...\nSegmentation fault\n");
    test::write_text(tmp / "runs" / "har" / "broken" / "results.h5", "not hdf5");
    test::write_text(tmp / "experiments" / "quick.toml",
                     "[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n[train]\nepochs = 2\n");
    paths.runs_root = tmp / "runs";
    paths.experiments_dir = tmp / "experiments";
    paths.slimlab_exe = tmp / "bin" / "slimlab";
    paths.slimrt_run_exe = tmp / "bin" / "slimrt-run";
    paths.config_dir = tmp / "config";
  }
};

// A headless context and an app over a scanned workbench, its saved state loaded.
struct Session {
  Headless h;
  Workbench wb;
  App app;
  explicit Session(const WorkbenchPaths& paths) : wb(paths, /*background_scan=*/false), app((wb.rescan_now(), wb)) {
    app.load_state();
  }
};

}  // namespace

TEST(GuiPanels, EveryPanelDrawsForSeveralFramesWithoutAWindow) {
  Fixture f;
  Headless h;
  Workbench wb(f.paths, /*background_scan=*/false);
  wb.rescan_now();
  ASSERT_EQ(wb.table().runs().size(), 6u);
  App app(wb);
  app.load_state();
  ASSERT_EQ(app.panels().size(), 9u);
  EXPECT_FALSE(app.panel("new_experiment")->open);  // shown by File → New experiment
  EXPECT_FALSE(app.panel("compare")->open);         // and by View → Compare
  EXPECT_FALSE(app.panel("context")->open);         // and by View → Context simulation
  for (const char* id :
       {"experiments", "runs", "live", "tradeoff", "structure", "deploy", "new_experiment", "compare", "context"})
    EXPECT_NE(app.panel(id), nullptr) << id;
  wb.form().open(f.paths.experiments_dir / "quick.toml");
  // No selection, then each kind of run selected: finished, running, failed, unreadable.
  for (const char* sel : {"", "har/p01", "har/live", "har/crashed", "har/broken", "har/p00"}) {
    wb.table().select(sel);
    for (int i = 0; i < 3; ++i) h.frame(app);
  }
  EXPECT_GT(h.vertices, 10000);
  // File → New experiment: inspected data, its class chart, a stage with its keys.
  auto* ne = static_cast<NewExperimentPanel*>(app.panel("new_experiment"));
  ne->start_new();
  h.frame(app);
  wb.new_experiment().set_source("synthetic:vision");
  wb.new_experiment().set("dataset.synthetic_scale", "0.05");
  ASSERT_TRUE(wb.new_experiment().inspect_now()) << wb.new_experiment().inspect_error();
  wb.new_experiment().add_stage("fixed_point");
  for (int i = 0; i < 3; ++i) h.frame(app);
  EXPECT_GT(ne->chart().width(), 50);
  EXPECT_GT(ne->chart().height(), 20);
  // Compare: a plain and a DeepIoT run side by side.
  auto* cmp = static_cast<ComparePanel*>(app.panel("compare"));
  cmp->open = true;
  cmp->set().toggle("har/p00");
  cmp->set().toggle("har/p01");
  for (int i = 0; i < 3; ++i) h.frame(app);
  // The DeepIoT run's stage tables reach the Live panel (replay) and the Structure panel.
  const exp::RunRecord* deepiot = wb.table().find("har/p01");
  ASSERT_TRUE(deepiot);
  ASSERT_EQ(deepiot->stages.size(), 1u);
  const auto traces = stage_traces(*deepiot);
  ASSERT_EQ(traces.size(), 3u);
  wb.table().select("har/p01");
  for (int i = 0; i < 3; ++i) h.frame(app);
  // Filters and sorting on the table the panels read.
  wb.table().set_filter(RunFilter{"", "finished", "", ""});
  wb.table().set_sort("test_accuracy", false);
  for (int i = 0; i < 3; ++i) h.frame(app);
  EXPECT_EQ(app.tradeoff()->tradeoff().x.size(), 3u);
  // Closed panels are not drawn, and come back.
  for (auto& p : app.panels()) p->open = false;
  h.frame(app);
  for (auto& p : app.panels()) p->open = true;
  h.frame(app);
}

TEST(GuiPanels, ClickOnAPlotPointSelectsTheRunAndDragZooms) {
  Fixture f;
  Session s(f.paths);
  auto& [h, wb, app] = s;
  wb.table().select("");
  for (int i = 0; i < 3; ++i) h.frame(app);  // lay out the windows
  TradeoffPanel* t = app.tradeoff();
  const PlotModel& m = t->plot();
  ASSERT_EQ(t->tradeoff().x.size(), 3u);
  // The pixel of run p01 (5000 params, 90%) in the plot's own mapping.
  const auto idx = wb.table().index_of("har/p01");
  ASSERT_TRUE(idx);
  const float px = m.px(5000), py = m.py(0.90);
  ASSERT_TRUE(t->widget().frame().contains(px, py));
  h.frame(app, ImVec2(px, py), false);  // hover
  h.frame(app, ImVec2(px, py), true);   // press
  h.frame(app, ImVec2(px, py), false);  // release: a click
  EXPECT_EQ(wb.table().selected_key(), "har/p01");
  h.frame(app);  // the next frame rings the selected point
  ASSERT_TRUE(m.highlighted_id);
  EXPECT_EQ(*m.highlighted_id, int(*idx));

  // Drag a rectangle around the two smaller runs: the view zooms to them.
  const float ax = m.px(300) - 12, ay = m.py(0.80) - 12, bx = m.px(1000) + 12, by = m.py(0.60) + 12;
  h.frame(app, ImVec2(ax, ay), false);
  h.frame(app, ImVec2(ax, ay), true);
  h.frame(app, ImVec2((ax + bx) / 2, (ay + by) / 2), true);
  h.frame(app, ImVec2(bx, by), true);
  h.frame(app, ImVec2(bx, by), false);
  EXPECT_TRUE(m.zoomed());
  EXPECT_FALSE(t->widget().frame().contains(m.px(5000), m.py(0.90)));
  EXPECT_EQ(wb.table().selected_key(), "har/p01");  // a drag is not a click
  // Double-click resets the view.
  const float cx = (t->widget().frame().x0 + t->widget().frame().x1) / 2, cy = t->widget().frame().y0 + 5;
  h.frame(app, ImVec2(cx, cy), false);
  h.frame(app, ImVec2(cx, cy), true);
  h.frame(app, ImVec2(cx, cy), false);
  h.frame(app, ImVec2(cx, cy), true);
  h.frame(app, ImVec2(cx, cy), false);
  EXPECT_FALSE(m.zoomed());
}

TEST(GuiPanels, OpenPanelsSelectionAndSettingsPersist) {
  Fixture f;
  {
    Session s(f.paths);
    auto& [h, wb, app] = s;
    app.panel("structure")->open = false;
    wb.table().select("har/p02");
    app.tradeoff()->options().x = "macs";
    app.tradeoff()->options().log_x = false;
    wb.table().set_sort("params", false);
    h.frame(app);
    app.save_state(true);
  }
  ASSERT_TRUE(fs::exists(f.paths.config_dir / "gui-state.ini"));
  Session s(f.paths);
  auto& [h, wb, app] = s;
  EXPECT_FALSE(app.panel("structure")->open);
  EXPECT_TRUE(app.panel("live")->open);
  EXPECT_EQ(wb.table().selected_key(), "har/p02");
  EXPECT_EQ(app.tradeoff()->options().x, "macs");
  EXPECT_FALSE(app.tradeoff()->options().log_x);
  h.frame(app);
  EXPECT_EQ(app.tradeoff()->plot().x.scale, AxisScale::kLinear);
  // The runs table keeps the restored sort (the ImGui table does not reset it).
  EXPECT_EQ(wb.table().sort_column(), "params");
  EXPECT_FALSE(wb.table().sort_ascending());
}

// The first-launch layout at 1280×800 (and scaled up): the six panels open by default
// tile the window below the menu bar — every one inside it, none over another, none
// too small for its content — and the two on-demand windows fit too.
TEST(GuiPanels, TheDefaultLayoutTilesA1280x800Window) {
  for (const ImVec2 display : {ImVec2(1280, 800), ImVec2(1920, 1080)}) {
    Fixture f;
    Headless h(display);
    Workbench wb(f.paths, /*background_scan=*/false);
    wb.rescan_now();
    App app(wb);
    app.load_state();
    for (int i = 0; i < 3; ++i) h.frame(app);
    std::vector<const Panel*> shown;
    double area = 0;
    for (const auto& p : app.panels()) {
      if (!p->open) continue;
      shown.push_back(p.get());
      const Rect& r = p->rect();
      EXPECT_GE(r.x0, -0.5f) << p->id();
      EXPECT_GE(r.y0, 15.0f) << p->id() << ": under the menu bar";
      EXPECT_LE(r.x1, display.x + 0.5f) << p->id();
      EXPECT_LE(r.y1, display.y + 0.5f) << p->id();
      EXPECT_GE(r.width(), 340) << p->id();
      EXPECT_GE(r.height(), 220) << p->id();
      area += double(r.width()) * r.height();
    }
    ASSERT_EQ(shown.size(), 6u);
    for (size_t i = 0; i < shown.size(); ++i)
      for (size_t j = i + 1; j < shown.size(); ++j) {
        const Rect &a = shown[i]->rect(), &b = shown[j]->rect();
        const float ox = std::min(a.x1, b.x1) - std::max(a.x0, b.x0), oy = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
        EXPECT_FALSE(ox > 1 && oy > 1) << shown[i]->id() << " overlaps " << shown[j]->id();
      }
    // Together they fill the window below the menu.
    EXPECT_GT(area, 0.95 * display.x * (display.y - 25));
    for (const char* id : {"new_experiment", "compare", "context"}) {
      Panel* p = app.panel(id);
      p->open = true;
      h.frame(app);
      EXPECT_LE(p->rect().x1, display.x + 0.5f) << id;
      EXPECT_LE(p->rect().y1, display.y + 0.5f) << id;
      p->open = false;
    }
  }
}

namespace {
// Frames (the GUI's polling of its children) until the run's simulation has ended.
const ContextSim* simulate(Session& s, ContextPanel* p, bool export_first) {
  const exp::RunRecord* r = s.wb.table().selected();
  std::string why;
  EXPECT_GT(s.wb.context().request(run_key(*r), r->dir, p->options(), export_first, &why), 0) << why;
  const ContextSim* sim = s.wb.context().latest_for(run_key(*r));
  for (int i = 0; i < 3000 && !sim->done(); ++i) {
    s.h.frame(s.app);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  for (int i = 0; i < 3; ++i) s.h.frame(s.app);
  return sim;
}
}  // namespace

// View → Context simulation over a finished simulation (a stand-in slimlab that exports
// the points, then writes simulate-context's CSVs): the summary table as the CLI prints
// it, the best fixed point within the adaptive energy, the four plots drawn; then a bad
// trace file: the child's error is shown, no table; the panel's settings persist.
TEST(GuiPanels, ContextPanelShowsASimulationAndAFailedChildsError) {
  Fixture f;
  test::write_fake_simulate(f.paths.slimlab_exe);
  {
    Session s(f.paths);
    auto* p = static_cast<ContextPanel*>(s.app.panel("context"));
    ASSERT_TRUE(p);
    p->open = true;
    s.wb.table().select("har/p00");
    for (int i = 0; i < 3; ++i) s.h.frame(s.app);
    EXPECT_TRUE(p->table().empty());
    const ContextSim* sim = simulate(s, p, /*export_first=*/true);
    ASSERT_EQ(sim->step, "done") << sim->message;
    EXPECT_EQ(p->error(), "");
    const std::vector<std::vector<std::string>> table = {{"adaptive", "0.6000", "10.0", "2.000", "5"},
                                                         {"fixed w25", "0.4000", "5.0", "1.000", "2"},
                                                         {"fixed w50", "0.6000", "10.0", "2.000", "2"},
                                                         {"fixed w100", "0.8000", "20.0", "4.000", "1"}};
    EXPECT_EQ(p->table(), table);
    EXPECT_EQ(p->best_row(), 2);
    EXPECT_EQ(p->plot(0).series[0].y, (std::vector<double>{4, 3.25, 2.5, 1.75, 0.5}));  // the budget
    EXPECT_EQ(p->plot(1).series[0].y, (std::vector<double>{2, 1, 1, 0, 0}));            // the chosen point
    EXPECT_EQ(p->plot(3).series[0].y, (std::vector<double>{4, 6, 8, 9, 10}));           // cumulative energy
    EXPECT_EQ(p->plot(2).series.size(), 4u);  // running accuracy and the three fixed points
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_GT(p->widget(i).frame().width(), 100) << i;
      EXPECT_GT(p->widget(i).frame().height(), 60) << i;
      EXPECT_TRUE(p->rect().contains(p->widget(i).frame().x1 - 1, p->widget(i).frame().y1 - 1)) << i;
    }
    p->options().trace = "file";
    p->options().trace_file = f.tmp / "bad-trace.csv";
    test::write_text(p->options().trace_file, "level\n1.5\n");
    p->options().planner = "rate";
    sim = simulate(s, p, false);
    ASSERT_EQ(sim->step, "failed");
    EXPECT_NE(p->error().find("bad-trace.csv:3: level '1.5' is not a level in [0, 1]"), std::string::npos)
        << p->error();
    EXPECT_TRUE(p->table().empty());  // what is shown is the failure, not the last table
    s.app.save_state(true);
  }
  Session s(f.paths);
  auto* p = static_cast<ContextPanel*>(s.app.panel("context"));
  EXPECT_TRUE(p->open);
  EXPECT_EQ(p->options().trace, "file");
  EXPECT_EQ(p->options().planner, "rate");
  EXPECT_EQ(p->options().trace_file, f.tmp / "bad-trace.csv");
}
