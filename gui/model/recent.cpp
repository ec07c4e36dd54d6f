#include "gui/model/recent.h"

#include <algorithm>

namespace fs = std::filesystem;

namespace slimlab::gui {

std::vector<fs::path> recent_files(const GuiState& s) {
  std::vector<fs::path> out;
  for (size_t i = 0; i < kMaxRecentFiles; ++i) {
    const std::string v = s.get("recent." + std::to_string(i));
    if (!v.empty()) out.emplace_back(v);
  }
  return out;
}

void add_recent_file(GuiState& s, const fs::path& file) {
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  if (ec) abs = file;
  abs = abs.lexically_normal();
  std::vector<fs::path> list = recent_files(s);
  list.erase(std::remove(list.begin(), list.end(), abs), list.end());
  list.insert(list.begin(), abs);
  for (size_t i = 0; i < kMaxRecentFiles; ++i)
    s.set("recent." + std::to_string(i), i < list.size() ? list[i].string() : "");
}

DirListing list_dir(const fs::path& dir, const std::string& ext) {
  DirListing l;
  l.dir = dir;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    l.error = dir.string() + ": " + ec.message();
    return l;
  }
  for (const auto& e : it) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (e.is_directory(ec)) l.dirs.push_back(e.path());
    else if (ext.empty() || e.path().extension() == ext) l.files.push_back(e.path());
  }
  std::sort(l.dirs.begin(), l.dirs.end());
  std::sort(l.files.begin(), l.files.end());
  return l;
}

}  // namespace slimlab::gui
