// slimlab export <run> --operating-points widths|all: see export_points.h.
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <stdexcept>

#include "cli/export_points.h"
#include "slimrt/writer.h"
#include "train/graph_io.h"

namespace slimlab::cli {

namespace fs = std::filesystem;

namespace {

// The stage's "widths" table: width → test accuracy.
double stage_accuracy(const exp::RunRecord* record, size_t stage, double width) {
  if (!record || stage >= record->stages.size()) return -1;
  const auto& tables = record->stages[stage].tables;
  const auto it = tables.find("widths");
  if (it == tables.end()) return -1;
  const compress::Table& t = it->second;
  size_t wc = t.columns.size(), ac = t.columns.size();
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c] == "width") wc = c;
    if (t.columns[c] == "test_accuracy") ac = c;
  }
  if (wc == t.columns.size() || ac == t.columns.size()) return -1;
  for (const auto& row : t.rows)
    if (std::abs(row[wc] - width) < 1e-9) return row[ac];
  return -1;
}

}  // namespace

std::vector<deploy::PointInput> slimmable_points(const fs::path& run_dir, const exp::RunRecord* record) {
  const fs::path stages = run_dir / "stages";
  if (fs::is_directory(stages))
    for (const auto& e : fs::directory_iterator(stages)) {
      const std::string name = e.path().filename().string();
      const size_t dash = name.find('-');
      if (!e.is_directory() || dash == std::string::npos || name.substr(dash + 1) != "slimmable") continue;
      const size_t stage = size_t(std::strtoul(name.c_str(), nullptr, 10));
      std::vector<deploy::PointInput> out;
      for (const auto& w : fs::directory_iterator(e.path())) {
        const std::string wn = w.path().filename().string();
        if (wn.rfind("width_", 0) != 0 || !fs::exists(w.path() / "model.h5")) continue;
        deploy::PointInput p;
        p.name = wn;
        p.width = std::strtod(wn.c_str() + 6, nullptr);
        p.graph = ir::read_graph_h5(w.path() / "model.h5");
        p.accuracy = stage_accuracy(record, stage, p.width);
        out.push_back(std::move(p));
      }
      std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.width < b.width; });
      if (!out.empty()) return out;
    }
  throw std::runtime_error(stages.string() + ": no slimmable stage with width_<w>/model.h5 folders (train a run with "
                           "a [[stage]] type = \"slimmable\", e.g. experiments/fsdd_dnn_slimmable.toml)");
}

deploy::PointsExport export_operating_points(const PointsRequest& r) {
  if (r.mode != "widths" && r.mode != "all")
    throw std::invalid_argument("--operating-points: '" + r.mode + "' is not widths or all");
  const std::vector<deploy::PointInput> widths = slimmable_points(r.run_dir, r.record);
  std::vector<deploy::PointInput> points;
  const std::vector<deploy::ExportPrecision> precisions =
      r.mode == "all" ? std::vector<deploy::ExportPrecision>{deploy::ExportPrecision::kFp32, deploy::ExportPrecision::kInt8}
                      : std::vector<deploy::ExportPrecision>{r.options.precision};
  for (deploy::ExportPrecision p : precisions)
    for (deploy::PointInput w : widths) {
      w.precision = p;
      if (r.mode == "all") w.name += std::string("_") + deploy::to_string(p);
      // The run's accuracy is the float model's: a quantized point is measured here.
      if (p != deploy::ExportPrecision::kFp32) w.accuracy = -1;
      points.push_back(std::move(w));
    }
  deploy::PointsOptions o;
  o.base = r.options;
  o.test = r.test;
  o.latency_runs = r.latency_runs;
  o.transform = r.transform;
  const deploy::PointsExport x = deploy::export_points(points, o);
  slimrt::ModelWriter::write_bytes(r.out.string(), x.bytes);
  std::cout << std::fixed;
  for (const deploy::PointReport& p : x.points) {
    const slimrt::OperatingPoint& i = p.info;
    std::cout << "operating point " << std::left << std::setw(22) << i.name << std::right << " " << std::setw(6)
              << i.precision << "  accuracy " << std::setprecision(4) << i.accuracy;
    if (!std::isnan(p.slimrt_accuracy)) std::cout << " (slimrt " << p.slimrt_accuracy << ")";
    std::cout << "  MACs " << i.macs << "  weights " << i.weight_bytes << " B  energy " << std::setprecision(3)
              << i.energy_uj << " uJ";
    if (i.latency_us >= 0) std::cout << "  latency " << std::setprecision(1) << i.latency_us << " us";
    std::cout << "  (own file " << p.separate_bytes << " B)\n";
  }
  std::cout << "wrote " << r.out.string() << ": " << x.bytes.size() << " bytes with " << x.points.size()
            << " operating points; the separate files take " << x.separate_total << " bytes ("
            << std::setprecision(1) << 100.0 * double(x.bytes.size()) / double(x.separate_total) << "%)\n";
  return x;
}

}  // namespace slimlab::cli
