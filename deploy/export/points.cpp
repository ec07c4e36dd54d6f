#include "deploy/export/points.h"

#include <algorithm>
#include <memory>
#include <set>
#include <stdexcept>

#include "deploy/export/measure.h"
#include "slimrt/writer.h"
#include "train/resources.h"

namespace slimlab::deploy {

namespace {

struct Exported {
  PointReport report;
  std::vector<uint8_t> bytes;                  // the point's own file (after the transform)
  std::shared_ptr<const slimrt::Model> net;    // the network alone (what the test data feed)
  std::shared_ptr<const slimrt::Model> model;  // the point's own file
};

Exported export_one(const PointInput& p, const PointsOptions& o) {
  ExportOptions eo = o.base;
  eo.precision = p.precision;
  eo.accuracy = p.accuracy;
  ExportResult r;
  try {
    r = export_graph(p.graph, eo);
  } catch (const std::exception& e) {
    throw std::invalid_argument("operating point '" + p.name + "': " + e.what());
  }
  Exported x;
  x.net = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  x.bytes = o.transform ? o.transform(r.bytes) : r.bytes;
  x.model = o.transform ? slimrt::Model::from_memory(x.bytes.data(), x.bytes.size()) : x.net;
  slimrt::OperatingPoint& info = x.report.info;
  info.name = p.name;
  info.width = p.width;
  info.precision = to_string(p.precision);
  info.accuracy = p.accuracy;
  info.macs = x.net->macs();  // the network's (a front end's work is not MACs)
  info.weight_bytes = int64_t(x.net->weight_bytes());
  // The workbench's energy model on the graph the file computes (BN folded, quantized).
  info.energy_uj = train::profile(r.graph).energy_pj * 1e-6;
  x.report.separate_bytes = int64_t(x.bytes.size());
  return x;
}

// The merged file: the dearest point is the model's own graph.
// net: the networks alone, else the points' own files.
std::vector<uint8_t> merge(const std::vector<Exported>& points, bool net) {
  size_t main = 0;
  for (size_t i = 0; i < points.size(); ++i)
    if (points[i].report.info.macs >= points[main].report.info.macs) main = i;
  auto model = [&](size_t i) { return net ? points[i].net : points[i].model; };
  slimrt::ModelWriter w = slimrt::ModelWriter::from_model(*model(main));
  for (size_t i = 0; i < points.size(); ++i)
    w.add_operating_point(points[i].report.info, i == main ? nullptr : model(i));
  return w.finish();
}

}  // namespace

PointsExport export_points(const std::vector<PointInput>& inputs, const PointsOptions& o) {
  if (inputs.empty()) throw std::invalid_argument("export_points: no operating points");
  std::set<std::string> names;
  for (const PointInput& p : inputs)
    if (!names.insert(p.name).second) throw std::invalid_argument("export_points: two points are named '" + p.name + "'");
  std::vector<Exported> points;
  for (const PointInput& p : inputs) points.push_back(export_one(p, o));
  std::stable_sort(points.begin(), points.end(),
                   [](const Exported& a, const Exported& b) { return a.report.info.macs < b.report.info.macs; });
  // Measured in the merged file, point by point (what a device switching points runs).
  {
    const std::vector<uint8_t> first = merge(points, true);
    auto model = slimrt::Model::from_memory(first.data(), first.size());
    slimrt::Interpreter in(model);
    for (size_t i = 0; i < points.size(); ++i) {
      in.set_operating_point(i);
      PointReport& r = points[i].report;
      if (!o.test || o.test->size() == 0) continue;
      r.slimrt_accuracy = test_accuracy(in, *o.test, o.max_samples, nullptr);
      if (r.info.accuracy < 0) r.info.accuracy = r.slimrt_accuracy;
      in.set_input(0, o.test->sample(0), size_t(in.input(0).numel));
      const auto [median, p90] = time_invoke(in, o.latency_runs);
      r.info.latency_us = median;
      r.p90_us = p90;
    }
  }
  PointsExport out;
  out.bytes = merge(points, false);
  slimrt::Model::from_memory(out.bytes.data(), out.bytes.size());  // slimrt's verifier
  for (Exported& p : points) {
    out.points.push_back(p.report);
    out.separate_total += p.report.separate_bytes;
    out.separate.push_back(std::move(p.bytes));
  }
  return out;
}

}  // namespace slimlab::deploy
