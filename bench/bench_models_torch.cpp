// Whole models at batch 1: slimrt (exported fp32 .slim, best kernels and reference
// kernels) against LibTorch eager inference of the same network, in one process and
// one run, single thread. Prints one line per model: median / p90 latency of each,
// the speedup, file and arena bytes. Commands and figures: docs/BENCHMARKS.md.
//   bench_models [--runs N] [--models deepsense,cnn1d,deepear_dnn,audio_cnn,lenet5,vgg_small]
//                [--save DIR]   (also writes each fp32 export to DIR/<model>.slim)
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "deploy/export/exporter.h"
#include "slimrt/writer.h"
#include "slimrt/runtime.h"
#include "train/model.h"
#include "train/model_factory.h"

namespace {

struct Case {
  std::string model;
  std::vector<int64_t> shape;
  int64_t classes;
};

template <class F>
std::pair<double, double> time_ms(int runs, F&& f) {
  for (int i = 0; i < std::max(5, runs / 10); ++i) f();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 9 / 10)]};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 200;
  std::string only, save;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--models") && i + 1 < argc) only = argv[++i];
    else if (!std::strcmp(argv[i], "--save") && i + 1 < argc) save = argv[++i];
    else {
      std::fprintf(stderr, "bench_models: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  torch::set_num_threads(1);
  const std::vector<Case> cases = {{"deepsense", {1, 20, 30}, 5},   // HMP-like HAR
                                   {"cnn1d", {3, 128}, 5},          // HAR, raw accelerometer
                                   {"deepear_dnn", {1, 40, 101}, 10},  // keyword spotting (FSDD log-mel)
                                   {"audio_cnn", {1, 40, 101}, 10},
                                   {"lenet5", {1, 28, 28}, 10},
                                   {"vgg_small", {3, 32, 32}, 10}};
  std::printf("%-12s %10s %10s %10s %10s %10s %8s %10s %10s\n", "model", "torch_med", "torch_p90", "slimrt_med",
              "slimrt_p90", "ref_med", "speedup", "file_B", "arena_B");
  for (const auto& c : cases) {
    if (!only.empty() && ("," + only + ",").find("," + c.model + ",") == std::string::npos) continue;
    torch::manual_seed(1);
    slimlab::train::ModelConfig cfg;
    cfg.name = c.model;
    cfg.input_shape = c.shape;
    cfg.num_classes = c.classes;
    auto m = slimlab::train::make_model(cfg);
    m->eval();
    const auto exported = slimlab::deploy::export_graph(m->graph(true), {});
    if (!save.empty()) slimrt::ModelWriter::write_bytes(save + "/" + c.model + ".slim", exported.bytes);
    auto model = slimrt::Model::from_memory(exported.bytes.data(), exported.bytes.size());
    slimrt::Interpreter fast(model);
    slimrt::InterpreterOptions ro;
    ro.isa = "ref";
    slimrt::Interpreter ref(model, ro);
    std::vector<int64_t> bshape{1};
    bshape.insert(bshape.end(), c.shape.begin(), c.shape.end());
    const torch::Tensor x = torch::randn(bshape);
    const size_t n = size_t(x.numel());
    torch::NoGradGuard ng;
    const auto t = time_ms(runs, [&] { (void)m->forward(x); });
    fast.set_input(0, x.data_ptr<float>(), n);
    ref.set_input(0, x.data_ptr<float>(), n);
    const auto s = time_ms(runs, [&] { fast.invoke(); });
    const auto r = time_ms(std::max(1, runs / 4), [&] { ref.invoke(); });
    std::printf("%-12s %10.4f %10.4f %10.4f %10.4f %10.4f %7.1fx %10zu %10zu\n", c.model.c_str(), t.first, t.second,
                s.first, s.second, r.first, t.first / s.first, exported.bytes.size(), fast.arena_bytes());
  }
  return 0;
}
