#include "experiments/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "experiments/runs.h"

namespace slimlab::exp {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};


std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string label_number(double v) {
  char buf[32];
  // Whole numbers in full (2000000, not 2e+06); others with 6 significant digits.
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string axis_title(const std::string& column, bool log) {
  std::string s = column;
  std::replace(s.begin(), s.end(), '_', ' ');
  if (column == "params") s = "parameters";
  if (column == "macs") s = "MACs per inference";
  if (column == "bytes") s = "model bytes";
  if (column == "latency_ms" || column == "latency") s = "latency (ms)";
  if (column == "energy_pj" || column == "energy") s = "estimated energy per inference (pJ)";
  return log ? s + " (log scale)" : s;
}

// An axis: data range [lo, hi] (log10 of it for a log axis) and its ticks.
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;  // in axis units (log10 for log axes)
  std::vector<std::pair<double, std::string>> major;  // axis units, label
  std::vector<double> minor;                          // axis units
  double t(double v) const { return log ? std::log10(v) : v; }
};

// 1, 2 or 5 × 10^k: the tick step for about `target` intervals.
double nice_step(double range, int target) {
  const double raw = range / target;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

Axis linear_axis(double mn, double mx, bool unit_interval) {
  Axis a;
  if (mn == mx) {
    const double d = mn == 0 ? 1 : std::fabs(mn) * 0.1;
    mn -= d;
    mx += d;
  }
  const double pad = (mx - mn) * 0.05;
  mn -= pad;
  mx += pad;
  if (unit_interval) {  // accuracies: never beyond [0, 1]
    mn = std::max(mn, 0.0);
    mx = std::min(mx, 1.0);
  }
  const double step = nice_step(mx - mn, 5);
  a.lo = std::floor(mn / step) * step;
  a.hi = std::ceil(mx / step) * step;
  if (unit_interval) {
    a.lo = std::max(a.lo, 0.0);
    a.hi = std::min(a.hi, 1.0);
  }
  for (double v = a.lo; v <= a.hi + step * 1e-9; v += step) {
    const double r = std::round(v / step) * step;  // no 0.30000000000000004 labels
    a.major.emplace_back(r, label_number(r));
  }
  return a;
}

Axis log_axis(double mn, double mx) {
  Axis a;
  a.log = true;
  a.lo = std::floor(std::log10(mn));
  a.hi = std::ceil(std::log10(mx));
  if (a.hi <= a.lo) a.hi = a.lo + 1;
  for (int k = int(a.lo); k <= int(a.hi); ++k) {
    const double v = std::pow(10.0, k);
    a.major.emplace_back(double(k), k >= 0 ? short_count(v) : label_number(v));
    if (k < int(a.hi))
      for (int m = 2; m <= 9; ++m) a.minor.push_back(std::log10(m * v));
  }
  return a;
}

std::string group_of(const RunRecord& r, const std::string& by) {
  const std::string& g = by == "model" ? r.model : by == "technique" ? r.techniques : r.experiment;
  return g.empty() ? "(none)" : g;
}

void check_column(const std::string& c, const char* what) {
  const auto& valid = numeric_columns();
  if (std::find(valid.begin(), valid.end(), c) != valid.end()) return;
  std::string list;
  for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
  throw std::invalid_argument(std::string("plot ") + what + ": unknown column '" + c + "' (valid: " + list + ")");
}

// Where the plot area lies in the picture.
struct Frame {
  double left, top, pw, ph, H;
};

// Grid, ticks and labels of both axes, the axis lines and the axis titles.
void axes_svg(std::ostringstream& s, const Axis& ax, const Axis& ay, const PlotOptions& o, const Frame& f) {
  const double left = f.left, top = f.top, pw = f.pw, ph = f.ph, H = f.H;
  auto py = [&](double y) { return top + ph - (y - ay.lo) / (ay.hi - ay.lo) * ph; };
  auto px_axis = [&](double u) { return left + (u - ax.lo) / (ax.hi - ax.lo) * pw; };
  s << "<g class=\"x-axis\" stroke=\"#ccc\">\n";
  for (double u : ax.minor)
    s << "<line x1=\"" << num(px_axis(u)) << "\" y1=\"" << num(top + ph) << "\" x2=\"" << num(px_axis(u)) << "\" y2=\""
      << num(top + ph + 3) << "\" stroke=\"#888\"/>\n";
  for (const auto& [u, label] : ax.major)
    s << "<line x1=\"" << num(px_axis(u)) << "\" y1=\"" << num(top) << "\" x2=\"" << num(px_axis(u)) << "\" y2=\""
      << num(top + ph + 6) << "\"/>\n"
      << "<text x=\"" << num(px_axis(u)) << "\" y=\"" << num(top + ph + 20) << "\" text-anchor=\"middle\" "
      << "stroke=\"none\" fill=\"#222\">" << xml_escape(label) << "</text>\n";
  s << "</g>\n<g class=\"y-axis\" stroke=\"#ccc\">\n";
  for (const auto& [v, label] : ay.major)
    s << "<line x1=\"" << num(left - 6) << "\" y1=\"" << num(py(v)) << "\" x2=\"" << num(left + pw) << "\" y2=\""
      << num(py(v)) << "\"/>\n"
      << "<text x=\"" << num(left - 9) << "\" y=\"" << num(py(v) + 4) << "\" text-anchor=\"end\" stroke=\"none\" "
      << "fill=\"#222\">" << xml_escape(label) << "</text>\n";
  s << "</g>\n";
  s << "<line x1=\"" << num(left) << "\" y1=\"" << num(top + ph) << "\" x2=\"" << num(left + pw) << "\" y2=\""
    << num(top + ph) << "\" stroke=\"#222\"/>\n"
    << "<line x1=\"" << num(left) << "\" y1=\"" << num(top) << "\" x2=\"" << num(left) << "\" y2=\"" << num(top + ph)
    << "\" stroke=\"#222\"/>\n";
  s << "<text x=\"" << num(left + pw / 2) << "\" y=\"" << num(H - 14) << "\" text-anchor=\"middle\">"
    << xml_escape(axis_title(o.x, o.log_x)) << "</text>\n"
    << "<text x=\"18\" y=\"" << num(top + ph / 2) << "\" text-anchor=\"middle\" transform=\"rotate(-90 18 "
    << num(top + ph / 2) << ")\">" << xml_escape(axis_title(o.y, false)) << "</text>\n";

}

// The legend, a column of squares (so circles stay one per run) with the group
// names, then the Pareto front's line; x0, top: its upper-left corner.
void legend_svg(std::ostringstream& s, const std::vector<std::string>& groups, const std::string& title,
                bool with_front, double x0, double top) {
  s << "<g class=\"legend\">\n<text x=\"" << num(x0) << "\" y=\"" << num(top + 4) << "\" font-weight=\"bold\">"
    << xml_escape(title) << "</text>\n";
  for (size_t i = 0; i < groups.size(); ++i) {
    const double y = top + 14 + 20 * double(i);
    s << "<rect x=\"" << num(x0) << "\" y=\"" << num(y) << "\" width=\"12\" height=\"12\" fill=\""
      << kPalette[i % (sizeof kPalette / sizeof kPalette[0])] << "\" stroke=\"#222\" stroke-width=\"0.6\"/>\n"
      << "<text x=\"" << num(x0 + 18) << "\" y=\"" << num(y + 10) << "\">" << xml_escape(groups[i]) << "</text>\n";
  }
  const double after = top + 14 + 20 * double(groups.size()) + 10;
  if (with_front)
    s << "<line x1=\"" << num(x0) << "\" y1=\"" << num(after) << "\" x2=\"" << num(x0 + 12) << "\" y2=\""
      << num(after) << "\" stroke=\"#333\" stroke-dasharray=\"5,3\"/>\n"
      << "<text x=\"" << num(x0 + 18) << "\" y=\"" << num(after + 4) << "\">Pareto front</text>\n";
  s << "</g>\n";
}

}  // namespace

std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& p) {
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), size_t(0));
  // Increasing x; for equal x the best y first (then input order).
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return p[a].first != p[b].first ? p[a].first < p[b].first : p[a].second > p[b].second;
  });
  std::vector<size_t> front;
  for (size_t i : order)
    if (front.empty() || p[i].second > p[front.back()].second) front.push_back(i);
  return front;
}

std::string accuracy_resource_svg(const std::vector<RunRecord>& runs, const PlotOptions& o) {
  check_column(o.x, "x");
  check_column(o.y, "y");
  if (o.color_by != "model" && o.color_by != "technique" && o.color_by != "experiment")
    throw std::invalid_argument("plot color_by: unknown value '" + o.color_by +
                                "' (valid: model, technique, experiment)");

  struct Point {
    const RunRecord* run;
    double x, y;
  };
  std::vector<Point> pts;
  size_t left_out = 0;
  for (const RunRecord& r : runs) {
    const auto x = numeric_value(r, o.x);
    const auto y = numeric_value(r, o.y);
    if (!x || !y || !std::isfinite(*x) || !std::isfinite(*y) || (o.log_x && *x <= 0)) {
      ++left_out;
      continue;
    }
    pts.push_back({&r, *x, *y});
  }

  // Scales.
  const bool unit_y = o.y.find("accuracy") != std::string::npos || o.y.find("f1") != std::string::npos;
  Axis ax, ay;
  if (pts.empty()) {
    ax = o.log_x ? log_axis(1, 10) : linear_axis(0, 1, false);
    ay = linear_axis(0, 1, unit_y);
  } else {
    auto [xmin, xmax] = std::minmax_element(pts.begin(), pts.end(), [](auto& a, auto& b) { return a.x < b.x; });
    auto [ymin, ymax] = std::minmax_element(pts.begin(), pts.end(), [](auto& a, auto& b) { return a.y < b.y; });
    ax = o.log_x ? log_axis(xmin->x, xmax->x) : linear_axis(xmin->x, xmax->x, false);
    ay = linear_axis(ymin->y, ymax->y, unit_y && ymin->y >= 0 && ymax->y <= 1);
  }
  // Legend groups, one colour each; the legend column is as wide as its longest
  // name (long technique chains such as "deepiot+binaryconnect+fixed_point" are not
  // cut): the picture grows to the right, the plot area keeps its size.
  std::vector<std::string> groups;
  for (const Point& p : pts) groups.push_back(group_of(*p.run, o.color_by));
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  size_t longest = std::string("Pareto front").size();
  for (const std::string& g : groups) longest = std::max(longest, g.size());
  constexpr double kCharWidth = 7.2;  // generous mean advance of a 12 px sans-serif glyph
  const double right = std::max(180.0, 38 + kCharWidth * double(longest) + 12);
  const double W = std::max(o.width, 320) + (right - 180), H = std::max(o.height, 240);
  const double left = 72, top = 44, bottom = 56;
  const double pw = W - left - right, ph = H - top - bottom;
  auto px = [&](double x) { return left + (ax.t(x) - ax.lo) / (ax.hi - ax.lo) * pw; };
  auto py = [&](double y) { return top + ph - (y - ay.lo) / (ay.hi - ay.lo) * ph; };

  std::ostringstream s;
  s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W
    << " " << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect x=\"0\" y=\"0\" width=\"" << W << "\" height=\"" << H << "\" fill=\"white\"/>\n";
  const std::string title = o.title.empty() ? axis_title(o.y, false) + " vs " + axis_title(o.x, false) : o.title;
  s << "<text x=\"" << num(left + pw / 2) << "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">"
    << xml_escape(title) << "</text>\n";

  axes_svg(s, ax, ay, o, {left, top, pw, ph, H});

  // Pareto front as a step line: from each front point right to the next one's
  // x at the same y, then up to it (the best y reachable within a budget of x).
  std::vector<std::pair<double, double>> xy;
  for (const Point& p : pts) xy.emplace_back(p.x, p.y);
  const auto front = pareto_front(xy);
  if (!front.empty()) {
    s << "<polyline class=\"pareto\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\" "
         "points=\"";
    for (size_t k = 0; k < front.size(); ++k) {
      const Point& p = pts[front[k]];
      if (k > 0) s << " " << num(px(p.x)) << "," << num(py(pts[front[k - 1]].y));
      s << (k > 0 ? " " : "") << num(px(p.x)) << "," << num(py(p.y));
    }
    s << "\"><title>Pareto front (" << front.size() << " runs)</title></polyline>\n";
  }

  // Points, one colour per group.
  auto colour = [&](const std::string& g) {
    const size_t i = size_t(std::find(groups.begin(), groups.end(), g) - groups.begin());
    return kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
  };
  s << "<g class=\"runs\" stroke=\"#222\" stroke-width=\"0.6\">\n";
  for (const Point& p : pts) {
    const std::string id = p.run->experiment + "/" + p.run->run_id;
    s << "<circle class=\"run\" data-run=\"" << xml_escape(id) << "\" cx=\"" << num(px(p.x)) << "\" cy=\""
      << num(py(p.y)) << "\" r=\"5\" fill=\"" << colour(group_of(*p.run, o.color_by)) << "\"><title>"
      << xml_escape(id + " (" + p.run->model + ", " + p.run->techniques + "): " + o.x + " " + label_number(p.x) +
                    ", " + o.y + " " + label_number(p.y))
      << "</title></circle>\n";
  }
  s << "</g>\n";

  legend_svg(s, groups, o.color_by, !front.empty(), left + pw + 20, top);
  if (pts.empty())
    s << "<text x=\"" << num(left + pw / 2) << "\" y=\"" << num(top + ph / 2) << "\" text-anchor=\"middle\" "
      << "fill=\"#888\">no runs to plot</text>\n";
  if (left_out > 0)
    s << "<text class=\"note\" x=\"" << num(left + pw + 20) << "\" y=\"" << num(H - 14) << "\" fill=\"#888\">"
      << left_out << (left_out == 1 ? " run" : " runs") << " without " << xml_escape(o.x) << "/" << xml_escape(o.y)
      << " not shown</text>\n";
  s << "</svg>\n";
  return s.str();
}

}  // namespace slimlab::exp
