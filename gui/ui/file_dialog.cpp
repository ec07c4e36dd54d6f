#include "gui/ui/file_dialog.h"

#include <imgui.h>
#include <imgui_stdlib.h>

namespace fs = std::filesystem;

namespace slimlab::gui {

void FileDialog::show(const std::string& title, Mode mode, const fs::path& dir, const std::string& ext,
                      const std::string& name) {
  title_ = title;
  mode_ = mode;
  ext_ = ext;
  name_ = name;
  std::error_code ec;
  go(fs::absolute(dir.empty() ? fs::path(".") : dir, ec).lexically_normal());
  result_.clear();
  shown_ = true;
  popup_open_ = false;
}

void FileDialog::go(const fs::path& dir) {
  dir_text_ = dir.string();
  listing_ = list_dir(dir, ext_);
  if (mode_ == Mode::kChooseFolder) listing_.files.clear();
}

bool FileDialog::draw() {
  if (!shown_) return false;
  const std::string id = title_ + "###filedialog";
  if (!popup_open_) {
    ImGui::OpenPopup(id.c_str());
    popup_open_ = true;
  }
  ImGui::SetNextWindowSize(ImVec2(560, 420), ImGuiCond_Appearing);
  bool done = false;
  bool keep = true;
  if (ImGui::BeginPopupModal(id.c_str(), &keep)) {
    ImGui::SetNextItemWidth(-70);
    if (ImGui::InputText("##dir", &dir_text_, ImGuiInputTextFlags_EnterReturnsTrue)) go(dir_text_);
    ImGui::SameLine();
    if (ImGui::Button("Up")) go(fs::path(dir_text_).parent_path());
    if (!listing_.error.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", listing_.error.c_str());
    const float footer = ImGui::GetFrameHeightWithSpacing() * (mode_ == Mode::kSaveFile ? 2.2f : 1.2f);
    ImGui::BeginChild("entries", ImVec2(0, -footer), true);
    fs::path next;
    for (const fs::path& d : listing_.dirs) {
      const std::string label = d.filename().string() + "/";
      if (ImGui::Selectable(label.c_str(), result_ == d, ImGuiSelectableFlags_AllowDoubleClick)) {
        result_ = d;
        if (ImGui::IsMouseDoubleClicked(0)) next = d;
      }
    }
    for (const fs::path& f : listing_.files) {
      if (ImGui::Selectable(f.filename().string().c_str(), result_ == f, ImGuiSelectableFlags_AllowDoubleClick)) {
        result_ = f;
        if (mode_ == Mode::kSaveFile) name_ = f.filename().string();
        if (ImGui::IsMouseDoubleClicked(0) && mode_ != Mode::kChooseFolder) done = true;
      }
    }
    ImGui::EndChild();
    if (!next.empty()) go(next);
    if (mode_ == Mode::kSaveFile) {
      ImGui::SetNextItemWidth(-1);
      ImGui::InputTextWithHint("##name", "file name", &name_);
    }
    const char* ok = mode_ == Mode::kSaveFile ? "Save" : mode_ == Mode::kOpenFile ? "Open" : "Choose";
    if (ImGui::Button(ok)) {
      if (mode_ == Mode::kSaveFile) result_ = fs::path(dir_text_) / name_;
      else if (mode_ == Mode::kChooseFolder && (result_.empty() || result_.parent_path() != fs::path(dir_text_)))
        result_ = dir_text_;  // nothing picked inside: the folder shown
      else if (mode_ == Mode::kChooseAny && result_.empty()) result_ = dir_text_;
      std::error_code ec;
      done = !result_.empty() && (mode_ != Mode::kSaveFile || !name_.empty()) &&
             (mode_ != Mode::kOpenFile || fs::is_regular_file(result_, ec));
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) keep = false;
    ImGui::SameLine();
    ImGui::TextDisabled("%s", result_.string().c_str());
    if (done || !keep) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  if (done || !keep) shown_ = popup_open_ = false;
  return done;
}

}  // namespace slimlab::gui
