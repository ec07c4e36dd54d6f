#include "gui/model/compare.h"

#include <algorithm>
#include <cmath>
#include <map>

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

const std::vector<std::string>& compare_columns() {
  static const std::vector<std::string> c = {"run",    "technique",  "precision",   "test_accuracy",
                                             "params", "file_bytes", "latency_ms", "arena_bytes"};
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
      } else {
        row.push_back(cell_text(*r, c));
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace slimlab::gui
