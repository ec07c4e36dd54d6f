#pragma once
// The one plot widget (there is no ImPlot package here): draws a PlotModel with
// ImDrawList — grid, ticks, series, the Pareto step line, a legend — and handles
// hover (tooltip), click (select), drag (zoom to the rectangle), double-click
// (reset the view) and a right-click menu (reset, save SVG, save PNG). Used by
// the Live and Trade-off panels.
#include <imgui.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "gui/model/plot_model.h"

namespace slimlab::gui {

struct PlotEvents {
  std::optional<int> clicked_id;  // a marker with an id was clicked
  std::optional<Hit> hovered;
  bool view_changed = false;      // zoomed or reset
};

class PlotWidget {
 public:
  explicit PlotWidget(std::string id) : id_(std::move(id)) {}
  // Draws in the current window. size.x/y ≤ 0: the available width/height.
  // `tooltip` gives the text for a hovered marker's id ("" → the coordinates).
  PlotEvents draw(PlotModel& m, ImVec2 size = ImVec2(0, 0),
                  const std::function<std::string(int id)>& tooltip = {});
  // The data area of the last draw, in screen pixels (what the screenshot test reads).
  const Rect& frame() const { return frame_; }
  const Rect& canvas() const { return canvas_; }
  // Base of the file names offered by "Save SVG/PNG" (without extension).
  std::string save_base = "plot";
  // The legend in the plot's top-left corner instead of a column on the right (narrow plots).
  bool legend_inside = false;
  const std::string& last_message() const { return message_; }
  // What the right-click menu's Save SVG / Save PNG do (the PNG is read from the
  // window after this frame is drawn; false when there is no window). Both set last_message().
  bool save_svg(const PlotModel& m, const std::filesystem::path& file);
  bool save_png(const std::filesystem::path& file);

 private:
  void interact(PlotModel& m, bool hovered, const std::function<std::string(int id)>& tooltip, ImDrawList* dl,
                PlotEvents& ev);
  void context_menu(PlotModel& m, bool hovered, PlotEvents& ev);

  std::string id_;
  Rect frame_, canvas_;
  bool dragging_ = false;
  ImVec2 drag_start_{0, 0};
  std::string message_;
  char path_[512] = "";
};

// PNG screenshots of a screen rectangle, done by the window program after the
// frame is rendered (glReadPixels + stb_image_write). Headless contexts have none.
struct CaptureRequest {
  Rect rect;  // screen pixels; empty = the whole window
  std::filesystem::path file;
};
class CaptureQueue {
 public:
  static CaptureQueue& instance();
  bool available = false;  // set by the window program
  void push(CaptureRequest r) { pending.push_back(std::move(r)); }
  std::vector<CaptureRequest> pending;
};

}  // namespace slimlab::gui
