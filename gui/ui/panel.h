#pragma once
// One class per panel: the base draws the window (title, open flag, default
// placement) and a panel overrides only draw_content(); each panel saves and
// restores its own settings in the GuiState (gui-state.ini).
#include <imgui.h>

#include <string>

#include "gui/model/workbench.h"

namespace slimlab::gui {

// Default placement as fractions of the display (used the first time; imgui.ini after).
struct Placement {
  float x, y, w, h;
};

class Panel {
 public:
  Panel(std::string id, std::string title, Workbench& wb, Placement place)
      : id_(std::move(id)), title_(std::move(title)), wb_(wb), place_(place) {}
  virtual ~Panel() = default;
  Panel(const Panel&) = delete;
  Panel& operator=(const Panel&) = delete;

  void draw();
  virtual void draw_content() = 0;
  virtual void save_state(GuiState&) const {}
  virtual void load_state(const GuiState&) {}
  // True while the panel animates (a replay): the window then draws without waiting for events.
  virtual bool animating() const { return false; }

  const std::string& id() const { return id_; }      // "runs" (state file keys)
  const std::string& title() const { return title_; }  // "Runs" (window title, imgui.ini key)
  bool open = true;

 protected:
  std::string id_, title_;
  Workbench& wb_;
  Placement place_;
};

// Shared bits of panel UI.
ImVec4 status_color(const std::string& status);
// A short text block: the last `max_lines` lines of a file (log tails).
std::string tail_lines(const std::string& text, size_t max_lines);

}  // namespace slimlab::gui
