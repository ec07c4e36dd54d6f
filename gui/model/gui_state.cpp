#include "gui/model/gui_state.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace fs = std::filesystem;

namespace slimlab::gui {

namespace {

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return s.substr(a, b - a);
}

// Values are one line: newlines are stored as "\n", backslashes as "\\".
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      out += s[i] == 'n' ? '\n' : s[i];
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

GuiState GuiState::load(const fs::path& file) {
  GuiState st;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = trim(line.substr(0, eq));
    if (key.empty()) continue;
    st.values_[key] = unescape(trim(line.substr(eq + 1)));
  }
  return st;
}

bool GuiState::save(const fs::path& file) const {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "# slimlab-gui state (panels, selection, plot settings); imgui.ini beside it holds the layout\n";
    for (const auto& [k, v] : values_) out << k << " = " << escape(v) << "\n";
    if (!out) return false;
  }
  fs::rename(tmp, file, ec);
  return !ec;
}

std::string GuiState::get(const std::string& key, const std::string& fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
}

bool GuiState::get_bool(const std::string& key, bool fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return fallback;
}

double GuiState::get_double(const std::string& key, double fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  return end && *end == '\0' && !it->second.empty() ? v : fallback;
}

void GuiState::set(const std::string& key, const std::string& value) { values_[key] = value; }

void GuiState::set_double(const std::string& key, double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  values_[key] = buf;
}

}  // namespace slimlab::gui
