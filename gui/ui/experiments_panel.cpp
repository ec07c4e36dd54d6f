#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>

#include "gui/model/recent.h"
#include "gui/ui/panels.h"

namespace slimlab::gui {

ExperimentsPanel::ExperimentsPanel(Workbench& wb) : Panel("experiments", "Experiments", wb, {0.0f, 0.0f, 0.28f, 0.66f}) {}

void ExperimentsPanel::save_state(GuiState& s) const {
  s.set("experiments.open_file", open_file_);
  std::error_code ec;  // absolute: the next launch may start elsewhere
  s.set("experiments.dir", std::filesystem::absolute(wb_.paths().experiments_dir, ec).lexically_normal().string());
  s.set_bool("experiments.show_all_keys", show_all_keys_);
  s.set("experiments.parallel", std::to_string(parallel_));
}

void ExperimentsPanel::load_state(const GuiState& s) {
  const std::string dir = s.get("experiments.dir");
  std::error_code ec;
  if (!wb_.paths().experiments_dir_given && !dir.empty() && std::filesystem::is_directory(dir, ec))
    wb_.set_experiments_dir(dir);
  show_all_keys_ = s.get_bool("experiments.show_all_keys", false);
  open_file_ = s.get("experiments.open_file");
  parallel_ = std::clamp(int(s.get_double("experiments.parallel", 1)), 1, 64);
  wb_.jobs().set_max_parallel(parallel_);
  if (!open_file_.empty() && std::filesystem::exists(open_file_)) wb_.form().open(open_file_);
}

void ExperimentsPanel::refresh_files() {
  files_ = list_experiment_files(wb_.paths().experiments_dir);
  listed_ = true;
}

bool ExperimentsPanel::open_file(const std::filesystem::path& file) {
  open_file_ = file.string();
  message_.clear();
  std::snprintf(save_name_, sizeof save_name_, "%s_copy", file.stem().string().c_str());
  add_recent_file(wb_.state(), file);
  const bool ok = wb_.form().open(file);
  if (!ok && wb_.form().fields().empty()) message_ = "could not open " + file.string();
  return ok;
}

void ExperimentsPanel::request_open() {
  open = true;
  asking_ = Ask::kOpen;
  dialog_.show("Open experiment", FileDialog::Mode::kOpenFile, wb_.paths().experiments_dir, ".toml");
}

void ExperimentsPanel::request_save_as() {
  open = true;
  asking_ = Ask::kSaveAs;
  dialog_.show("Save experiment as", FileDialog::Mode::kSaveFile, wb_.paths().experiments_dir, ".toml",
               std::string(save_name_) + ".toml");
}

void ExperimentsPanel::request_folder() {
  open = true;
  asking_ = Ask::kFolder;
  dialog_.show("Experiments folder", FileDialog::Mode::kChooseFolder, wb_.paths().experiments_dir, ".toml");
}

void ExperimentsPanel::draw_dialog() {
  if (!dialog_.draw()) {
    if (!dialog_.shown()) asking_ = Ask::kNone;
    return;
  }
  const std::filesystem::path p = dialog_.result();
  if (asking_ == Ask::kOpen) {
    open_file(p);
  } else if (asking_ == Ask::kFolder) {
    wb_.set_experiments_dir(p);
    refresh_files();
  } else if (asking_ == Ask::kSaveAs) {
    std::string why;
    if (auto out = wb_.form().save_as(p.stem().string(), p.parent_path(), &why)) {
      refresh_files();
      open_file(*out);
      message_ = "saved " + out->string();
    } else {
      message_ = why;
    }
  }
  asking_ = Ask::kNone;
}

void ExperimentsPanel::draw_content() {
  if (!listed_) refresh_files();
  draw_dialog();
  if (ImGui::SmallButton("Refresh")) refresh_files();
  ImGui::SameLine();
  if (ImGui::SmallButton("Folder...")) request_folder();
  ImGui::SameLine();
  if (ImGui::SmallButton("Open...")) request_open();
  std::error_code ec;
  const std::filesystem::path shown = std::filesystem::absolute(wb_.paths().experiments_dir, ec);
  ImGui::TextDisabled("%zu experiment file%s in %s", files_.size(), files_.size() == 1 ? "" : "s",
                      shown.string().c_str());
  ImGui::BeginChild("files", ImVec2(0, std::min(6.5f, float(files_.size()) + 0.5f) * ImGui::GetTextLineHeightWithSpacing()),
                    true);
  for (const auto& f : files_) {
    const bool sel = f.string() == open_file_;
    if (ImGui::Selectable(f.filename().string().c_str(), sel)) open_file(f);
  }
  ImGui::EndChild();
  draw_form();
  draw_jobs();
}

void ExperimentsPanel::draw_form() {
  ExperimentForm& form = wb_.form();
  if (!form.is_open()) {
    ImGui::TextDisabled("Open an experiment above.");
    return;
  }
  ImGui::Separator();
  ImGui::Text("%s", form.file().filename().string().c_str());
  ImGui::SameLine();
  if (form.valid())
    ImGui::TextColored(ImVec4(0.45f, 0.85f, 0.45f, 1), "valid - %zu run%s", form.points().size(),
                       form.points().size() == 1 ? "" : "s");
  else
    ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "has errors");
  for (const std::string& e : form.errors()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", e.c_str());
  // Field errors are shown at the field; list them here too, the form may be scrolled away.
  for (const FormField& f : form.fields())
    for (const std::string& e : f.errors)
      ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s: %s", f.key.c_str(), e.c_str());

  // Actions.
  ImGui::BeginDisabled(!form.valid());
  const std::string start = "Start " + std::to_string(form.points().size()) + " run" + (form.points().size() == 1 ? "" : "s");
  if (ImGui::Button(start.c_str())) {
    queued_ = form.start(wb_.jobs(), wb_.paths().slimlab_exe, wb_.paths().runs_root);
    message_ = "queued " + std::to_string(queued_.size()) + " run(s)";
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  if (ImGui::InputInt("at a time", &parallel_)) {
    parallel_ = std::clamp(parallel_, 1, 64);
    wb_.jobs().set_max_parallel(parallel_);
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Revert")) form.revert();
  ImGui::SetNextItemWidth(160);
  ImGui::InputText("##savename", save_name_, sizeof save_name_);
  ImGui::SameLine();
  ImGui::BeginDisabled(!form.valid());
  if (ImGui::Button("Save as new")) {
    std::string why;
    if (auto p = form.save_as(save_name_, wb_.paths().experiments_dir, &why)) {
      refresh_files();
      open_file(*p);
      message_ = "saved " + p->string();
    } else {
      message_ = why;
    }
  }
  ImGui::EndDisabled();
  if (!queued_.empty() && all_done(wb_.jobs(), queued_)) {  // the runs ended: see the job list and Runs
    queued_.clear();
    message_.clear();
  }
  if (!message_.empty()) ImGui::TextWrapped("%s", message_.c_str());
  if (!wb_.paths().slimlab_exe.empty() && !std::filesystem::exists(wb_.paths().slimlab_exe))
    ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "slimlab not found at %s: runs cannot start",
                       wb_.paths().slimlab_exe.string().c_str());

  draw_fields(form);
}

void ExperimentsPanel::draw_fields(ExperimentForm& form) {
  ImGui::Checkbox("show keys that do not apply to this data and model", &show_all_keys_);
  // The fields, grouped by table.
  // The fields take what the job list (at most six rows) leaves.
  const float jobs_lines = wb_.jobs().jobs().empty() ? 1.5f : 2.5f + float(std::min<size_t>(6, wb_.jobs().jobs().size()));
  ImGui::BeginChild("fields", ImVec2(0, -jobs_lines * ImGui::GetFrameHeightWithSpacing()), true);
  std::string section = "\x01";
  bool section_open = true;
  for (FormField& f : form.fields()) {
    if (f.section != section) {
      section = f.section;
      const std::string title = section.empty() ? "experiment" : section;
      section_open = ImGui::CollapsingHeader(title.c_str(), ImGuiTreeNodeFlags_DefaultOpen);
    }
    if (!section_open || (!f.applies && !show_all_keys_)) continue;
    ImGui::PushID(f.key.c_str());
    const std::string name = f.key.substr(f.key.rfind('.') == std::string::npos ? 0 : f.key.rfind('.') + 1);
    const bool bad = !f.errors.empty();
    if (bad) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.5f, 0.12f, 0.12f, 1));
    else if (f.edited()) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.18f, 0.30f, 0.50f, 1));
    ImGui::SetNextItemWidth(-ImGui::CalcTextSize("macro_f1_weight_x").x);
    std::string text = f.text;
    ImGui::BeginDisabled(f.read_only);
    const bool changed = key_input(name, f.type, f.choices, text, f.doc.empty() ? "" : key_tooltip(f.key, f.doc, f.range, f.line));
    ImGui::EndDisabled();
    if (bad || f.edited()) ImGui::PopStyleColor();
    if (changed) form.set(f.key, text);
    // set() may have re-validated: look the field up again before reading its errors.
    if (const FormField* g = form.field(f.key))
      for (const std::string& e : g->errors) ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "  %s", e.c_str());
    ImGui::PopID();
  }
  ImGui::EndChild();
}

void ExperimentsPanel::draw_jobs() {
  JobQueue& q = wb_.jobs();
  ImGui::Text("Jobs: %d running, %d queued", q.running(), q.queued());
  ImGui::SameLine();
  if (ImGui::SmallButton("Clear finished")) q.clear_done();
  if (q.jobs().empty()) {
    ImGui::TextDisabled("No jobs. Open an experiment and press Start; runs appear in the Runs panel.");
    return;
  }
  if (ImGui::BeginTable("jobs", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableSetupColumn("job");
    ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthFixed, 70);
    ImGui::TableSetupColumn("detail");
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, 56);
    int cancel = 0;
    for (const Job& j : q.jobs()) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(j.spec.label.c_str());
      ImGui::TableNextColumn();
      const char* st = to_string(j.state);
      ImGui::TextColored(status_color(j.state == JobState::kCancelled ? "failed" : st), "%s", st);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(j.message.c_str());
      ImGui::TableNextColumn();
      if (!j.done()) {
        ImGui::PushID(j.id);
        if (ImGui::SmallButton("Cancel")) cancel = j.id;
        ImGui::PopID();
      }
    }
    ImGui::EndTable();
    if (cancel) q.cancel(cancel);
  }
}

}  // namespace slimlab::gui
