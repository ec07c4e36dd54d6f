#include <cmath>

#include "experiments/runs.h"
#include "gui/ui/panels.h"

namespace slimlab::gui {

namespace {

// Resources for x, metrics for y: the numeric columns of experiments/runs.h (new
// ones, such as energy or bytes by precision, appear here as they are added).
std::vector<std::string> resource_columns() {
  std::vector<std::string> out;
  for (const auto& c : exp::numeric_columns())
    if (c.find("accuracy") == std::string::npos && c.find("f1") == std::string::npos && c != "test_loss" &&
        c != "epochs" && c != "energy" && c != "latency")  // the last two: aliases
      out.push_back(c);
  return out;
}

std::vector<std::string> metric_columns() {
  std::vector<std::string> out;
  for (const auto& c : exp::numeric_columns())
    if (c.find("accuracy") != std::string::npos || c.find("f1") != std::string::npos || c == "test_loss")
      out.push_back(c);
  return out;
}

bool combo(const char* label, std::string& v, const std::vector<std::string>& options) {
  bool changed = false;
  if (ImGui::BeginCombo(label, v.c_str())) {
    for (const auto& o : options)
      if (ImGui::Selectable(o.c_str(), o == v)) {
        changed = v != o;
        v = o;
      }
    ImGui::EndCombo();
  }
  return changed;
}

std::string facts(const exp::RunRecord& r) {
  std::string s = run_key(r) + "\n" + r.model + " | " + r.techniques + " | " + r.status;
  for (const char* c : {"test_accuracy", "val_accuracy", "params", "bytes", "macs", "energy_pj", "latency_ms",
                        "arena_bytes", "file_bytes"}) {
    const std::string v = cell_text(r, c);
    if (v != "-" && v != "?") s += std::string("\n") + c + ": " + v;
  }
  return s;
}

}  // namespace

TradeoffPanel::TradeoffPanel(Workbench& wb) : Panel("tradeoff", "Trade-off", wb, {0.28f, 0.36f, 0.36f, 0.64f}) {}

void TradeoffPanel::save_state(GuiState& s) const {
  s.set("tradeoff.x", options_.x);
  s.set("tradeoff.y", options_.y);
  s.set_bool("tradeoff.log_x", options_.log_x);
  s.set_bool("tradeoff.log_y", options_.log_y);
  s.set("tradeoff.color_by", options_.color_by);
}

void TradeoffPanel::load_state(const GuiState& s) {
  options_.x = s.get("tradeoff.x", options_.x);
  options_.y = s.get("tradeoff.y", options_.y);
  options_.log_x = s.get_bool("tradeoff.log_x", options_.log_x);
  options_.log_y = s.get_bool("tradeoff.log_y", options_.log_y);
  options_.color_by = s.get("tradeoff.color_by", options_.color_by);
  const auto& n = exp::numeric_columns();
  if (std::find(n.begin(), n.end(), options_.x) == n.end()) options_.x = "params";
  if (std::find(n.begin(), n.end(), options_.y) == n.end()) options_.y = "test_accuracy";
  dirty_ = true;
}

void TradeoffPanel::rebuild() {
  const RunTable& t = wb_.table();
  const bool scale_changed = options_.log_x != built_options_.log_x || options_.log_y != built_options_.log_y ||
                             options_.x != built_options_.x || options_.y != built_options_.y;
  tradeoff_ = build_tradeoff(t.runs(), t.rows(), options_);
  if (scale_changed) plot_.reset();
  fill_tradeoff_plot(plot_, tradeoff_, options_);
  built_revision_ = t.revision();
  built_options_ = options_;
  dirty_ = false;
}

void TradeoffPanel::draw_content() {
  ImGui::SetNextItemWidth(150);
  dirty_ |= combo("x", options_.x, resource_columns());
  ImGui::SameLine();
  dirty_ |= ImGui::Checkbox("log x", &options_.log_x);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  dirty_ |= combo("y", options_.y, metric_columns());
  ImGui::SameLine();
  dirty_ |= ImGui::Checkbox("log y", &options_.log_y);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110);
  dirty_ |= combo("colour by", options_.color_by, {"technique", "model", "experiment"});
  if (dirty_ || built_revision_ != wb_.table().revision()) rebuild();

  RunTable& t = wb_.table();
  if (auto i = t.index_of(t.selected_key())) plot_.highlighted_id = int(*i);
  else plot_.highlighted_id.reset();

  ImGui::TextDisabled("%zu runs plotted, %zu on the Pareto front%s%s", tradeoff_.x.size(), tradeoff_.pareto.size(),
                      tradeoff_.left_out ? ", without a value: " : "",
                      tradeoff_.left_out ? std::to_string(tradeoff_.left_out).c_str() : "");
  ImGui::SameLine();
  ImGui::TextDisabled("(drag: zoom | double-click: reset | right-click: save)");
  if (!widget_.last_message().empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", widget_.last_message().c_str());
  }
  widget_.save_base = (wb_.paths().runs_root / ("tradeoff-" + options_.x)).string();
  const auto& runs = t.runs();
  const PlotEvents ev = widget_.draw(plot_, ImVec2(0, 0), [&](int id) {
    return id >= 0 && size_t(id) < runs.size() ? facts(runs[size_t(id)]) : std::string();
  });
  if (ev.clicked_id && size_t(*ev.clicked_id) < runs.size()) t.select(run_key(runs[size_t(*ev.clicked_id)]));
}

}  // namespace slimlab::gui
