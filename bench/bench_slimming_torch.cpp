// Real slimming, measured: parameter count, checkpoint bytes and LibTorch forward
// time at batch 1 of LeNet-5 and DeepSense before and after DeepIoT, structured L1
// pruning and SVD — the structural compressions that really remove weights.
//
//   bench_slimming [--runs N] [--threads T] [--lenet-deepiot model.h5] [--deepsense-deepiot model.h5]
//
// Without a model.h5 of a finished DeepIoT run the DeepIoT rows use the paper's
// LeNet-5 structure (conv1 10/20, conv2 20/50, fc1 10/500) and, for DeepSense, 10% of
// every group's units; with one, its graph (read with train/graph_io.h) is timed.
// Every row is executed by the same GraphModule, so the differences are the
// structure's; the "original" row also times the hand-written model class.
// Forward time: median over N runs after warm-up, single thread by default.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "compress/lowrank/lowrank.h"
#include "compress/prune/prune.h"
#include "compress/surgery.h"
#include "train/graph_io.h"
#include "train/graph_module.h"
#include "train/model.h"
#include "train/model_factory.h"
#include "train/resources.h"

using namespace slimlab;

namespace {

struct Options {
  int runs = 200;
  int threads = 1;
  std::string lenet_deepiot, deepsense_deepiot;
};

double median_forward_ms(train::SlimModelImpl& m, const std::vector<int64_t>& shape, int runs) {
  torch::NoGradGuard no_grad;
  m.eval();
  std::vector<int64_t> s{1};
  s.insert(s.end(), shape.begin(), shape.end());
  const torch::Tensor x = torch::randn(s);
  for (int i = 0; i < 10; ++i) m.forward(x);
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto a = std::chrono::steady_clock::now();
    m.forward(x);
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  }
  std::nth_element(t.begin(), t.begin() + long(t.size() / 2), t.end());
  return t[t.size() / 2];
}

int64_t checkpoint_bytes(const torch::nn::Module& m) {
  const std::filesystem::path f =
      std::filesystem::temp_directory_path() / ("bench_slimming_" + std::to_string(::getpid()) + ".pt");
  torch::serialize::OutputArchive a;
  m.save(a);
  a.save_to(f.string());
  const int64_t n = int64_t(std::filesystem::file_size(f));
  std::filesystem::remove(f);
  return n;
}

void row(const std::string& model, const std::string& variant, const ir::Graph& base, const ir::Graph& g,
         const Options& o) {
  train::GraphModule m(g);
  const double ms = median_forward_ms(*m, g.input_shape, o.runs);
  const int64_t bytes = checkpoint_bytes(*m);
  std::printf("| %s | %s | %lld | %.2f%% | %lld | %lld | %.3f |\n", model.c_str(), variant.c_str(),
              (long long)g.parameter_count(), 100.0 * double(g.parameter_count()) / double(base.parameter_count()),
              (long long)bytes, (long long)train::profile(g).macs, ms);
  std::fflush(stdout);
}

std::map<std::string, std::vector<int64_t>> first_units(const ir::Graph& g, const std::map<std::string, int64_t>& n) {
  std::map<std::string, std::vector<int64_t>> keep;
  for (const auto& [group, k] : n) {
    std::vector<int64_t> v(static_cast<size_t>(k));
    std::iota(v.begin(), v.end(), 0);
    keep[group] = v;
  }
  return keep;
}

ir::Graph l1_half(const ir::Graph& g) {
  std::map<std::string, std::vector<int64_t>> keep;
  for (const ir::PrunableGroup& grp : g.groups)
    keep[grp.name] = compress::prune::l1_kept_units(compress::prune::unit_l1_norms(g, grp), 0.5);
  return compress::prune_units(g, keep);
}

void bench_model(const std::string& name, std::vector<int64_t> shape, int64_t classes, const std::string& deepiot_h5,
                 const Options& o) {
  train::ModelConfig cfg;
  cfg.name = name;
  cfg.input_shape = shape;
  cfg.num_classes = classes;
  torch::manual_seed(1);
  train::SlimModel original = train::make_model(cfg);
  const ir::Graph g = original->graph(/*with_weights=*/true);
  std::printf("| %s | original (model class) | %lld | 100%% | %lld | %lld | %.3f |\n", name.c_str(),
              (long long)g.parameter_count(), (long long)checkpoint_bytes(*original), (long long)train::profile(g).macs,
              median_forward_ms(*original, shape, o.runs));
  row(name, "original (GraphModule)", g, g, o);

  ir::Graph deepiot;
  std::string label;
  if (!deepiot_h5.empty()) {
    deepiot = ir::read_graph_h5(deepiot_h5);
    label = "DeepIoT (" + std::filesystem::path(deepiot_h5).parent_path().filename().string() + ")";
  } else if (name == "lenet5") {
    deepiot = compress::prune_units(g, first_units(g, {{"conv1", 10}, {"conv2", 20}, {"fc1", 10}}));
    label = "DeepIoT structure of the paper (10/20/10)";
  } else {
    std::map<std::string, int64_t> n;
    for (const ir::PrunableGroup& grp : g.groups) n[grp.name] = std::max<int64_t>(1, grp.units / 10);
    deepiot = compress::prune_units(g, first_units(g, n));
    label = "DeepIoT-like structure (10% of every group)";
  }
  row(name, label, g, deepiot, o);
  row(name, "L1 structured, keep 0.5", g, l1_half(g), o);
  std::vector<compress::lowrank::SplitPlan> plan;
  const ir::Graph svd = compress::lowrank::apply_svd(g, compress::lowrank::svd_layers(g, {}), /*rank=*/16, 0, &plan);
  row(name, plan.empty() ? "SVD: no hidden dense layer, unchanged" : "SVD rank 16 (hidden dense layers)", g, svd, o);
  const ir::Graph tucker =
      compress::lowrank::apply_tucker2(g, compress::lowrank::tucker2_layers(g, {}), 0, 0, /*rank_fraction=*/0.5, nullptr);
  row(name, "Tucker-2, ranks 0.5 of the channels (conv layers)", g, tucker, o);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--runs") o.runs = std::stoi(next());
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--lenet-deepiot") o.lenet_deepiot = next();
    else if (a == "--deepsense-deepiot") o.deepsense_deepiot = next();
    else {
      std::fprintf(stderr, "usage: %s [--runs N] [--threads T] [--lenet-deepiot model.h5] [--deepsense-deepiot model.h5]\n",
                   argv[0]);
      return 2;
    }
  }
  torch::set_num_threads(o.threads);
  std::printf("threads %d, median of %d forward passes at batch 1\n\n", o.threads, o.runs);
  std::printf("| model | variant | params | kept | checkpoint bytes | MACs | forward ms |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|\n");
  bench_model("lenet5", {1, 28, 28}, 10, o.lenet_deepiot, o);
  // DeepSense as on HMP (hmp_deepsense.toml): one accelerometer, 20 intervals, 3 axes × 5 bins × re/im.
  bench_model("deepsense", {1, 20, 30}, 14, o.deepsense_deepiot, o);
  return 0;
}
