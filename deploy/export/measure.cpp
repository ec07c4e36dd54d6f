#include "deploy/export/measure.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "slimrt/runtime.h"

namespace slimlab::deploy {

double test_accuracy(slimrt::Interpreter& in, const data::ArraySet& test, size_t max_samples, int64_t* samples) {
  const size_t per = size_t(in.input(0).numel);
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
  if (samples) *samples = int64_t(n);
  return n ? double(correct) / double(n) : std::numeric_limits<double>::quiet_NaN();
}

std::pair<double, double> time_invoke(slimrt::Interpreter& in, int runs) {
  for (int i = 0; i < std::max(3, runs / 10); ++i) in.invoke();
  std::vector<double> us;
  for (int i = 0; i < std::max(1, runs); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    in.invoke();
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 9 / 10)]};
}

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
  if (test.size() == 0) return m;
  m.accuracy = test_accuracy(in, test, max_samples, &m.samples);
  in.set_input(0, test.sample(0), size_t(in.input(0).numel));
  const auto [median_us, p90_us] = time_invoke(in, latency_runs);
  m.median_ms = median_us / 1000;
  m.p90_ms = p90_us / 1000;
  return m;
}

}  // namespace slimlab::deploy
