#include "gui/ui/panels.h"

namespace slimlab::gui {

namespace {

std::string num(int64_t v) { return v < 0 ? "-" : std::to_string(v); }

std::string before_after(int64_t b, int64_t a) {
  if (b < 0) return num(a);
  if (a < 0) return num(b) + " -> removed";
  if (a == b) return num(a);
  return num(b) + " -> " + num(a);
}

}  // namespace

StructurePanel::StructurePanel(Workbench& wb) : Panel("structure", "Structure", wb, {0.64f, 0.66f, 0.36f, 0.34f}) {}

void StructurePanel::draw_content() {
  RunTable& t = wb_.table();
  const exp::RunRecord* r = t.selected();
  if (!r) {
    ImGui::TextDisabled("Select a run to see its layers.");
    return;
  }
  const std::optional<exp::RunRecord> own = own_base_run(*r);
  const exp::RunRecord* base = base_key_.empty() ? (own ? &*own : nullptr) : t.find(base_key_);
  ImGui::Text("%s (%s)", run_key(*r).c_str(), r->techniques.c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(220);
  const std::string label = base ? "before: " + run_key(*base) : std::string("before: (none)");
  if (ImGui::BeginCombo("##base", label.c_str())) {
    if (ImGui::Selectable("this run before its stages", base_key_.empty())) base_key_.clear();
    for (const auto& c : t.runs())
      if (&c != r && c.model == r->model && !c.graph.empty())
        if (ImGui::Selectable(run_key(c).c_str(), run_key(c) == base_key_)) base_key_ = run_key(c);
    ImGui::EndCombo();
  }
  const auto rows = structure_rows(*r, base);
  if (rows.empty()) {
    ImGui::TextDisabled("No layer structure recorded yet (the run has not finished).");
    return;
  }
  int64_t pb = 0, pa = 0;
  const float table_h = r->stages.empty() ? -ImGui::GetTextLineHeightWithSpacing() : ImGui::GetContentRegionAvail().y * 0.55f;
  if (ImGui::BeginTable("layers", 7, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable |
                                         ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit,
                        ImVec2(0, table_h))) {
    ImGui::TableSetupScrollFreeze(1, 1);
    for (const char* h : {"layer", "kind", "units", "params", "precision", "bytes", "MACs"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const LayerRow& l : rows) {
      ImGui::TableNextRow();
      const bool changed = l.removed || (l.units_before >= 0 && l.units_before != l.units_after) ||
                           (l.params_before >= 0 && l.params_before != l.params_after);
      const ImVec4 c = l.removed ? ImVec4(1, 0.45f, 0.45f, 1) : changed ? ImVec4(1, 0.8f, 0.4f, 1) : ImVec4(0.85f, 0.85f, 0.85f, 1);
      ImGui::TableNextColumn();
      ImGui::TextColored(c, "%s", l.name.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.kind.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.units_after < 0 && l.units_before < 0 ? "" : before_after(l.units_before, l.removed ? -1 : l.units_after).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(before_after(l.params_before, l.removed ? -1 : l.params_after).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(l.precision.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(l.bytes_after).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(l.macs_after).c_str());
      if (l.params_before > 0) pb += l.params_before;
      if (l.params_after > 0 && !l.removed) pa += l.params_after;
    }
    ImGui::EndTable();
  }
  if (base && pb > 0)
    ImGui::Text("parameters %lld -> %lld (%.1f%% kept)", (long long)pb, (long long)pa, 100.0 * double(pa) / double(pb));
  draw_stages(*r);
}

void StructurePanel::draw_stages(const exp::RunRecord& r) {
  for (size_t i = 0; i < r.stages.size(); ++i) {
    const compress::StageRecord& st = r.stages[i];
    ImGui::PushID(int(i));
    if (ImGui::TreeNode("stage", "stage %zu: %s", i, st.type.c_str())) {
      for (const auto& [k, v] : st.metrics) ImGui::Text("%s = %.6g", k.c_str(), v);
      for (const auto& [k, v] : st.info) ImGui::TextWrapped("%s: %s", k.c_str(), v.c_str());
      // Per-layer tables (rows named after layers or groups): kept units, low-rank plans, codebooks.
      for (const auto& [name, t] : st.tables) {
        if (t.row_labels.empty() || t.rows.size() > 500 || t.columns.empty() || t.columns.size() > 16) continue;
        ImGui::TextDisabled("%s", name.c_str());
        if (ImGui::BeginTable(name.c_str(), int(t.columns.size()) + 1,
                              ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit)) {
          ImGui::TableSetupColumn("");
          for (const auto& c : t.columns) ImGui::TableSetupColumn(c.c_str());
          ImGui::TableHeadersRow();
          for (size_t row = 0; row < t.rows.size(); ++row) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(row < t.row_labels.size() ? t.row_labels[row].c_str() : "");
            for (double v : t.rows[row]) {
              ImGui::TableNextColumn();
              ImGui::Text("%.4g", v);
            }
          }
          ImGui::EndTable();
        }
      }
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
}

}  // namespace slimlab::gui
