#include <algorithm>
#include <cmath>

#include "gui/ui/panels.h"

namespace slimlab::gui {

namespace {
// What `slimlab export --precision` accepts (deploy/export: parse_export_precision).
const char* const kPrecisions[] = {"fp32", "int8", "int16", "binary"};
}

DeployPanel::DeployPanel(Workbench& wb) : Panel("deploy", "Deploy", wb, {0.0f, 0.50f, 0.25f, 0.22f}) {}

void DeployPanel::save_state(GuiState& s) const {
  s.set("deploy.precision", kPrecisions[precision_]);
  s.set_bool("deploy.opencl", opencl_);
}

void DeployPanel::load_state(const GuiState& s) {
  const std::string p = s.get("deploy.precision", "fp32");
  for (int i = 0; i < 4; ++i)
    if (p == kPrecisions[i]) precision_ = i;
  opencl_ = s.get_bool("deploy.opencl", false);
}

void DeployPanel::draw_content() {
  DeployController& d = wb_.deploy();
  const exp::RunRecord* r = wb_.table().selected();
  const std::string missing = d.missing_tools();
  if (!missing.empty()) ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%s", missing.c_str());
  if (!r) {
    ImGui::TextDisabled("Select a finished run to export it to .slim and benchmark it with slimrt.");
  } else {
    const std::string key = run_key(*r);
    ImGui::Text("%s (%s, %s)", key.c_str(), r->model.c_str(), r->techniques.c_str());
    ImGui::SetNextItemWidth(100);
    ImGui::Combo("precision", &precision_, kPrecisions, 4);
    ImGui::SameLine();
    ImGui::Checkbox("also OpenCL", &opencl_);
    const DeployRequest* last = d.latest_for(key);
    const bool busy = last && !last->done();
    ImGui::BeginDisabled(r->status != "finished" || busy || !missing.empty());
    if (ImGui::Button("Export and benchmark")) {
      std::string why;
      if (!d.request(key, r->dir, kPrecisions[precision_], opencl_, &why)) message_ = why;
      else message_.clear();
    }
    ImGui::EndDisabled();
    if (r->status != "finished") ImGui::TextDisabled("(only finished runs can be exported)");
    if (!message_.empty()) ImGui::TextWrapped("%s", message_.c_str());
    ImGui::Separator();
    ImGui::Text("slimrt: latency %s ms | arena %s | .slim %s", cell_text(*r, "latency_ms").c_str(),
                cell_text(*r, "arena_bytes").c_str(), cell_text(*r, "file_bytes").c_str());
    // What the exporter and earlier benchmarks recorded (slimrt_<precision>_accuracy, …).
    for (const auto& [k, v] : r->tags)
      if (k.rfind("slimrt_", 0) == 0) ImGui::BulletText("%s: %s", k.c_str() + 7, v.c_str());
    if (last) {
      ImGui::Text("last request: %s at %s - %s", last->step.c_str(), last->precision.c_str(), last->message.c_str());
      const std::string log = tail_lines(read_file_text(last->log_file, 8192), 14);
      ImGui::BeginChild("deploylog", ImVec2(0, 0), true);
      ImGui::TextUnformatted(log.c_str());
      ImGui::EndChild();
    }
  }
}

}  // namespace slimlab::gui
