#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>

#include "gui/model/deploy.h"
#include "gui/ui/panels.h"

namespace fs = std::filesystem;

namespace slimlab::gui {

namespace {
const char* const kPlanners[] = {"greedy", "rate"};
const char* const kLevelKinds[] = {"energy", "latency", "macs"};
const ImVec4 kError(1, 0.45f, 0.45f, 1);

template <size_t N>
int index_of(const char* const (&names)[N], const std::string& v) {
  for (size_t i = 0; i < N; ++i)
    if (v == names[i]) return int(i);
  return 0;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
}  // namespace

ContextPanel::ContextPanel(Workbench& wb) : Panel("context", "Context simulation", wb, {0.1f, 0.06f, 0.8f, 0.9f}) {}

void ContextPanel::save_state(GuiState& s) const {
  s.set("context.trace", options_.trace);
  s.set("context.trace_file", options_.trace_file.string());
  s.set("context.steps", std::to_string(options_.steps));
  s.set("context.planner", options_.planner);
  s.set("context.hysteresis", fmt("%g", options_.hysteresis));
  s.set("context.level_kind", options_.level_kind);
}

void ContextPanel::load_state(const GuiState& s) {
  options_.trace = kContextTraces[index_of(kContextTraces, s.get("context.trace", "battery"))];
  options_.trace_file = s.get("context.trace_file");
  options_.planner = kPlanners[index_of(kPlanners, s.get("context.planner", "greedy"))];
  options_.level_kind = kLevelKinds[index_of(kLevelKinds, s.get("context.level_kind", "energy"))];
  try {
    options_.steps = std::clamp(std::stoi(s.get("context.steps", "2000")), 1, 1000000);
    options_.hysteresis = std::clamp(std::stod(s.get("context.hysteresis", "0.1")), 0.0, 0.95);
  } catch (const std::exception&) {  // a hand-edited state file: the defaults
  }
}

void ContextPanel::draw_content() {
  ImGui::PushTextWrapPos(0.0f);
  const exp::RunRecord* r = wb_.table().selected();
  error_.clear();
  if (!r) {
    ImGui::TextDisabled("Select a run whose .slim has operating points (a slimmable run; Simulate exports them "
                        "with slimlab export <run> --operating-points widths when missing).");
  } else {
    const ContextSim* last = wb_.context().latest_for(run_key(*r));
    draw_controls(*r, last);
    if (last) draw_result(*last);
  }
  ImGui::PopTextWrapPos();
}

void ContextPanel::draw_controls(const exp::RunRecord& r, const ContextSim* last) {
  if (dialog_.draw()) options_.trace_file = dialog_.result();
  const std::string key = run_key(r);
  ImGui::Text("%s (%s, %s)", key.c_str(), r.model.c_str(), r.techniques.c_str());
  std::error_code ec;
  const fs::path model = ContextController::points_model(r.dir);
  const bool has_points = fs::exists(model, ec);
  if (has_points) ImGui::TextDisabled("%s: %ju bytes", model.filename().string().c_str(), uintmax_t(fs::file_size(model, ec)));
  else ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "No %s yet: Simulate exports the run's widths first "
                          "(slimlab export --operating-points widths; slimmable runs only).", model.filename().string().c_str());
  int trace = index_of(kContextTraces, options_.trace);
  ImGui::SetNextItemWidth(160);
  if (ImGui::Combo("trace", &trace, kContextTraceTitles, 4)) options_.trace = kContextTraces[trace];
  ImGui::SameLine();
  if (options_.trace == "file") {
    std::string file = options_.trace_file.string();
    ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse...____").x);
    if (ImGui::InputTextWithHint("##tracefile", "trace CSV: latency_us | energy_uj | macs | level column", &file))
      options_.trace_file = file;
    ImGui::SameLine();
    if (ImGui::Button("Browse...##trace"))
      dialog_.show("Trace CSV", FileDialog::Mode::kOpenFile, file.empty() ? r.dir : fs::path(file).parent_path(), ".csv");
  } else {
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("steps", &options_.steps, 100, 1000);
    options_.steps = std::clamp(options_.steps, 1, 1000000);
  }
  int planner = index_of(kPlanners, options_.planner);
  ImGui::SetNextItemWidth(100);
  if (ImGui::Combo("planner", &planner, kPlanners, 2)) options_.planner = kPlanners[planner];
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("greedy: the most accurate point within each inference's budget\n"
                      "rate: an energy trace is an allowance, spent at an even rate (docs/ADAPTIVE.md)");
  if (options_.planner == "greedy") {
    ImGui::SameLine();
    float h = float(options_.hysteresis);
    ImGui::SetNextItemWidth(120);
    if (ImGui::SliderFloat("hysteresis", &h, 0.0f, 0.5f, "%.2f")) options_.hysteresis = double(h);
  }
  ImGui::SameLine();
  int kind = index_of(kLevelKinds, options_.level_kind);
  ImGui::SetNextItemWidth(100);
  if (ImGui::Combo("level maps to", &kind, kLevelKinds, 3)) options_.level_kind = kLevelKinds[kind];
  const bool busy = last && !last->done();
  ImGui::BeginDisabled(busy || (!has_points && r.status != "finished"));
  if (ImGui::Button(has_points ? "Simulate" : "Export points and simulate")) {
    std::string why;
    message_ = wb_.context().request(key, r.dir, options_, !has_points, &why) ? "" : why;
  }
  ImGui::EndDisabled();
  if (busy) {
    const Job* job = wb_.jobs().find(last->job);
    ImGui::SameLine();
    if (job && job->state == JobState::kQueued)
      ImGui::TextDisabled("queued (%d job(s) running)", wb_.jobs().running());
    else
      ImGui::TextDisabled("%s...", last->step == "export" ? "exporting the operating points" : "simulating");
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel##ctx")) wb_.jobs().cancel(last->job, "cancelled from the Context simulation panel");
  }
  if (!message_.empty()) {
    error_ = message_;
    ImGui::TextColored(kError, "%s", message_.c_str());
  }
}

void ContextPanel::draw_result(const ContextSim& s) {
  ImGui::Separator();
  if (s.step == "failed") {
    error_ = s.message;
    table_.clear();
    best_ = -1;
    shown_id_ = 0;
    ImGui::TextColored(kError, "%s", s.message.c_str());
    const std::string log = tail_lines(read_file_text(s.log_file, 8192), 12);
    ImGui::BeginChild("ctxlog", ImVec2(0, 0), true);
    ImGui::TextUnformatted(log.c_str());
    ImGui::EndChild();
    return;
  }
  if (s.step != "done") return;
  if (s.id != shown_id_) {
    shown_id_ = s.id;
    for (PlotModel& p : plots_) p.reset();
    fill_context_budget_plot(plots_[0], s.series);
    fill_context_point_plot(plots_[1], s.series);
    fill_context_accuracy_plot(plots_[2], s.series, s.summary);
    fill_context_energy_plot(plots_[3], s.series, s.summary);
    build_table(s);
  }
  const ContextSeries& c = s.series;
  ImGui::Text("%zu inferences, trace %s (budget in %s), planner %s: %zu switches, %zu rows over budget", c.size(),
              c.trace_column.c_str(), c.budget_unit.c_str(), s.options.planner.c_str(), c.switches, c.over_budget);
  draw_table(s);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float w = std::max(160.0f, avail.x / 2 - 4), h = std::max(120.0f, avail.y / 2 - 4);
  for (int i = 0; i < 4; ++i) {
    widgets_[i].legend_inside = true;
    widgets_[i].save_base = (s.run_dir / ("context-" + std::string(i == 0 ? "budget" : i == 1 ? "point" : i == 2 ? "accuracy" : "energy"))).string();
    widgets_[i].draw(plots_[i], ImVec2(w, h));
    if (i % 2 == 0) ImGui::SameLine();
  }
}

void ContextPanel::build_table(const ContextSim& s) {
  table_.clear();
  for (const ContextPolicyRow& p : s.summary)
    table_.push_back({p.policy == "adaptive" ? "adaptive" : "fixed " + p.point, fmt("%.4f", p.accuracy),
                      fmt("%.1f", p.energy_uj), fmt("%.3f", p.uj_per_inference), std::to_string(p.rows)});
  best_ = best_fixed_within_energy(s.summary);
}

void ContextPanel::draw_table(const ContextSim& s) {
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  ImGui::PushTextWrapPos(-1.0f);  // cells as wide as their text (the panel wraps its messages)
  if (ImGui::BeginTable("ctxsummary", 5, flags)) {
    for (const char* h : {"policy", "accuracy", "energy uJ", "uJ/inf", "rows"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < table_.size(); ++i) {
      ImGui::TableNextRow();
      const bool mark = i == 0 || int(i) == best_;
      for (size_t c = 0; c < table_[i].size(); ++c) {
        ImGui::TableSetColumnIndex(int(c));
        if (mark) ImGui::TextColored(i == 0 ? ImVec4(0.45f, 0.85f, 0.45f, 1) : ImVec4(1, 0.8f, 0.4f, 1), "%s", table_[i][c].c_str());
        else ImGui::TextUnformatted(table_[i][c].c_str());
      }
    }
    ImGui::EndTable();
  }
  ImGui::PopTextWrapPos();
  if (best_ > 0)
    ImGui::Text("best fixed point within the adaptive energy: %s, accuracy %.4f vs adaptive %.4f",
                s.summary[size_t(best_)].point.c_str(), s.summary[size_t(best_)].accuracy, s.summary[0].accuracy);
  else
    ImGui::Text("no fixed point spends as little energy as the adaptive run");
  if (s.series.budget_unit == "energy_uj")
    ImGui::TextDisabled("energy the trace allows %.1f uJ, spent %.1f uJ", s.series.budget_sum, s.summary[0].energy_uj);
}

}  // namespace slimlab::gui
