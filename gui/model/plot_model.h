#pragma once
// The data side of the GUI's one plot widget (gui/ui/plot_widget.h draws it with
// ImDrawList): series, linear or log axes, the visible range (zoom), the mapping
// between data and pixels, ticks, hit-testing and an SVG writer. No ImGui here,
// so tests check every mapping without a window and the SVG matches the screen.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace slimlab::gui {

// A colour in Dear ImGui's IM_COL32 layout (R in the low byte), so the widget
// passes it to ImDrawList unchanged.
constexpr uint32_t rgba(uint32_t r, uint32_t g, uint32_t b, uint32_t a = 255) {
  return (a << 24) | (b << 16) | (g << 8) | r;
}
// The ten-colour categorical palette (Tableau 10, as in `slimlab plot`'s SVG).
uint32_t palette_color(size_t i);
std::string css_color(uint32_t c);  // "#4e79a7" (alpha ignored)

enum class AxisScale { kLinear, kLog };

struct Axis {
  std::string label;
  AxisScale scale = AxisScale::kLinear;
  double lo = 0, hi = 1;  // visible range in data units (lo < hi; both > 0 on a log axis)
  // Position of `v` within [lo, hi] as 0…1 (log10 on a log axis); NaN when v ≤ 0 on a log axis.
  double unit(double v) const;
  double from_unit(double u) const;
  bool usable(double v) const;  // finite, and > 0 on a log axis
};

// Tick positions (data units) inside [lo, hi]: 1-2-5 steps on a linear axis,
// decades (and 2, 5 within them when fewer than three decades show) on a log axis.
std::vector<double> axis_ticks(const Axis& a, int target = 6);
std::string tick_label(double v);  // 0.25, 1k, 2.5M, 1e-05

struct Series {
  std::string name;
  uint32_t color = 0xff000000;
  std::vector<double> x, y;
  std::vector<int> ids;        // caller's id per point (a run's row); -1 or empty: none
  bool markers = true;
  bool line = false;
  bool step = false;           // line drawn as steps (horizontal first): the Pareto front
  bool pickable = true;        // hover / click consider its markers
  float marker_radius = 4.0f;
  float line_width = 1.5f;
  // A plain line: no markers, not pickable (a reference line, a front, a trace).
  static Series plain_line(std::string name, uint32_t color) {
    Series s;
    s.name = std::move(name);
    s.color = color;
    s.markers = false;
    s.line = true;
    s.pickable = false;
    return s;
  }
};

struct Rect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float width() const { return x1 - x0; }
  float height() const { return y1 - y0; }
  bool contains(float x, float y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
};

struct Hit {
  size_t series = 0, index = 0;
  int id = -1;
  float distance = 0;
};

class PlotModel {
 public:
  std::string title;
  Axis x, y;
  std::vector<Series> series;
  std::optional<int> highlighted_id;  // drawn with a ring (the selected run)

  // The data area in pixels (y grows downwards, as on screen).
  void set_frame(const Rect& r) { frame_ = r; }
  const Rect& frame() const { return frame_; }
  float px(double vx) const;  // NaN for values the axis cannot show
  float py(double vy) const;
  double data_x(float px) const;
  double data_y(float py) const;

  // The range that shows every usable point with a margin (5% of the span, or a
  // tenth of a decade on a log axis). Called when the data changes unless the user zoomed.
  void fit();
  bool zoomed() const { return zoomed_; }
  // Zoom to a pixel rectangle (a drag); ignored when it is under 4 pixels either way.
  bool zoom_to_pixels(const Rect& r);
  void reset() { zoomed_ = false; fit(); }
  void set_scale(AxisScale sx, AxisScale sy);

  // The marker nearest to a pixel within `radius` pixels, among pickable series.
  std::optional<Hit> hit_test(float mx, float my, float radius = 8.0f) const;

  // A complete SVG document of what the widget shows (same ranges, ticks, colours).
  std::string to_svg(int width = 760, int height = 480) const;

 private:
  Rect frame_{0, 0, 100, 100};
  bool zoomed_ = false;
};

}  // namespace slimlab::gui
