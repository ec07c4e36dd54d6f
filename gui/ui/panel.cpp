#include "gui/ui/panel.h"

#include <imgui_stdlib.h>

namespace slimlab::gui {

void Panel::draw() {
  if (!open) return;
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float menu = ImGui::GetFrameHeight();
  ImGui::SetNextWindowPos(ImVec2(place_.x * d.x, menu + place_.y * (d.y - menu)), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(place_.w * d.x, place_.h * (d.y - menu)), ImGuiCond_FirstUseEver);
  const std::string label = title_ + "###" + id_;
  const bool shown = ImGui::Begin(label.c_str(), &open);
  const ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  rect_ = Rect{pos.x, pos.y, pos.x + size.x, pos.y + size.y};
  if (shown) draw_content();
  ImGui::End();
}

bool key_input(const std::string& label, exp::ValueType type, const std::vector<std::string>& choices,
               std::string& text, const std::string& tooltip) {
  bool changed = false;
  if (type == exp::ValueType::kBool) {
    bool b = text == "true";
    if (ImGui::Checkbox(label.c_str(), &b)) {
      text = b ? "true" : "false";
      changed = true;
    }
  } else if (!choices.empty()) {
    if (ImGui::BeginCombo(label.c_str(), text.c_str())) {
      for (const std::string& c : choices)
        if (ImGui::Selectable(c.c_str(), c == text)) {
          text = c;
          changed = true;
        }
      ImGui::EndCombo();
    }
  } else {
    changed = ImGui::InputText(label.c_str(), &text, ImGuiInputTextFlags_EnterReturnsTrue);
    // Validate as the user leaves the field too, not only on Enter.
    if (!changed && ImGui::IsItemDeactivatedAfterEdit()) changed = true;
  }
  if (ImGui::IsItemHovered() && !tooltip.empty()) ImGui::SetTooltip("%s", tooltip.c_str());
  return changed;
}

std::string key_tooltip(const std::string& key, const std::string& doc, const std::string& range, int line) {
  std::string t = key;
  if (!doc.empty()) t += "\n" + doc;
  if (!range.empty()) t += "\nrange: " + range;
  if (line > 0) t += "\nline " + std::to_string(line);
  return t;
}

ImVec4 status_color(const std::string& s) {
  if (s == "finished") return ImVec4(0.45f, 0.85f, 0.45f, 1);
  if (s == "running") return ImVec4(0.45f, 0.70f, 1.00f, 1);
  if (s == "failed" || s == "cancelled" || s == "unreadable") return ImVec4(1.00f, 0.40f, 0.40f, 1);
  return ImVec4(0.8f, 0.8f, 0.8f, 1);
}

std::string tail_lines(const std::string& text, size_t max_lines) {
  size_t n = 0;
  size_t at = text.size();
  while (at > 0) {
    const size_t nl = text.rfind('\n', at - 1);
    if (nl == std::string::npos) return text;
    if (nl + 1 < text.size() && ++n > max_lines) return text.substr(nl + 1);
    at = nl;
  }
  return text;
}

}  // namespace slimlab::gui
