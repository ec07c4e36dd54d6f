#include "deploy/export/measure.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "slimrt/runtime.h"

namespace slimlab::deploy {

ExportMeasurement export_and_measure(const ir::Graph& graph, const ExportOptions& options,
                                     const std::filesystem::path& out, const data::ArraySet& test, int latency_runs,
                                     size_t max_samples) {
  const ExportResult r = export_graph_file(graph, options, out);
  auto model = slimrt::Model::from_file(out.string());
  slimrt::Interpreter in(model);
  ExportMeasurement m;
  m.ops = r.ops;
  m.quantized_at_export = r.quantized_at_export;
  m.notes = r.notes;
  m.file_bytes = int64_t(r.bytes.size());
  m.arena_bytes = int64_t(in.arena_bytes());
  m.arena_lower_bound = int64_t(in.arena_lower_bound());
  const size_t per = size_t(in.input(0).numel);
  if (test.size() == 0) return m;
  if (size_t(test.sample_numel()) != per)
    throw std::invalid_argument("export_and_measure: test samples have " + std::to_string(test.sample_numel()) +
                                " values, the model's input takes " + std::to_string(per));
  std::vector<float> y(size_t(in.output(0).numel));
  const size_t n = std::min(test.size(), max_samples);
  size_t correct = 0;
  for (size_t i = 0; i < n; ++i) {
    in.set_input(0, test.sample(i), per);
    in.invoke();
    in.get_output(0, y.data(), y.size());
    const size_t pred = size_t(std::max_element(y.begin(), y.end()) - y.begin());
    correct += pred == size_t(test.labels[i]) ? 1 : 0;
  }
  m.samples = int64_t(n);
  m.accuracy = double(correct) / double(n);
  in.set_input(0, test.sample(0), per);
  for (int i = 0; i < std::max(3, latency_runs / 10); ++i) in.invoke();
  std::vector<double> ms;
  for (int i = 0; i < std::max(1, latency_runs); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    in.invoke();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  m.median_ms = ms[ms.size() / 2];
  m.p90_ms = ms[std::min(ms.size() - 1, ms.size() * 9 / 10)];
  return m;
}

}  // namespace slimlab::deploy
