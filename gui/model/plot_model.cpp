#include "gui/model/plot_model.h"

#include "experiments/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace slimlab::gui {

using exp::xml_escape;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const uint32_t kPalette[] = {rgba(0x4e, 0x79, 0xa7), rgba(0xf2, 0x8e, 0x2b), rgba(0xe1, 0x57, 0x59),
                             rgba(0x76, 0xb7, 0xb2), rgba(0x59, 0xa1, 0x4f), rgba(0xed, 0xc9, 0x48),
                             rgba(0xb0, 0x7a, 0xa1), rgba(0xff, 0x9d, 0xa7), rgba(0x9c, 0x75, 0x5f),
                             rgba(0xba, 0xb0, 0xac)};


std::string f2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// [lo, hi] of the usable values of one coordinate over every series.
bool data_range(const std::vector<Series>& series, const Axis& a, bool use_x, double* lo, double* hi) {
  *lo = std::numeric_limits<double>::infinity();
  *hi = -std::numeric_limits<double>::infinity();
  for (const Series& s : series) {
    const auto& v = use_x ? s.x : s.y;
    for (double d : v)
      if (a.usable(d)) {
        *lo = std::min(*lo, d);
        *hi = std::max(*hi, d);
      }
  }
  return *lo <= *hi;
}

void fit_axis(Axis& a, const std::vector<Series>& series, bool use_x) {
  double lo, hi;
  if (!data_range(series, a, use_x, &lo, &hi)) {
    a.lo = a.scale == AxisScale::kLog ? 1 : 0;
    a.hi = a.scale == AxisScale::kLog ? 10 : 1;
    return;
  }
  if (a.scale == AxisScale::kLog) {
    double l = std::log10(lo), h = std::log10(hi);
    if (h - l < 1e-9) {
      l -= 0.5;
      h += 0.5;
    }
    const double pad = std::max(0.1, 0.05 * (h - l));
    a.lo = std::pow(10.0, l - pad);
    a.hi = std::pow(10.0, h + pad);
  } else {
    if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
      const double d = std::max(std::fabs(hi) * 0.1, 0.5);
      lo -= d;
      hi += d;
    }
    const double pad = 0.05 * (hi - lo);
    a.lo = lo - pad;
    a.hi = hi + pad;
  }
}

}  // namespace

uint32_t palette_color(size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

std::string css_color(uint32_t c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c & 0xff, (c >> 8) & 0xff, (c >> 16) & 0xff);
  return buf;
}

bool Axis::usable(double v) const { return std::isfinite(v) && (scale == AxisScale::kLinear || v > 0); }

double Axis::unit(double v) const {
  if (!usable(v)) return kNaN;
  if (scale == AxisScale::kLog) return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
  return (v - lo) / (hi - lo);
}

double Axis::from_unit(double u) const {
  if (scale == AxisScale::kLog) return std::pow(10.0, std::log10(lo) + u * (std::log10(hi) - std::log10(lo)));
  return lo + u * (hi - lo);
}

std::vector<double> axis_ticks(const Axis& a, int target) {
  std::vector<double> out;
  if (!(a.hi > a.lo)) return out;
  if (a.scale == AxisScale::kLog) {
    const double l = std::log10(a.lo), h = std::log10(a.hi);
    const int d0 = int(std::floor(l)), d1 = int(std::ceil(h));
    int every = std::max(1, int(std::ceil(double(d1 - d0) / std::max(1, target))));
    const bool minor = (h - l) < 3;
    for (int d = d0; d <= d1; d += every)
      for (double m : minor ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
        const double v = m * std::pow(10.0, d);
        if (v >= a.lo * (1 - 1e-12) && v <= a.hi * (1 + 1e-12)) out.push_back(v);
      }
    return out;
  }
  const double span = a.hi - a.lo;
  const double raw = span / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(a.lo / step) * step; v <= a.hi + step * 1e-9; v += step)
    out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  return out;
}

std::string tick_label(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a == 0) return "0";
  if (a >= 1e9) std::snprintf(buf, sizeof buf, "%gG", v / 1e9);
  else if (a >= 1e6) std::snprintf(buf, sizeof buf, "%gM", v / 1e6);
  else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%gk", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

float PlotModel::px(double vx) const {
  const double u = x.unit(vx);
  return std::isnan(u) ? std::numeric_limits<float>::quiet_NaN() : float(frame_.x0 + u * frame_.width());
}

float PlotModel::py(double vy) const {
  const double u = y.unit(vy);
  return std::isnan(u) ? std::numeric_limits<float>::quiet_NaN() : float(frame_.y1 - u * frame_.height());
}

double PlotModel::data_x(float p) const { return x.from_unit((p - frame_.x0) / std::max(1e-6f, frame_.width())); }
double PlotModel::data_y(float p) const { return y.from_unit((frame_.y1 - p) / std::max(1e-6f, frame_.height())); }

void PlotModel::fit() {
  if (zoomed_) return;
  fit_axis(x, series, true);
  fit_axis(y, series, false);
}

bool PlotModel::zoom_to_pixels(const Rect& r) {
  const float x0 = std::min(r.x0, r.x1), x1 = std::max(r.x0, r.x1);
  const float y0 = std::min(r.y0, r.y1), y1 = std::max(r.y0, r.y1);
  if (x1 - x0 < 4 || y1 - y0 < 4) return false;
  const double nx0 = data_x(x0), nx1 = data_x(x1), ny0 = data_y(y1), ny1 = data_y(y0);
  if (!(nx1 > nx0) || !(ny1 > ny0)) return false;
  x.lo = nx0;
  x.hi = nx1;
  y.lo = ny0;
  y.hi = ny1;
  zoomed_ = true;
  return true;
}

void PlotModel::set_scale(AxisScale sx, AxisScale sy) {
  if (sx == x.scale && sy == y.scale) return;
  x.scale = sx;
  y.scale = sy;
  reset();
}

std::optional<Hit> PlotModel::hit_test(float mx, float my, float radius) const {
  std::optional<Hit> best;
  for (size_t s = 0; s < series.size(); ++s) {
    const Series& se = series[s];
    if (!se.pickable || !se.markers) continue;
    for (size_t i = 0; i < se.x.size() && i < se.y.size(); ++i) {
      const float qx = px(se.x[i]), qy = py(se.y[i]);
      if (std::isnan(qx) || std::isnan(qy)) continue;
      const float d = std::hypot(qx - mx, qy - my);
      if (d <= radius && (!best || d < best->distance))
        best = Hit{s, i, i < se.ids.size() ? se.ids[i] : -1, d};
    }
  }
  return best;
}

std::string PlotModel::to_svg(int width, int height) const {
  PlotModel m = *this;  // lay out on the SVG's own canvas
  const float left = 80, right = 170, top = 40, bottom = 56;
  m.set_frame(Rect{left, top, float(width) - right, float(height) - bottom});
  const Rect& f = m.frame();
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
     << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!title.empty())
    os << "<text x=\"" << f2((f.x0 + f.x1) / 2) << "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">"
       << xml_escape(title) << "</text>\n";
  os << "<defs><clipPath id=\"data\"><rect x=\"" << f2(f.x0) << "\" y=\"" << f2(f.y0) << "\" width=\"" << f2(f.width())
     << "\" height=\"" << f2(f.height()) << "\"/></clipPath></defs>\n";
  for (double t : axis_ticks(m.x)) {
    const float p = m.px(t);
    os << "<line x1=\"" << f2(p) << "\" y1=\"" << f2(f.y0) << "\" x2=\"" << f2(p) << "\" y2=\"" << f2(f.y1)
       << "\" stroke=\"#e5e5e5\"/><text x=\"" << f2(p) << "\" y=\"" << f2(f.y1 + 16)
       << "\" text-anchor=\"middle\">" << tick_label(t) << "</text>\n";
  }
  for (double t : axis_ticks(m.y)) {
    const float p = m.py(t);
    os << "<line x1=\"" << f2(f.x0) << "\" y1=\"" << f2(p) << "\" x2=\"" << f2(f.x1) << "\" y2=\"" << f2(p)
       << "\" stroke=\"#e5e5e5\"/><text x=\"" << f2(f.x0 - 6) << "\" y=\"" << f2(p + 4)
       << "\" text-anchor=\"end\">" << tick_label(t) << "</text>\n";
  }
  os << "<rect x=\"" << f2(f.x0) << "\" y=\"" << f2(f.y0) << "\" width=\"" << f2(f.width()) << "\" height=\""
     << f2(f.height()) << "\" fill=\"none\" stroke=\"#333\"/>\n";
  os << "<text x=\"" << f2((f.x0 + f.x1) / 2) << "\" y=\"" << height - 14 << "\" text-anchor=\"middle\">"
     << xml_escape(x.label) << (x.scale == AxisScale::kLog ? " (log)" : "") << "</text>\n";
  os << "<text transform=\"translate(18," << f2((f.y0 + f.y1) / 2) << ") rotate(-90)\" text-anchor=\"middle\">"
     << xml_escape(y.label) << (y.scale == AxisScale::kLog ? " (log)" : "") << "</text>\n";
  os << "<g clip-path=\"url(#data)\">\n";
  for (const Series& s : m.series) {
    if (s.line) {
      std::string pts;
      float lx = 0, ly = 0;
      bool have = false;
      for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
        const float qx = m.px(s.x[i]), qy = m.py(s.y[i]);
        if (std::isnan(qx) || std::isnan(qy)) continue;
        if (s.step && have) pts += f2(qx) + "," + f2(ly) + " ";
        pts += f2(qx) + "," + f2(qy) + " ";
        lx = qx;
        ly = qy;
        have = true;
      }
      (void)lx;
      os << "<polyline fill=\"none\" stroke=\"" << css_color(s.color) << "\" stroke-width=\"" << s.line_width
         << "\" points=\"" << pts << "\"><title>" << xml_escape(s.name) << "</title></polyline>\n";
    }
    if (s.markers)
      for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
        const float qx = m.px(s.x[i]), qy = m.py(s.y[i]);
        if (std::isnan(qx) || std::isnan(qy)) continue;
        const bool hl = highlighted_id && i < s.ids.size() && s.ids[i] == *highlighted_id;
        os << "<circle cx=\"" << f2(qx) << "\" cy=\"" << f2(qy) << "\" r=\"" << s.marker_radius << "\" fill=\""
           << css_color(s.color) << "\"" << (hl ? " stroke=\"black\" stroke-width=\"2\"" : "") << "><title>"
           << xml_escape(s.name) << ": " << tick_label(s.x[i]) << ", " << tick_label(s.y[i]) << "</title></circle>\n";
      }
  }
  os << "</g>\n";
  float ly = f.y0 + 8;
  for (const Series& s : m.series) {
    if (s.name.empty()) continue;
    const float lx = f.x1 + 14;
    if (s.markers)
      os << "<circle cx=\"" << f2(lx + 6) << "\" cy=\"" << f2(ly) << "\" r=\"4\" fill=\"" << css_color(s.color)
         << "\"/>";
    else
      os << "<line x1=\"" << f2(lx) << "\" y1=\"" << f2(ly) << "\" x2=\"" << f2(lx + 12) << "\" y2=\"" << f2(ly)
         << "\" stroke=\"" << css_color(s.color) << "\" stroke-width=\"2\"/>";
    os << "<text x=\"" << f2(lx + 18) << "\" y=\"" << f2(ly + 4) << "\">" << xml_escape(s.name) << "</text>\n";
    ly += 18;
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace slimlab::gui
