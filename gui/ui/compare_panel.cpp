// Compare: two or more runs — a curve of each overlaid, their exports' size,
// latency and arena, their per-layer structure side by side (gui/model/compare.h).
#include <imgui.h>

#include <algorithm>

#include "experiments/runs.h"
#include "gui/ui/panels.h"

namespace slimlab::gui {

ComparePanel::ComparePanel(Workbench& wb) : Panel("compare", "Compare", wb, {0.12f, 0.12f, 0.76f, 0.82f}) {}

void ComparePanel::save_state(GuiState& s) const {
  set_.save(s);
  s.set("compare.metric", metric_);
}

void ComparePanel::load_state(const GuiState& s) {
  set_.load(s);
  metric_ = s.get("compare.metric", "val_accuracy");
}

std::vector<const exp::RunRecord*> ComparePanel::picked() const {
  std::vector<const exp::RunRecord*> out;
  for (const std::string& k : set_.keys())
    if (const exp::RunRecord* r = wb_.table().find(k)) out.push_back(r);
  return out;
}

void ComparePanel::draw_picker() {
  ImGui::BeginChild("pick", ImVec2(ImGui::GetContentRegionAvail().x * 0.22f, 0), true);
  ImGui::TextDisabled("runs (Runs filter applies)");
  if (ImGui::SmallButton("Clear")) set_.clear();
  const RunTable& t = wb_.table();
  for (size_t i : t.rows()) {
    const exp::RunRecord& r = t.runs()[i];
    const std::string key = run_key(r);
    bool on = set_.contains(key);
    if (ImGui::Checkbox(key.c_str(), &on)) set_.toggle(key);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s, %s, %s", r.model.c_str(), r.techniques.c_str(), r.status.c_str());
  }
  ImGui::EndChild();
}

void ComparePanel::draw_content() {
  draw_picker();
  ImGui::SameLine();
  ImGui::BeginChild("compare");
  const auto runs = picked();
  if (runs.size() < 2) {
    ImGui::TextDisabled("Tick two or more runs on the left to compare them.");
    ImGui::EndChild();
    return;
  }
  // The curves.
  ImGui::SetNextItemWidth(180);
  if (ImGui::BeginCombo("curve", metric_.c_str())) {
    for (const std::string& m : compare_metrics())
      if (ImGui::Selectable(m.c_str(), m == metric_)) metric_ = m;
    ImGui::EndCombo();
  }
  std::string sig = metric_ + "|" + std::to_string(wb_.runs_version());
  for (const std::string& k : set_.keys()) sig += "|" + k;
  if (sig != built_) {  // refit only when the runs or the metric change (keeps a zoom)
    built_ = sig;
    fill_compare_plot(plot_, runs, metric_);
  }
  widget_.legend_inside = true;
  widget_.draw(plot_, ImVec2(0, std::max(160.0f, ImGui::GetContentRegionAvail().y * 0.45f)));
  // The exports and their cost.
  const auto& cols = compare_columns();
  if (ImGui::BeginTable("exports", int(cols.size()), ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                                         ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit)) {
    for (const std::string& c : cols) ImGui::TableSetupColumn(c.c_str());
    ImGui::TableHeadersRow();
    for (const auto& row : compare_table(runs)) {
      ImGui::TableNextRow();
      for (const std::string& cell : row) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(cell.c_str());
      }
    }
    ImGui::EndTable();
  }
  draw_structure(runs);
  ImGui::EndChild();
}

void ComparePanel::draw_structure(const std::vector<const exp::RunRecord*>& runs) {
  const CompareStructure s = compare_structure(runs);
  const int ncols = 1 + 3 * int(runs.size());
  if (ncols > 64 || !ImGui::BeginTable("layers", ncols,
                                       ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollX |
                                           ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit))
    return;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("layer");
  for (const exp::RunRecord* r : runs) {
    const std::string k = run_key(*r);
    ImGui::TableSetupColumn((k + " units").c_str());
    ImGui::TableSetupColumn("params");
    ImGui::TableSetupColumn("weights");
  }
  ImGui::TableHeadersRow();
  for (size_t i = 0; i < s.layers.size(); ++i) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(s.layers[i].c_str());
    for (const LayerRow& c : s.cells[i]) {
      const bool absent = c.name.empty() || c.removed;
      auto cell = [&](const std::string& text) {
        ImGui::TableNextColumn();
        if (absent) ImGui::TextDisabled("%s", text.c_str());
        else ImGui::TextUnformatted(text.c_str());
      };
      if (absent) {
        cell(c.removed ? "removed" : "-");
        cell("");
        cell("");
        continue;
      }
      std::string units = c.units_after < 0 ? "-" : std::to_string(c.units_after);
      if (c.units_before >= 0 && c.units_before != c.units_after) units = std::to_string(c.units_before) + " > " + units;
      cell(units);
      cell(c.params_after < 0 ? "-" : exp::short_count(double(c.params_after)));
      cell(c.precision);
    }
  }
  ImGui::EndTable();
}

}  // namespace slimlab::gui
