#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>

#include "gui/ui/panels.h"

namespace slimlab::gui {

namespace {
// What `slimlab export --precision` accepts (deploy/export: parse_export_precision).
const char* const kPrecisions[] = {"fp32", "int8", "int16", "binary"};
}

DeployPanel::DeployPanel(Workbench& wb) : Panel("deploy", "Deploy", wb, {0.0f, 0.66f, 0.28f, 0.34f}) {}

void DeployPanel::save_state(GuiState& s) const {
  s.set("deploy.precision", kPrecisions[precision_]);
  s.set_bool("deploy.opencl", opencl_);
  s.set_bool("deploy.front_end", front_end_);
}

void DeployPanel::load_state(const GuiState& s) {
  const std::string p = s.get("deploy.precision", "fp32");
  for (int i = 0; i < 4; ++i)
    if (p == kPrecisions[i]) precision_ = i;
  opencl_ = s.get_bool("deploy.opencl", false);
  front_end_ = s.get_bool("deploy.front_end", false);
}

void DeployPanel::draw_content() {
  ImGui::PushTextWrapPos(0.0f);  // a narrow panel wraps its messages instead of cutting them
  draw_run();
  ImGui::PopTextWrapPos();
}

void DeployPanel::draw_run() {
  DeployController& d = wb_.deploy();
  const exp::RunRecord* r = wb_.table().selected();
  const std::string missing = d.missing_tools();
  if (!missing.empty()) ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%s", missing.c_str());
  if (!r) {
    ImGui::TextDisabled("Select a finished run to export it to .slim and benchmark it with slimrt.");
  } else {
    const std::string key = run_key(*r);
    if (key != shown_key_) {  // another run: its own precision (an int8 run exports int8)
      shown_key_ = key;
      const std::string p = run_precision(*r);
      for (int i = 0; i < 4; ++i)
        if (p == kPrecisions[i]) precision_ = i;
      model_choice_ = 0;
      try_message_.clear();
    }
    ImGui::Text("%s (%s, %s)", key.c_str(), r->model.c_str(), r->techniques.c_str());
    ImGui::SetNextItemWidth(100);
    ImGui::Combo("precision", &precision_, kPrecisions, 4);
    ImGui::SameLine();
    ImGui::Checkbox("also OpenCL", &opencl_);
    ImGui::SameLine();
    ImGui::Checkbox("with front end", &front_end_);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("slimlab export --front-end: the .slim starts from the sensor's data (WAV samples, CSV rows,\n"
                        "an image) with the run's own feature extraction, so it can run on such a file below");
    const DeployRequest* last = d.latest_for(key);
    const bool busy = last && !last->done();
    ImGui::BeginDisabled(r->status != "finished" || busy || !missing.empty());
    if (ImGui::Button("Export and benchmark")) {
      std::string why;
      if (!d.request(key, r->dir, kPrecisions[precision_], opencl_, &why, front_end_)) message_ = why;
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
    draw_try(*r);
    if (last) {
      ImGui::Text("last request: %s at %s - %s", last->step.c_str(), last->precision.c_str(), last->message.c_str());
      const std::string log = tail_lines(read_file_text(last->log_file, 8192), 14);
      ImGui::BeginChild("deploylog", ImVec2(0, 0), true);
      ImGui::TextUnformatted(log.c_str());
      ImGui::EndChild();
    }
  }
}

// Run an exported model on one file and show the class.
void DeployPanel::draw_try(const exp::RunRecord& r) {
  if (dialog_.draw()) input_ = dialog_.result().string();
  ImGui::Separator();
  const auto models = exported_models(r.dir);
  if (models.empty()) {
    ImGui::TextDisabled("Export the run to try it on a file (WAV, CSV, image, float32).");
    return;
  }
  model_choice_ = std::clamp(model_choice_, 0, int(models.size()) - 1);
  ImGui::SetNextItemWidth(160);
  if (ImGui::BeginCombo("model##try", models[size_t(model_choice_)].filename().string().c_str())) {
    for (size_t i = 0; i < models.size(); ++i)
      if (ImGui::Selectable(models[i].filename().string().c_str(), int(i) == model_choice_)) model_choice_ = int(i);
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse... Run_____").x);
  ImGui::InputTextWithHint("##input", "input file: .wav .csv .png .pgm .f32", &input_);
  ImGui::SameLine();
  if (ImGui::Button("Browse...##input"))
    dialog_.show("Input file", FileDialog::Mode::kOpenFile,
                 input_.empty() ? r.dir : std::filesystem::path(input_).parent_path(), "");
  ImGui::SameLine();
  const std::string key = run_key(r);
  const Prediction* p = wb_.predict().latest_for(key);
  ImGui::BeginDisabled((p && p->state == "running") || input_.empty());
  if (ImGui::Button("Run")) {
    std::string why;
    try_message_ = wb_.predict().request(key, r.dir, models[size_t(model_choice_)], input_, &why) ? "" : why;
  }
  ImGui::EndDisabled();
  if (!try_message_.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%s", try_message_.c_str());
  if (!p) return;
  if (p->state == "running") {
    ImGui::TextDisabled("running %s on %s...", p->model.filename().string().c_str(), p->input.filename().string().c_str());
  } else if (p->state == "failed") {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%s: %s", p->input.filename().string().c_str(), p->message.c_str());
  } else {
    ImGui::Text("%s: class", p->input.filename().string().c_str());
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(0.45f, 0.85f, 0.45f, 1), "%s", p->class_name.c_str());
    for (const auto& [name, score] : p->scores) {
      ImGui::ProgressBar(float(std::clamp(score, 0.0, 1.0)), ImVec2(160, 0), "");
      ImGui::SameLine();
      ImGui::Text("%s %.3f", name.c_str(), score);
    }
  }
}

}  // namespace slimlab::gui
