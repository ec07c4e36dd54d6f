// slimlab-gui frame time with 1,000 runs loaded (target: under 16 ms a frame).
//
//   bench_gui                         CPU time of one whole UI frame (every panel open,
//                                     NewFrame → App::frame → Render) in a headless
//                                     Dear ImGui context, plus the scanner's idle pass
//   bench_gui --make-runs DIR [N]     writes N synthetic finished runs (results.h5,
//                                     some with DeepIoT stage tables) under DIR, for
//                                     timing the real window:
//                                     xvfb-run -a slimlab-gui --runs DIR --bench-frames 300
//
// The peer is the budget itself: 16.7 ms is one frame at 60 Hz.
#include <benchmark/benchmark.h>
#include <imgui.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>

#include "experiments/results.h"
#include "gui/model/run_store.h"
#include "gui/model/workbench.h"
#include "gui/ui/app.h"
#include "gui/ui/panels.h"

namespace fs = std::filesystem;
using namespace slimlab;
using namespace slimlab::gui;

namespace {

const char* const kTechniques[] = {"float", "deepiot", "fixed8", "binary", "deepiot+fixed8", "lowrank"};
const char* const kModels[] = {"deepsense", "cnn1d", "lenet5", "audio_cnn"};

exp::RunRecord synthetic_run(int i, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  exp::RunRecord r;
  r.experiment = "bench" + std::to_string(i / 100);
  char id[32];
  std::snprintf(id, sizeof id, "p%04d", i);
  r.run_id = id;
  r.status = i % 50 == 7 ? "failed" : "finished";
  r.error = r.status == "failed" ? "diverged" : "";
  r.dataset_source = "synthetic:har";
  r.model = kModels[i % 4];
  r.techniques = kTechniques[i % 6];
  r.num_classes = 6;
  r.class_names = {"a", "b", "c", "d", "e", "f"};
  for (int e = 1; e <= 20; ++e) {
    train::EpochMetrics m;
    m.epoch = e;
    m.train_loss = 2.0 / e;
    m.val_loss = 2.2 / e;
    m.train_accuracy = 1 - 0.5 / e;
    m.val_accuracy = 1 - 0.6 / e;
    r.result.epochs.push_back(m);
  }
  r.result.val.num_classes = r.result.test.num_classes = 6;
  r.result.val.confusion = r.result.test.confusion = std::vector<int64_t>(36, 1);
  const double params = std::pow(10.0, 3 + 3 * u(rng));
  r.result.test.accuracy = 0.5 + 0.45 * (std::log10(params) - 3) / 3 * (0.8 + 0.2 * u(rng));
  for (int l = 0; l < 8; ++l) {
    train::LayerResources lr{"layer" + std::to_string(l), l % 2 ? "relu" : "conv1d", "fp32", {64, 32},
                             int64_t(params / 8), int64_t(params / 2), int64_t(params * 20), 8192};
    r.resources.layers.push_back(lr);
    r.graph.push_back(exp::LayerSummary{lr.name, lr.kind, {}, lr.output_shape, lr.params, lr.precision});
  }
  r.resources.params = int64_t(params);
  r.resources.bytes = int64_t(params * 4);
  r.resources.macs = int64_t(params * 150);
  r.resources.energy_pj = params * 150 * 3.7;
  if (i % 3 == 0) r.latency_ms = params / 1e5;
  if (r.techniques == std::string("deepiot")) {
    compress::StageRecord st;
    st.type = "deepiot";
    compress::Table keep;
    keep.columns = {"iteration", "threshold"};
    for (int k = 0; k < 64; ++k) keep.columns.push_back("p" + std::to_string(k));
    for (int it = 0; it < 100; ++it) {
      std::vector<double> row = {double(it), 0.005 * it};
      for (int k = 0; k < 64; ++k) row.push_back(u(rng));
      keep.rows.push_back(row);
    }
    st.tables["keep_probabilities.layer0"] = keep;
    r.stages.push_back(st);
  }
  return r;
}

std::shared_ptr<RunList> synthetic_runs(int n) {
  std::mt19937 rng(42);
  auto runs = std::make_shared<RunList>();
  for (int i = 0; i < n; ++i) runs->push_back(synthetic_run(i, rng));
  return runs;
}

struct HeadlessApp {
  ImGuiContext* ctx;
  std::unique_ptr<Workbench> wb;
  std::unique_ptr<App> app;
  explicit HeadlessApp(int runs, const std::string& select) {
    ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1400, 860);
    io.DeltaTime = 1.0f / 60;
    unsigned char* px;
    int w, h;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
    WorkbenchPaths p;
    p.runs_root = "/nonexistent/slimlab-bench-runs";
    p.experiments_dir = "experiments";
    p.config_dir = fs::temp_directory_path() / "slimlab-bench-gui-config";
    wb = std::make_unique<Workbench>(p, /*background_scan=*/false);
    wb->table().set_runs(synthetic_runs(runs));  // as if scanned; update() keeps it (no scan ran)
    app = std::make_unique<App>(*wb);
    wb->table().select(select);
    for (int i = 0; i < 5; ++i) frame();
  }
  ~HeadlessApp() {
    app.reset();
    wb.reset();
    ImGui::DestroyContext(ctx);
  }
  void frame() {
    ImGui::NewFrame();
    app->frame();
    ImGui::Render();
  }
};

// Every panel open; the selected run is a DeepIoT one (Live shows its keep-probabilities).
void BM_GuiFrame(benchmark::State& state) {
  HeadlessApp h(int(state.range(0)), "bench0/p0001");
  for (auto _ : state) h.frame();
  state.counters["runs"] = double(h.wb->table().runs().size());
  state.counters["vertices"] = double(ImGui::GetDrawData()->TotalVtxCount);
}
BENCHMARK(BM_GuiFrame)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// The worst frame: the run list changed (a rescan), so the table re-sorts and the
// trade-off points and Pareto front are rebuilt.
void BM_GuiFrameAfterRescan(benchmark::State& state) {
  HeadlessApp h(int(state.range(0)), "bench0/p0001");
  h.wb->table().set_sort("params", false);
  auto runs = synthetic_runs(int(state.range(0)));
  for (auto _ : state) {
    h.wb->table().set_runs(runs);
    h.frame();
  }
}
BENCHMARK(BM_GuiFrameAfterRescan)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--make-runs") == 0) {
    const fs::path root = argv[2];
    const int n = argc >= 4 ? std::atoi(argv[3]) : 1000;
    std::mt19937 rng(42);
    for (int i = 0; i < n; ++i) {
      const exp::RunRecord r = synthetic_run(i, rng);
      exp::write_results(r, root / r.experiment / r.run_id / "results.h5");
    }
    std::cout << "wrote " << n << " runs under " << root << "\n";
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
