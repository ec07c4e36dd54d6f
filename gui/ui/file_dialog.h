#pragma once
// A small modal file chooser (ImGui has none): a folder path to type or walk, its
// sub-folders and files (filtered by extension), and a name field when saving. Used
// for File → Open / Save as / Experiments folder and to choose a data folder or file.
#include <filesystem>
#include <string>

#include "gui/model/recent.h"

namespace slimlab::gui {

class FileDialog {
 public:
  enum class Mode { kOpenFile, kSaveFile, kChooseFolder, kChooseAny };
  // Shows the dialog from the next draw() on. `ext` filters files (".toml"; "" = all);
  // `name` is the save mode's initial file name.
  void show(const std::string& title, Mode mode, const std::filesystem::path& dir, const std::string& ext,
            const std::string& name = "");
  // Draws it while shown (call every frame at the top level). Returns true on the
  // frame the user confirms; result() is then the chosen path.
  bool draw();
  bool shown() const { return shown_; }
  const std::filesystem::path& result() const { return result_; }

 private:
  void go(const std::filesystem::path& dir);
  std::string title_;
  Mode mode_ = Mode::kOpenFile;
  std::string ext_;
  std::string dir_text_, name_;
  DirListing listing_;
  std::filesystem::path result_;
  bool shown_ = false, popup_open_ = false;
};

}  // namespace slimlab::gui
