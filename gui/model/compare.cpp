#include "gui/model/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "experiments/runs.h"
#include "gui/model/run_store.h"

namespace slimlab::gui {

bool CompareSet::contains(const std::string& key) const {
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

void CompareSet::toggle(const std::string& key) {
  auto it = std::find(keys_.begin(), keys_.end(), key);
  if (it == keys_.end()) keys_.push_back(key);
  else keys_.erase(it);
}

void CompareSet::save(GuiState& s) const {
  std::string v;
  for (const std::string& k : keys_) v += (v.empty() ? "" : ",") + k;
  s.set("compare.runs", v);
}

void CompareSet::load(const GuiState& s) {
  keys_.clear();
  const std::string v = s.get("compare.runs");
  size_t start = 0;
  while (start < v.size()) {
    const size_t comma = std::min(v.find(',', start), v.size());
    if (comma > start) keys_.push_back(v.substr(start, comma - start));
    start = comma + 1;
  }
}

std::vector<std::string> compare_metrics() {
  std::vector<std::string> out;
  for (const exp::CurveField& f : exp::curve_fields()) out.push_back(f.name);
  return out;
}

void fill_compare_plot(PlotModel& plot, const std::vector<const exp::RunRecord*>& runs, const std::string& metric) {
  plot.title = "";
  plot.x.label = "epoch";
  plot.y.label = metric;
  plot.series.clear();
  const exp::CurveField* field = nullptr;
  for (const exp::CurveField& f : exp::curve_fields())
    if (metric == f.name) field = &f;
  for (size_t i = 0; field && i < runs.size(); ++i) {
    Series s;
    s.name = run_key(*runs[i]);
    s.color = palette_color(i);
    s.line = true;
    s.marker_radius = 2.5f;
    s.pickable = false;
    for (const auto& m : runs[i]->result.epochs) {
      const double v = m.*(field->member);
      if (!std::isfinite(v)) continue;
      s.x.push_back(m.epoch);
      s.y.push_back(v);
      s.ids.push_back(int(i));
    }
    if (!s.x.empty()) plot.series.push_back(std::move(s));
  }
  plot.fit();
}

CompareStructure compare_structure(const std::vector<const exp::RunRecord*>& runs) {
  CompareStructure out;
  std::map<std::string, size_t> row_of;
  std::vector<std::vector<LayerRow>> per_run;
  for (const exp::RunRecord* r : runs) {
    const auto base = own_base_run(*r);
    per_run.push_back(structure_rows(*r, base ? &*base : nullptr));
    for (const LayerRow& l : per_run.back())
      if (row_of.emplace(l.name, out.layers.size()).second) out.layers.push_back(l.name);
  }
  out.cells.assign(out.layers.size(), std::vector<LayerRow>(runs.size()));
  for (size_t j = 0; j < per_run.size(); ++j)
    for (const LayerRow& l : per_run[j]) out.cells[row_of.at(l.name)][j] = l;
  return out;
}

namespace {

// The run's microcontroller exports (`slimlab export --target … --verify` tags
// mcu_<target>_*): "cortex-m3: flash 14.1 KB, ram 2.2 KB, 16/16", one per target.
std::string mcu_text(const exp::RunRecord& r) {
  const std::string suffix = "_flash_bytes";
  std::string out;
  for (const auto& [key, value] : r.tags) {
    if (key.rfind("mcu_", 0) != 0 || key.size() <= suffix.size() + 4 ||
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string p = key.substr(0, key.size() - suffix.size() + 1);  // "mcu_<target>_"
    auto tag = [&](const std::string& k) {
      auto it = r.tags.find(p + k);
      return it == r.tags.end() ? std::string("?") : it->second;
    };
    auto bytes = [&](const std::string& k) {
      const std::string v = tag(k);
      char* end = nullptr;
      const double b = std::strtod(v.c_str(), &end);
      return end && *end == '\0' && !v.empty() ? exp::short_bytes(b) : v;
    };
    if (!out.empty()) out += "; ";
    out += p.substr(4, p.size() - 5) + ": flash " + bytes("flash_bytes") + ", ram " + bytes("ram_bytes") + ", " +
           tag("match");
  }
  return out.empty() ? "-" : out;
}

}  // namespace

const std::vector<std::string>& compare_columns() {
  static const std::vector<std::string> c = {"run",        "technique",   "precision",    "test_accuracy",
                                             "params",     "file_bytes",  "latency_ms",   "arena_bytes",
                                             "microcontroller", "operating_points"};
  return c;
}

std::vector<std::vector<std::string>> compare_table(const std::vector<const exp::RunRecord*>& runs) {
  std::vector<std::vector<std::string>> out;
  for (const exp::RunRecord* r : runs) {
    std::vector<std::string> row;
    for (const std::string& c : compare_columns()) {
      if (c == "run") row.push_back(run_key(*r));
      else if (c == "precision") {
        auto it = r->tags.find("slimrt_precision");
        row.push_back(it == r->tags.end() ? "-" : it->second);
      } else if (c == "microcontroller") {
        row.push_back(mcu_text(*r));
      } else if (c == "operating_points") {
        auto it = r->tags.find("operating_points");
        row.push_back(it == r->tags.end() ? "-" : it->second);
      } else {
        row.push_back(cell_text(*r, c));
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace slimlab::gui
