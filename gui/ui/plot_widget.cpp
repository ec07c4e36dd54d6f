#include "gui/ui/plot_widget.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

namespace slimlab::gui {

namespace {

constexpr ImU32 kBackground = IM_COL32(24, 24, 28, 255);
constexpr ImU32 kGrid = IM_COL32(60, 60, 68, 255);
constexpr ImU32 kAxis = IM_COL32(150, 150, 160, 255);
constexpr ImU32 kText = IM_COL32(210, 210, 215, 255);
constexpr ImU32 kZoom = IM_COL32(120, 170, 255, 60);
constexpr ImU32 kZoomEdge = IM_COL32(120, 170, 255, 200);

bool finite(float v) { return std::isfinite(v); }

}  // namespace

bool PlotWidget::save_svg(const PlotModel& m, const std::filesystem::path& out) {
  std::error_code ec;
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path(), ec);
  std::ofstream f(out);
  f << m.to_svg();
  f.close();
  message_ = f ? "saved " + out.string() : "could not write " + out.string();
  return bool(f);
}

bool PlotWidget::save_png(const std::filesystem::path& out) {
  if (!CaptureQueue::instance().available) {
    message_ = "PNG needs the window (not headless)";
    return false;
  }
  CaptureQueue::instance().push({canvas_, out});
  message_ = "saved " + out.string();
  return true;
}

CaptureQueue& CaptureQueue::instance() {
  static CaptureQueue q;
  return q;
}

namespace {

// Grid, tick labels, frame, axis labels and the title.
void draw_axes(ImDrawList* dl, const PlotModel& m, const Rect& frame, ImVec2 p0, ImVec2 p1, float fh) {
  dl->AddRectFilled(ImVec2(frame.x0, frame.y0), ImVec2(frame.x1, frame.y1), kBackground);
  float title_x0 = p1.x;
  if (!m.title.empty()) {
    const ImVec2 ts = ImGui::CalcTextSize(m.title.c_str());
    title_x0 = std::max(p0.x, (frame.x0 + frame.x1 - ts.x) / 2);
    dl->AddText(ImVec2(title_x0, p0.y + 3), kText, m.title.c_str());
  }
  for (double t : axis_ticks(m.x, std::max(2, int(frame.width() / 90)))) {
    const float x = m.px(t);
    if (!finite(x)) continue;
    dl->AddLine(ImVec2(x, frame.y0), ImVec2(x, frame.y1), kGrid);
    const std::string l = tick_label(t);
    const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
    dl->AddText(ImVec2(x - ts.x / 2, frame.y1 + 3), kText, l.c_str());
  }
  for (double t : axis_ticks(m.y, std::max(2, int(frame.height() / 50)))) {
    const float y = m.py(t);
    if (!finite(y)) continue;
    dl->AddLine(ImVec2(frame.x0, y), ImVec2(frame.x1, y), kGrid);
    const std::string l = tick_label(t);
    const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
    dl->AddText(ImVec2(frame.x0 - ts.x - 4, y - ts.y / 2), kText, l.c_str());
  }
  dl->AddRect(ImVec2(frame.x0, frame.y0), ImVec2(frame.x1, frame.y1), kAxis);
  const std::string xl = m.x.label + (m.x.scale == AxisScale::kLog ? " (log)" : "");
  const ImVec2 ts = ImGui::CalcTextSize(xl.c_str());
  dl->AddText(ImVec2((frame.x0 + frame.x1 - ts.x) / 2, frame.y1 + fh + 6), kText, xl.c_str());
  const std::string yl = m.y.label + (m.y.scale == AxisScale::kLog ? " (log)" : "");
  // Top-left, unless the title is in the way (a narrow plot: the title names it anyway).
  if (p0.x + 2 + ImGui::CalcTextSize(yl.c_str()).x + 8 < title_x0)
    dl->AddText(ImVec2(p0.x + 2, p0.y + 2), kText, yl.c_str());
}

// Lines, markers and the highlighted marker, clipped to the data area.
void draw_series(ImDrawList* dl, const PlotModel& m, const Rect& frame) {
  dl->PushClipRect(ImVec2(frame.x0, frame.y0), ImVec2(frame.x1 + 1, frame.y1 + 1), true);
  std::vector<ImVec2> pts;
  for (const Series& s : m.series) {
    if (s.line) {
      pts.clear();
      for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
        const float x = m.px(s.x[i]), y = m.py(s.y[i]);
        if (!finite(x) || !finite(y)) continue;
        if (s.step && !pts.empty()) pts.emplace_back(x, pts.back().y);
        pts.emplace_back(x, y);
      }
      if (pts.size() >= 2) dl->AddPolyline(pts.data(), int(pts.size()), s.color, 0, s.line_width);
    }
    if (s.markers)
      for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
        const float x = m.px(s.x[i]), y = m.py(s.y[i]);
        if (!finite(x) || !finite(y)) continue;
        dl->AddCircleFilled(ImVec2(x, y), s.marker_radius, s.color, 12);
      }
  }
  if (m.highlighted_id)
    for (const Series& s : m.series)
      if (s.markers)
        for (size_t i = 0; i < s.ids.size() && i < s.x.size(); ++i)
          if (s.ids[i] == *m.highlighted_id) {
            const float x = m.px(s.x[i]), y = m.py(s.y[i]);
            if (finite(x) && finite(y)) dl->AddCircle(ImVec2(x, y), s.marker_radius + 4, IM_COL32(255, 255, 255, 255), 16, 2.0f);
          }
  dl->PopClipRect();
}

// The legend: a column right of the frame, or a box in its top-left corner.
void draw_legend(ImDrawList* dl, const PlotModel& m, const Rect& frame, float fh, bool inside) {
  float ly = frame.y0 + 4;
  if (inside) {
    float w = 0, h = 4;
    for (const Series& s : m.series)
      if (!s.name.empty()) {
        w = std::max(w, ImGui::CalcTextSize(s.name.c_str()).x + 26);
        h += fh + 4;
      }
    if (w > 0)
      dl->AddRectFilled(ImVec2(frame.x0 + 4, frame.y0 + 2), ImVec2(frame.x0 + 8 + w, frame.y0 + 2 + h),
                        IM_COL32(24, 24, 28, 200));
  }
  for (const Series& s : m.series) {
    if (s.name.empty() || ly > frame.y1) continue;
    const float lx = inside ? frame.x0 + 6 : frame.x1 + 10;
    if (s.markers) dl->AddCircleFilled(ImVec2(lx + 6, ly + fh / 2), 4, s.color, 12);
    else dl->AddLine(ImVec2(lx, ly + fh / 2), ImVec2(lx + 12, ly + fh / 2), s.color, 2.0f);
    dl->AddText(ImVec2(lx + 18, ly), kText, s.name.c_str());
    ly += fh + 4;
  }
}

}  // namespace

PlotEvents PlotWidget::draw(PlotModel& m, ImVec2 size, const std::function<std::string(int)>& tooltip) {
  PlotEvents ev;
  ImGui::PushID(id_.c_str());
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(avail.x, 120.0f);
  if (size.y <= 0) size.y = std::max(avail.y, 100.0f);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const ImVec2 p1(p0.x + size.x, p0.y + size.y);
  canvas_ = Rect{p0.x, p0.y, p1.x, p1.y};
  ImGui::InvisibleButton("canvas", size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const bool hovered = ImGui::IsItemHovered();

  // Legend width from the longest series name.
  float legend_w = 0;
  for (const Series& s : m.series)
    if (!s.name.empty()) legend_w = std::max(legend_w, ImGui::CalcTextSize(s.name.c_str()).x + 26);
  legend_w = legend_inside ? 0 : std::min(legend_w, size.x * 0.35f);
  const float fh = ImGui::GetFontSize();
  const float left = 8 + ImGui::CalcTextSize("00.00M").x + fh, bottom = 2.4f * fh + 6,
              top = m.title.empty() ? 8 : fh + 10;
  frame_ = Rect{p0.x + left, p0.y + top, p1.x - legend_w - 10, p1.y - bottom};
  if (frame_.width() < 20) frame_.x1 = frame_.x0 + 20;
  if (frame_.height() < 20) frame_.y1 = frame_.y0 + 20;
  m.set_frame(frame_);

  ImDrawList* dl = ImGui::GetWindowDrawList();
  draw_axes(dl, m, frame_, p0, p1, fh);
  draw_series(dl, m, frame_);
  draw_legend(dl, m, frame_, fh, legend_inside);
  interact(m, hovered, tooltip, dl, ev);
  context_menu(m, hovered, ev);
  ImGui::PopID();
  return ev;
}

// Hover tooltips, double-click reset, drag-to-zoom and marker clicks.
void PlotWidget::interact(PlotModel& m, bool hovered, const std::function<std::string(int)>& tooltip, ImDrawList* dl,
                          PlotEvents& ev) {
  const ImGuiIO& io = ImGui::GetIO();
  const ImVec2 mouse = io.MousePos;
  const bool in_frame = frame_.contains(mouse.x, mouse.y);
  if (hovered && in_frame) {
    ev.hovered = m.hit_test(mouse.x, mouse.y);
    if (ev.hovered && !dragging_) {
      std::string text = tooltip && ev.hovered->id >= 0 ? tooltip(ev.hovered->id) : "";
      if (text.empty()) {
        const Series& s = m.series[ev.hovered->series];
        text = s.name + "\n" + m.x.label + ": " + tick_label(s.x[ev.hovered->index]) + "\n" + m.y.label + ": " +
               tick_label(s.y[ev.hovered->index]);
      }
      ImGui::SetTooltip("%s", text.c_str());
    }
  }
  if (hovered && in_frame && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    m.reset();
    ev.view_changed = true;
    dragging_ = false;
  } else if (hovered && in_frame && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    dragging_ = true;
    drag_start_ = mouse;
  }
  if (!dragging_) return;
  const ImVec2 a = drag_start_;
  const bool moved = std::fabs(mouse.x - a.x) >= 4 || std::fabs(mouse.y - a.y) >= 4;
  if (moved && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    dl->AddRectFilled(ImVec2(std::min(a.x, mouse.x), std::min(a.y, mouse.y)),
                      ImVec2(std::max(a.x, mouse.x), std::max(a.y, mouse.y)), kZoom);
    dl->AddRect(ImVec2(std::min(a.x, mouse.x), std::min(a.y, mouse.y)),
                ImVec2(std::max(a.x, mouse.x), std::max(a.y, mouse.y)), kZoomEdge);
  }
  if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    dragging_ = false;
    if (moved) {
      ev.view_changed = m.zoom_to_pixels(Rect{a.x, a.y, mouse.x, mouse.y});
    } else if (auto hit = m.hit_test(a.x, a.y)) {
      if (hit->id >= 0) ev.clicked_id = hit->id;
    }
  }
}

// The right-click menu: reset the view, save SVG / PNG.
void PlotWidget::context_menu(PlotModel& m, bool hovered, PlotEvents& ev) {
  if (hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Right)) {
    ImGui::OpenPopup("plot menu");
    if (!path_[0] || std::string(path_).empty()) std::snprintf(path_, sizeof path_, "%s", save_base.c_str());
  }
  if (!ImGui::BeginPopup("plot menu")) return;
  if (ImGui::MenuItem("Reset view (double-click)")) {
    m.reset();
    ev.view_changed = true;
  }
  ImGui::Separator();
  ImGui::SetNextItemWidth(260);
  ImGui::InputText("file (no extension)", path_, sizeof path_);
  if (ImGui::MenuItem("Save SVG")) save_svg(m, std::string(path_) + ".svg");
  if (ImGui::MenuItem("Save PNG", nullptr, false, CaptureQueue::instance().available))
    save_png(std::string(path_) + ".png");
  if (!CaptureQueue::instance().available) ImGui::TextDisabled("PNG needs the window (not headless)");
  ImGui::EndPopup();
}

}  // namespace slimlab::gui
