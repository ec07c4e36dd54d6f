#include <algorithm>
#include <cstring>

#include "gui/model/deploy.h"
#include "gui/ui/panels.h"

namespace slimlab::gui {

namespace {

bool combo_of(const char* label, std::string& value, const std::vector<std::string>& options) {
  bool changed = false;
  if (ImGui::BeginCombo(label, value.empty() ? "any" : value.c_str())) {
    if (ImGui::Selectable("any", value.empty())) {
      value.clear();
      changed = true;
    }
    for (const auto& o : options)
      if (ImGui::Selectable(o.c_str(), o == value)) {
        value = o;
        changed = true;
      }
    ImGui::EndCombo();
  }
  return changed;
}

}  // namespace

RunsPanel::RunsPanel(Workbench& wb) : Panel("runs", "Runs", wb, {0.28f, 0.0f, 0.72f, 0.36f}) {}

void RunsPanel::save_state(GuiState& s) const {
  s.set("runs.filter", filter_text_);
  s.set("runs.status", status_);
  s.set("runs.technique", technique_);
  s.set("runs.experiment", experiment_);
  s.set("runs.sort", wb_.table().sort_column());
  s.set_bool("runs.ascending", wb_.table().sort_ascending());
}

void RunsPanel::load_state(const GuiState& s) {
  std::snprintf(filter_text_, sizeof filter_text_, "%s", s.get("runs.filter").c_str());
  status_ = s.get("runs.status");
  technique_ = s.get("runs.technique");
  experiment_ = s.get("runs.experiment");
  wb_.table().set_filter(RunFilter{filter_text_, status_, technique_, experiment_});
  wb_.table().set_sort(s.get("runs.sort", "experiment"), s.get_bool("runs.ascending", true));
}

void RunsPanel::draw_content() {
  RunTable& t = wb_.table();
  bool filter_changed = false;
  ImGui::SetNextItemWidth(180);
  filter_changed |= ImGui::InputTextWithHint("##filter", "filter text", filter_text_, sizeof filter_text_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110);
  filter_changed |= combo_of("status", status_, {"running", "finished", "failed", "cancelled", "unreadable"});
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  filter_changed |= combo_of("technique", technique_, t.distinct("technique"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  filter_changed |= combo_of("experiment", experiment_, t.distinct("experiment"));
  if (filter_changed) t.set_filter(RunFilter{filter_text_, status_, technique_, experiment_});
  ImGui::SameLine();
  ImGui::TextDisabled("%zu of %zu runs", t.rows().size(), t.runs().size());
  ImGui::SameLine();
  if (ImGui::SmallButton("Rescan")) wb_.scanner().request_rescan();

  const auto& cols = run_table_columns();
  const exp::RunRecord* sel = t.selected();
  const float details_h = sel ? 7.5f * ImGui::GetTextLineHeightWithSpacing() : 0;
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_Reorderable | ImGuiTableFlags_Hideable |
                                ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("runs", int(cols.size()), flags, ImVec2(0, -details_h))) {
    ImGui::TableSetupScrollFreeze(3, 1);
    for (size_t c = 0; c < cols.size(); ++c) {
      ImGuiTableColumnFlags cf = ImGuiTableColumnFlags_None;
      if (cols[c].id == t.sort_column())  // the restored sort order is the table's first one
        cf |= ImGuiTableColumnFlags_DefaultSort |
              (t.sort_ascending() ? ImGuiTableColumnFlags_PreferSortAscending : ImGuiTableColumnFlags_PreferSortDescending);
      if (cols[c].id == "train_seconds" || cols[c].id == "val_accuracy" || cols[c].id.rfind("macs_", 0) == 0)
        cf |= ImGuiTableColumnFlags_DefaultHide;  // shown from the header's context menu
      ImGui::TableSetupColumn(cols[c].label.c_str(), cf, 0, ImGuiID(c));
    }
    ImGui::TableHeadersRow();
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs())
      if (specs->SpecsDirty && specs->SpecsCount > 0) {
        const auto& s = specs->Specs[0];
        if (size_t(s.ColumnUserID) < cols.size())
          t.set_sort(cols[s.ColumnUserID].id, s.SortDirection != ImGuiSortDirection_Descending);
        specs->SpecsDirty = false;
      }
    const auto& rows = t.rows();
    const auto& runs = t.runs();
    std::string clicked;
    ImGuiListClipper clipper;
    clipper.Begin(int(rows.size()));
    while (clipper.Step()) {
      for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
        const exp::RunRecord& r = runs[rows[size_t(k)]];
        const std::string key = run_key(r);
        ImGui::TableNextRow();
        ImGui::PushID(k);
        for (size_t c = 0; c < cols.size(); ++c) {
          if (!ImGui::TableSetColumnIndex(int(c))) continue;
          const std::string text = cell_text(r, cols[c].id);
          if (c == 0) {
            ImGui::PushStyleColor(ImGuiCol_Text, status_color(r.status));
            if (ImGui::Selectable(text.c_str(), key == t.selected_key(),
                                  ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap))
              clicked = key;
            ImGui::PopStyleColor();
          } else if (cols[c].numeric) {
            const float w = ImGui::CalcTextSize(text.c_str()).x;
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, ImGui::GetColumnWidth() - w));
            ImGui::TextUnformatted(text.c_str());
          } else {
            ImGui::TextUnformatted(text.c_str());
          }
        }
        ImGui::PopID();
      }
    }
    ImGui::EndTable();
    if (!clicked.empty()) t.select(clicked);
  }
  if (sel) draw_details(*sel);
}

void RunsPanel::draw_details(const exp::RunRecord& r) {
  const std::string key = run_key(r);
  ImGui::BeginChild("details", ImVec2(0, 0), true);
  ImGui::TextColored(status_color(r.status), "%s", r.status.c_str());
  ImGui::SameLine();
  ImGui::Text("%s  -  %s, %s, %s", key.c_str(), r.model.c_str(), r.techniques.c_str(), r.dataset_source.c_str());
  if (const Job* j = wb_.job_for_run(r.dir); j && !j->done()) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel run")) wb_.jobs().cancel(j->id);
  } else if ((r.status == "failed" || r.status == "cancelled") && std::filesystem::exists(r.dir / "checkpoints" / "last.pt")) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Resume")) {
      std::string why;
      if (!wb_.resume_run(r, &why)) resume_message_ = why;
    }
  }
  if (!resume_message_.empty()) ImGui::TextDisabled("%s", resume_message_.c_str());
  if (!r.error.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%s", r.error.c_str());
  // The log tail is read when the selection or the run list changes, not every frame.
  if (key != details_key_ || wb_.runs_version() != details_version_) {
    details_key_ = key;
    details_version_ = wb_.runs_version();
    std::string log = read_file_text(r.dir / "log.txt", 16384);
    const std::string console = read_file_text(r.dir / "console.txt", 8192);
    if (!console.empty() && r.status != "finished") log += (log.empty() ? "" : "\n--- console.txt ---\n") + console;
    const std::string tail = tail_lines(log, 40);
    scroll_to_end_ = tail != log_tail_;
    log_tail_ = tail;
  }
  ImGui::TextDisabled("log (%s)", (r.dir / "log.txt").string().c_str());
  ImGui::BeginChild("log");
  ImGui::TextUnformatted(log_tail_.c_str());
  if (scroll_to_end_) ImGui::SetScrollHereY(1.0f);  // follow a growing log
  scroll_to_end_ = false;
  ImGui::EndChild();
  ImGui::EndChild();
}

}  // namespace slimlab::gui
