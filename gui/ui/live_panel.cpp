#include <algorithm>
#include <limits>

#include "gui/ui/panels.h"

namespace slimlab::gui {

LivePanel::LivePanel(Workbench& wb) : Panel("live", "Live", wb, {0.64f, 0.36f, 0.36f, 0.30f}) {}

void LivePanel::draw_content() {
  RunTable& t = wb_.table();
  // The selected run, else the most recently started running one.
  const exp::RunRecord* r = t.selected();
  if (!r) {
    for (const auto& c : t.runs())
      if (c.status == "running" && (!r || c.started > r->started)) r = &c;
  }
  if (!r) {
    ImGui::TextDisabled("Select a run (Runs or Trade-off); a running run shows here live.");
    return;
  }
  const std::string key = run_key(*r);
  if (key != shown_key_ || t.revision() != shown_revision_) {
    if (key != shown_key_) {
      loss_.reset();
      acc_.reset();
      replay_ = std::numeric_limits<int>::max();  // a finished run opens on its final state
      trace_index_ = 0;
      playing_ = false;
    }
    shown_key_ = key;
    shown_revision_ = t.revision();
    fill_loss_plot(loss_, *r);
    fill_accuracy_plot(acc_, *r);
    traces_ = stage_traces(*r);
  }
  ImGui::TextColored(status_color(r->status), "%s", r->status.c_str());
  ImGui::SameLine();
  ImGui::Text("%s - %zu epoch%s", key.c_str(), r->result.epochs.size(), r->result.epochs.size() == 1 ? "" : "s");
  if (!r->result.epochs.empty()) {
    const auto& m = r->result.epochs.back();
    ImGui::SameLine();
    ImGui::TextDisabled("last: val acc %.2f%%, %.0f samples/s", 100 * m.val_accuracy, m.samples_per_second);
  }
  const float trace_h = traces_.empty() ? 0 : ImGui::GetContentRegionAvail().y * 0.45f;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float h = std::max(120.0f, avail.y - trace_h - 4);
  const float w = std::max(120.0f, avail.x / 2 - 4);
  loss_w_.save_base = (wb_.paths().runs_root / r->experiment / r->run_id / "loss").string();
  acc_w_.save_base = (wb_.paths().runs_root / r->experiment / r->run_id / "accuracy").string();
  loss_w_.legend_inside = acc_w_.legend_inside = trace_w_.legend_inside = true;
  loss_w_.draw(loss_, ImVec2(w, h));
  ImGui::SameLine();
  acc_w_.draw(acc_, ImVec2(w, h));

  if (traces_.empty()) return;
  ImGui::SetNextItemWidth(220);
  std::vector<std::string> names;
  for (const auto& tr : traces_) names.push_back(tr.stage + " " + tr.name);
  trace_index_ = std::clamp(trace_index_, 0, int(traces_.size()) - 1);
  if (ImGui::BeginCombo("trace", names[size_t(trace_index_)].c_str())) {
    for (size_t i = 0; i < names.size(); ++i)
      if (ImGui::Selectable(names[i].c_str(), int(i) == trace_index_)) trace_index_ = int(i);
    ImGui::EndCombo();
  }
  const StageTrace& tr = traces_[size_t(trace_index_)];
  const int last = std::max(0, int(tr.rows.size()) - 1);
  replay_ = std::min(replay_, last);
  ImGui::SameLine();
  if (ImGui::SmallButton(playing_ ? "Pause" : "Replay")) {
    playing_ = !playing_;
    if (playing_ && replay_ >= last) replay_ = 0;
  }
  if (playing_) {
    play_clock_ += ImGui::GetIO().DeltaTime;
    while (play_clock_ > 0.05 && replay_ < last) {
      play_clock_ -= 0.05;
      ++replay_;
    }
    if (replay_ >= last) playing_ = false;
  } else if (r->status == "running") {
    replay_ = last;  // follow a live run
  }
  const bool keep = is_keep_table(tr);
  if (!keep) {
    if (visible_.size() != tr.columns.size() || visible_name_ != tr.stage + tr.name) {
      visible_ = default_visible(tr);
      visible_name_ = tr.stage + tr.name;
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("Columns")) ImGui::OpenPopup("columns");
    if (ImGui::BeginPopup("columns")) {
      for (size_t c = 0; c < tr.columns.size(); ++c) {
        bool v = visible_[c];
        if (ImGui::Checkbox(tr.columns[c].c_str(), &v)) visible_[c] = v;
      }
      ImGui::EndPopup();
    }
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderInt("##row", &replay_, 0, last, "row %d");
  if (keep) fill_keep_plot(trace_, tr, size_t(replay_));
  else fill_trace_plot(trace_, tr, size_t(replay_), visible_);
  trace_w_.save_base = (wb_.paths().runs_root / r->experiment / r->run_id / ("trace-" + tr.name)).string();
  trace_w_.draw(trace_, ImVec2(0, 0));
}

}  // namespace slimlab::gui
