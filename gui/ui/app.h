#pragma once
// The whole GUI for one frame, independent of the window system: the main menu
// (View toggles every panel), the panels (one list registers them all) and the
// persistence of open panels, the selection and each panel's settings in
// gui-state.ini. The window program (gui/app/main.cpp) wraps it in GLFW +
// OpenGL3; tests and the benchmark drive it in a headless ImGui context.
#include <memory>
#include <string>
#include <vector>

#include "gui/model/workbench.h"
#include "gui/ui/panel.h"

namespace slimlab::gui {

class TradeoffPanel;

class App {
 public:
  explicit App(Workbench& wb);
  // Between ImGui::NewFrame() and ImGui::Render().
  void frame();
  // Restores panels, selection and settings from the state file (call once at start).
  void load_state();
  // Writes the state file when something changed (at most every `period` seconds) or when forced.
  void save_state(bool force = false);

  std::vector<std::unique_ptr<Panel>>& panels() { return panels_; }
  Panel* panel(const std::string& id);
  TradeoffPanel* tradeoff();
  bool quit_requested() const { return quit_; }
  bool animating() const;  // some open panel animates

 private:
  void draw_menu();
  Workbench& wb_;
  std::vector<std::unique_ptr<Panel>> panels_;
  GuiState saved_;
  double last_save_ = 0;
  bool quit_ = false;
  bool show_about_ = false;
};

}  // namespace slimlab::gui
