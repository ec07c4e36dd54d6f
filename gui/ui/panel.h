#pragma once
// One class per panel: the base draws the window (title, open flag, default
// placement) and a panel overrides only draw_content(); each panel saves and
// restores its own settings in the GuiState (gui-state.ini).
#include <imgui.h>

#include <string>
#include <vector>

#include "gui/model/plot_model.h"
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
  // Whether the panel is open on a first launch (before gui-state.ini says otherwise).
  virtual bool default_open() const { return true; }

  const std::string& id() const { return id_; }      // "runs" (state file keys)
  const std::string& title() const { return title_; }  // "Runs" (window title, imgui.ini key)
  bool open = true;
  // Where the window was last drawn (screen pixels): the layout test reads it.
  const Rect& rect() const { return rect_; }

 protected:
  Rect rect_;
  std::string id_, title_;
  Workbench& wb_;
  Placement place_;
};

// Shared bits of panel UI.
ImVec4 status_color(const std::string& status);
// One experiment key's input: a checkbox for booleans, a combo for keys with
// choices, text otherwise (taken on Enter or when the field is left). Returns true
// when `text` changed. Hovering shows `tooltip` (the key's doc, range, line).
bool key_input(const std::string& label, exp::ValueType type, const std::vector<std::string>& choices,
               std::string& text, const std::string& tooltip);
// The tooltip of a key: "key\ndoc\nrange: …".
std::string key_tooltip(const std::string& key, const std::string& doc, const std::string& range, int line = 0);
// A short text block: the last `max_lines` lines of a file (log tails).
std::string tail_lines(const std::string& text, size_t max_lines);

}  // namespace slimlab::gui
