#pragma once
// Recent experiment files (File → Open recent) kept in gui-state.ini, and a
// folder listing for the GUI's Open / Save as / choose-data dialogs (ImGui has no
// file dialog). No ImGui.
#include <filesystem>
#include <string>
#include <vector>

#include "gui/model/gui_state.h"

namespace slimlab::gui {

inline constexpr size_t kMaxRecentFiles = 8;

// Newest first, as stored under recent.0 … recent.7.
std::vector<std::filesystem::path> recent_files(const GuiState& s);
// Puts `file` first (absolute), drops an older entry of it and the oldest beyond the limit.
void add_recent_file(GuiState& s, const std::filesystem::path& file);

struct DirListing {
  std::filesystem::path dir;
  std::vector<std::filesystem::path> dirs;   // sub-folders, sorted (hidden ones left out)
  std::vector<std::filesystem::path> files;  // files ending in `ext` ("" = all), sorted
  std::string error;                         // when `dir` cannot be read
};
DirListing list_dir(const std::filesystem::path& dir, const std::string& ext);

}  // namespace slimlab::gui
