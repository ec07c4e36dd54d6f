// slimrt operating points (docs/ADAPTIVE.md): batch-1 latency of every point of one
// .slim, the cost of a switch alone, and invokes that switch every time against the
// same invokes at fixed points.
//   SLIMRT_POINTS_MODEL=runs/…/model-points-fp32.slim bench_points   (a file exported by
//     slimlab export --operating-points), or without it a DeepEar-shaped DNN built here
//     (4040 → 256 × 3 → 10, widths 0.05 … 1, random weights). Also the cost of preparing
//     each point's graph as a model of its own (what switching separate files costs).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "slimrt/runtime.h"
#include "slimrt/writer.h"

namespace {

std::vector<float> normal(size_t n, uint32_t seed, float sd) {
  std::mt19937 rng{seed};
  std::normal_distribution<float> nd(0, sd);
  std::vector<float> v(n);
  for (float& x : v) x = nd(rng);
  return v;
}

// The full-width weights sliced to `hidden` units (the first rows / columns), as one model.
std::shared_ptr<const slimrt::Model> dnn(int hidden) {
  constexpr int kIn = 4040, kFull = 256, kOut = 10;
  slimrt::ModelWriter m;
  int x = m.add_tensor("input", slimrt::DType::F32, {kIn});
  m.inputs = {x};
  int in = kIn, stride = kIn;
  for (int l = 0; l < 4; ++l) {
    const int out = l == 3 ? kOut : hidden;
    const std::vector<float> full = normal(size_t((l == 3 ? kOut : kFull) * stride), uint32_t(l + 1), 0.05f);
    std::vector<float> w;
    for (int r = 0; r < out; ++r) w.insert(w.end(), full.begin() + r * stride, full.begin() + r * stride + in);
    const std::string n = "fc" + std::to_string(l);
    const int wt = m.add_f32(n + ".weight", {out, in}, w);
    const std::vector<float> bias = normal(size_t(kFull), uint32_t(l + 10), 0.1f);
    const int bt = m.add_f32(n + ".bias", {out}, std::vector<float>(bias.begin(), bias.begin() + out));
    const int y = m.add_tensor(n, slimrt::DType::F32, {out});
    m.add_op(slimrt::OpType::Dense, n, {x, wt, bt}, {y}).activation = l == 3 ? slimrt::fb::Activation::None
                                                                           : slimrt::fb::Activation::Relu;
    x = y;
    in = out;
    stride = kFull;
  }
  m.outputs = {x};
  const auto bytes = m.finish();
  return slimrt::Model::from_memory(bytes.data(), bytes.size());
}

std::shared_ptr<const slimrt::Model> built_in() {
  const int hidden[] = {13, 26, 64, 128, 256};  // widths 0.05, 0.1, 0.25, 0.5, 1 of 256
  std::vector<std::shared_ptr<const slimrt::Model>> models;
  for (int h : hidden) models.push_back(dnn(h));
  slimrt::ModelWriter w = slimrt::ModelWriter::from_model(*models.back());
  for (size_t i = 0; i < models.size(); ++i) {
    slimrt::OperatingPoint p;
    p.name = "width_" + std::to_string(hidden[i]);
    p.macs = models[i]->macs();
    w.add_operating_point(p, i + 1 == models.size() ? nullptr : models[i]);
  }
  const auto bytes = w.finish();
  return slimrt::Model::from_memory(bytes.data(), bytes.size());
}

struct Fixture {
  std::shared_ptr<const slimrt::Model> model;
  std::unique_ptr<slimrt::Interpreter> in;
  std::vector<float> x;
  Fixture() {
    const char* file = std::getenv("SLIMRT_POINTS_MODEL");
    model = file && *file ? slimrt::Model::from_file(file) : built_in();
    in = std::make_unique<slimrt::Interpreter>(model);
    x = normal(size_t(in->input(0).numel), 7, 1.0f);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void invoke_at(benchmark::State& s, size_t point) {
  Fixture& f = fixture();
  f.in->set_operating_point(point);
  f.in->set_input(0, f.x.data(), f.x.size());
  for (auto _ : s) f.in->invoke();
  s.counters["macs"] = double(f.model->operating_points()[point].macs);
}

void switch_only(benchmark::State& s) {
  Fixture& f = fixture();
  const size_t n = f.model->operating_points().size();
  size_t k = 0;
  for (auto _ : s) {
    f.in->set_operating_point(k);
    k = k + 1 == n ? 0 : k + 1;
    benchmark::ClobberMemory();
  }
}

// Cheapest and dearest point alternately, with a switch before every invoke; compare
// with the mean of the two fixed-point figures.
void alternate(benchmark::State& s) {
  Fixture& f = fixture();
  const size_t last = f.model->operating_points().size() - 1;
  size_t k = 0;
  f.in->set_input(0, f.x.data(), f.x.size());
  for (auto _ : s) {
    f.in->set_operating_point(k);
    f.in->invoke();
    k = k == 0 ? last : 0;
  }
}

// Without points a device switching models prepares the other model's interpreter
// (kernels, packing, arena) — or keeps one interpreter and arena per model.
void prepare_separately(benchmark::State& s, size_t point) {
  Fixture& f = fixture();
  const slimrt::Model* g = f.model->point_graph(point);
  const std::shared_ptr<const slimrt::Model> m = g ? std::shared_ptr<const slimrt::Model>(f.model, g) : f.model;
  size_t arena = 0;
  for (auto _ : s) {
    slimrt::Interpreter in(m);
    arena = in.arena_bytes();
    benchmark::DoNotOptimize(arena);
  }
  s.counters["arena_bytes"] = double(arena);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const auto& points = fixture().model->operating_points();
  for (size_t i = 0; i < points.size(); ++i)
    benchmark::RegisterBenchmark(("point/" + points[i].name).c_str(), [i](benchmark::State& s) { invoke_at(s, i); });
  for (size_t i = 0; i < points.size(); ++i)
    benchmark::RegisterBenchmark(("prepare_separately/" + points[i].name).c_str(),
                                 [i](benchmark::State& s) { prepare_separately(s, i); });
  benchmark::RegisterBenchmark("switch_only", switch_only);
  benchmark::RegisterBenchmark("alternate_cheapest_dearest", alternate);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
