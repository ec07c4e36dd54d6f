// The accuracy-vs-resource SVG: well-formed, one circle per plotted run, the
// Pareto step line through exactly the non-dominated runs, monotone coordinates,
// log-axis decades, and clear errors for unknown columns.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <regex>

#include "experiments/plot.h"
#include "experiments/runs.h"

using namespace slimlab;
using namespace slimlab::exp;

namespace {

RunRecord run(const std::string& id, const std::string& model, int64_t params, double acc) {
  RunRecord r;
  r.experiment = "exp";
  r.run_id = id;
  r.status = "finished";
  r.model = model;
  r.result.test.num_classes = 2;
  r.result.test.accuracy = acc;
  r.resources.params = params;
  r.resources.bytes = params * 4;
  r.resources.macs = params * 10;
  train::LayerResources l;
  l.params = params;
  r.resources.layers = {l};
  return r;
}

// Checks that every tag is closed in order; returns false on the first mismatch.
bool balanced(const std::string& svg, std::string* why) {
  std::vector<std::string> stack;
  size_t i = 0;
  while ((i = svg.find('<', i)) != std::string::npos) {
    const size_t end = svg.find('>', i);
    if (end == std::string::npos) {
      *why = "unterminated tag";
      return false;
    }
    const std::string tag = svg.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty()) {
      *why = "empty tag";
      return false;
    }
    if (tag[0] == '?' || tag[0] == '!') continue;
    if (tag.back() == '/') continue;  // self-closing
    const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" \t\n/", 1) - (tag[0] == '/' ? 1 : 0));
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != name) {
        *why = "</" + name + "> closes <" + (stack.empty() ? "" : stack.back()) + ">";
        return false;
      }
      stack.pop_back();
    } else {
      stack.push_back(name);
    }
  }
  if (!stack.empty()) *why = "<" + stack.back() + "> never closed";
  return stack.empty();
}

struct Circle {
  double cx, cy;
};

std::map<std::string, Circle> circles(const std::string& svg) {
  std::map<std::string, Circle> out;
  const std::regex re("<circle class=\"run\" data-run=\"([^\"]*)\" cx=\"([-0-9.]+)\" cy=\"([-0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it)
    out[(*it)[1]] = {std::atof((*it)[2].str().c_str()), std::atof((*it)[3].str().c_str())};
  return out;
}

std::vector<std::pair<double, double>> polyline(const std::string& svg) {
  std::vector<std::pair<double, double>> out;
  const std::regex re("<polyline class=\"pareto\"[^>]* points=\"([^\"]*)\"");
  std::smatch m;
  if (!std::regex_search(svg, m, re)) return out;
  std::stringstream ss(m[1].str());
  for (std::string pt; ss >> pt;) {
    const size_t comma = pt.find(',');
    out.emplace_back(std::atof(pt.substr(0, comma).c_str()), std::atof(pt.substr(comma + 1).c_str()));
  }
  return out;
}

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t i = s.find(needle); i != std::string::npos; i = s.find(needle, i + 1)) ++n;
  return n;
}

// Non-dominated (lower x, higher y) by brute force, in increasing x.
std::vector<size_t> brute_front(const std::vector<std::pair<double, double>>& p) {
  std::vector<size_t> front;
  for (size_t i = 0; i < p.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < p.size() && !dominated; ++j)
      dominated = j != i && p[j].first <= p[i].first && p[j].second >= p[i].second &&
                  (p[j].first < p[i].first || p[j].second > p[i].second);
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](size_t a, size_t b) { return p[a].first < p[b].first; });
  return front;
}

}  // namespace

TEST(Plot, SvgStructureFrontAndMonotoneCoordinates) {
  const std::vector<RunRecord> runs = {
      run("a", "cnn1d", 800, 0.70),      run("b", "cnn1d", 3000, 0.82),     run("c", "cnn1d", 12000, 0.80),
      run("d", "deepsense", 20000, 0.88), run("e", "deepsense", 150000, 0.91), run("f", "deepsense", 900000, 0.90),
      run("g", "cnn1d", 2000000, 0.93),  run("h", "deepsense", 5000, 0.60)};
  const std::string svg = accuracy_resource_svg(runs, {});
  std::string why;
  EXPECT_TRUE(balanced(svg, &why)) << why;
  EXPECT_EQ(count(svg, "<svg"), 1u);
  EXPECT_EQ(count(svg, "<circle"), runs.size());

  const auto c = circles(svg);
  ASSERT_EQ(c.size(), runs.size());
  // Monotone: more parameters → further right; higher accuracy → higher up (smaller y).
  for (const auto& a : runs)
    for (const auto& b : runs) {
      const Circle& ca = c.at("exp/" + a.run_id);
      const Circle& cb = c.at("exp/" + b.run_id);
      if (a.resources.params < b.resources.params) {
        EXPECT_LT(ca.cx, cb.cx) << a.run_id << " " << b.run_id;
      }
      if (a.result.test.accuracy > b.result.test.accuracy) {
        EXPECT_LT(ca.cy, cb.cy) << a.run_id << " " << b.run_id;
      }
    }

  // The step line: vertices 0, 2, 4, … are exactly the non-dominated runs in
  // increasing x, and each odd vertex is the corner (next x, previous y).
  std::vector<std::pair<double, double>> data;
  for (const auto& r : runs) data.emplace_back(double(r.resources.params), r.result.test.accuracy);
  const auto front = brute_front(data);
  EXPECT_EQ(front, (std::vector<size_t>{0, 1, 3, 4, 6}));  // a, b, d, e, g
  EXPECT_EQ(pareto_front(data), front);
  const auto line = polyline(svg);
  ASSERT_EQ(line.size(), 2 * front.size() - 1);
  for (size_t k = 0; k < front.size(); ++k) {
    const Circle& p = c.at("exp/" + runs[front[k]].run_id);
    EXPECT_NEAR(line[2 * k].first, p.cx, 0.011) << k;
    EXPECT_NEAR(line[2 * k].second, p.cy, 0.011) << k;
    if (k > 0) {
      EXPECT_NEAR(line[2 * k - 1].first, p.cx, 0.011);
      EXPECT_NEAR(line[2 * k - 1].second, line[2 * k - 2].second, 0.011);
    }
  }

  // Log axis in decades (800 … 2M → 100 … 10M), a legend with both models, tooltips.
  for (const char* label : {">100<", ">1k<", ">10k<", ">100k<", ">1M<", ">10M<"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  EXPECT_NE(svg.find("parameters (log scale)"), std::string::npos);
  EXPECT_NE(svg.find(">cnn1d</text>"), std::string::npos);
  EXPECT_NE(svg.find(">deepsense</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>exp/e (deepsense, float): params 150000, test_accuracy 0.91</title>"), std::string::npos);
  // Two models, two colours.
  const std::regex fill("data-run=\"exp/([a-h])\"[^>]* fill=\"(#[0-9a-f]{6})\"");
  std::map<std::string, std::string> colour;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), fill); it != std::sregex_iterator(); ++it)
    colour[(*it)[1]] = (*it)[2];
  ASSERT_EQ(colour.size(), runs.size());
  EXPECT_EQ(colour["a"], colour["b"]);
  EXPECT_NE(colour["a"], colour["d"]);
}

TEST(Plot, LinearAxesOtherColumnsAndLeftOutRuns) {
  std::vector<RunRecord> runs = {run("a", "m", 100, 0.5), run("b", "m", 400, 0.7), run("c", "m", 250, 0.9)};
  RunRecord pending = run("p", "m", 300, 0.0);
  pending.status = "running";
  runs.push_back(pending);
  runs[0].latency_ms = 2.5;
  runs[1].latency_ms = 1.0;
  runs[2].latency_ms = 4.0;
  PlotOptions o;
  o.x = "latency_ms";
  o.y = "test_accuracy";
  o.log_x = false;
  o.title = "A & B <test>";
  o.color_by = "experiment";
  const std::string svg = accuracy_resource_svg(runs, o);
  std::string why;
  EXPECT_TRUE(balanced(svg, &why)) << why;
  EXPECT_EQ(count(svg, "<circle"), 3u);
  EXPECT_NE(svg.find("A &amp; B &lt;test&gt;"), std::string::npos);
  EXPECT_NE(svg.find("1 run without latency_ms/test_accuracy not shown"), std::string::npos);
  const auto c = circles(svg);
  EXPECT_LT(c.at("exp/b").cx, c.at("exp/a").cx);  // 1 ms < 2.5 ms
  EXPECT_LT(c.at("exp/a").cx, c.at("exp/c").cx);
  // Front by latency: b (1 ms, 0.7) then c (4 ms, 0.9); a is dominated by b.
  EXPECT_EQ(polyline(svg).size(), 3u);
}

TEST(Plot, EmptyAndSinglePoint) {
  std::string why;
  const std::string empty = accuracy_resource_svg({}, {});
  EXPECT_TRUE(balanced(empty, &why)) << why;
  EXPECT_EQ(count(empty, "<circle"), 0u);
  EXPECT_NE(empty.find("no runs to plot"), std::string::npos);
  const std::string one = accuracy_resource_svg({run("a", "m", 1000, 0.8)}, {});
  EXPECT_TRUE(balanced(one, &why)) << why;
  EXPECT_EQ(count(one, "<circle"), 1u);
  EXPECT_EQ(polyline(one).size(), 1u);
  EXPECT_EQ(one.find("nan"), std::string::npos);
  EXPECT_EQ(one.find("inf"), std::string::npos);
}

TEST(Plot, UnknownColumnsListTheValidOnes) {
  PlotOptions o;
  o.x = "parameters";
  try {
    accuracy_resource_svg({}, o);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown column 'parameters' (valid: params, bytes, macs"),
              std::string::npos)
        << e.what();
  }
  o.x = "params";
  o.y = "acc";
  EXPECT_THROW(accuracy_resource_svg({}, o), std::invalid_argument);
  o.y = "test_accuracy";
  o.color_by = "colour";
  EXPECT_THROW(accuracy_resource_svg({}, o), std::invalid_argument);
}

TEST(Plot, ParetoFrontMatchesBruteForce) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> coord(0, 30);  // small range: many ties
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<std::pair<double, double>> p;
    const int n = 1 + trial % 25;
    for (int i = 0; i < n; ++i) p.emplace_back(coord(rng), coord(rng));
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());  // identical points: see pareto_front's contract
    std::shuffle(p.begin(), p.end(), rng);
    EXPECT_EQ(pareto_front(p), brute_front(p)) << "trial " << trial;
  }
  // Identical points: only the first is kept.
  EXPECT_EQ(pareto_front({{1, 1}, {1, 1}, {2, 3}}), (std::vector<size_t>{0, 2}));
}

// Long technique chains are not cut by the legend (issue #20): the picture grows to
// the right so that the longest name fits, and the plot area keeps its size.
TEST(Plot, LegendFitsLongTechniqueNames) {
  std::vector<RunRecord> runs = {run("a", "cnn1d", 800, 0.70), run("b", "cnn1d", 3000, 0.82)};
  runs[0].techniques = "float";
  runs[1].techniques = "deepiot+binaryconnect+fixed_point+weight_sharing";
  PlotOptions o;
  o.color_by = "technique";
  const std::string svg = accuracy_resource_svg(runs, o);
  const std::string name = runs[1].techniques;
  const size_t at = svg.find(">" + name + "</text>");
  ASSERT_NE(at, std::string::npos) << svg;
  // The label's x and the picture's width.
  const size_t x_at = svg.rfind("<text x=\"", at);
  const double x = std::stod(svg.substr(x_at + 9));
  const size_t w_at = svg.find("width=\"");
  const double width = std::stod(svg.substr(w_at + 7));
  EXPECT_GT(width, 760);
  EXPECT_LE(x + 7.0 * double(name.size()), width) << "the legend label runs past the picture";
  // Short names keep the default size.
  runs[1].techniques = "dns";
  const std::string small = accuracy_resource_svg(runs, o);
  EXPECT_EQ(std::stod(small.substr(small.find("width=\"") + 7)), 760);
}
