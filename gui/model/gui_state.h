#pragma once
// What the GUI remembers between launches besides imgui.ini (window layout):
// which panels are open, the selected run, the trade-off axes, filters, the open
// experiment. A small "key = value" text file, written atomically.
#include <filesystem>
#include <map>
#include <string>

namespace slimlab::gui {

class GuiState {
 public:
  // Missing file: empty state. Lines that do not parse are skipped.
  static GuiState load(const std::filesystem::path& file);
  // Atomic (temporary file, then rename). Returns false when it cannot write.
  bool save(const std::filesystem::path& file) const;

  std::string get(const std::string& key, const std::string& fallback = "") const;
  bool get_bool(const std::string& key, bool fallback) const;
  double get_double(const std::string& key, double fallback) const;
  void set(const std::string& key, const std::string& value);
  void set_bool(const std::string& key, bool v) { set(key, v ? "true" : "false"); }
  void set_double(const std::string& key, double v);
  const std::map<std::string, std::string>& values() const { return values_; }
  bool operator==(const GuiState& o) const { return values_ == o.values_; }
  bool operator!=(const GuiState& o) const { return !(*this == o); }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace slimlab::gui
