// A real slimlab-gui window under Xvfb (Mesa llvmpipe, OpenGL 3.3 core), driven by
// a script. The test reads its screenshot back: the trade-off plot is not empty,
// every Pareto point has its technique's colour exactly where the data puts it
// (the test maps data to pixels itself from the plot's frame and axis range),
// the front's step line runs between them; then a scripted click on a point
// selects that run (the persisted selection says so). Skips only when no
// display can be made (no xvfb-run, or Xvfb/GL cannot start).
#include <gtest/gtest.h>
#include <stb_image.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "context_points_fixture.h"
#include "experiments/experiment.h"
#include "experiments/results.h"
#include "test_util.h"

using namespace slimlab;
namespace fs = std::filesystem;

namespace {

struct Point {
  std::string id, technique;
  double params, acc;
  bool pareto;
};

// params, accuracy: d, a, c are the front (as in test_gui_model), b is dominated.
const std::vector<Point> kPoints = {
    {"a", "float", 1000, 0.80, true},
    {"b", "float", 2000, 0.75, false},
    {"c", "deepiot", 20000, 0.92, true},
    {"d", "fixed8", 200, 0.55, true},
};

exp::RunRecord make_run(const Point& p) {
  exp::RunRecord r;
  r.experiment = "shot";
  r.run_id = p.id;
  r.status = "finished";
  r.dataset_source = "synthetic:har";
  r.model = "cnn1d";
  r.techniques = p.technique;
  r.num_classes = 2;
  r.class_names = {"a", "b"};
  r.result.val.num_classes = r.result.test.num_classes = 2;
  r.result.val.confusion = r.result.test.confusion = {1, 0, 0, 1};
  r.result.test.accuracy = p.acc;
  r.resources.params = int64_t(p.params);
  r.resources.bytes = int64_t(p.params) * 4;
  r.resources.macs = int64_t(p.params);
  r.resources.layers = {train::LayerResources{"fc", "dense", "fp32", {10}, int64_t(p.params), int64_t(p.params) * 4,
                                              int64_t(p.params), 40}};
  return r;
}

struct Result {
  int status = -1;
  std::string output;
};

Result run(const std::string& cmd) {
  Result r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return r;
}

struct Report {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double xlo = 0, xhi = 0, ylo = 0, yhi = 0;
  bool xlog = false, ylog = false;
  std::map<std::string, std::string> group_color;  // technique → "#rrggbb"
  std::string selected;
};

Report read_report(const fs::path& p) {
  Report r;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string what;
    ls >> what;
    if (what == "frame") ls >> r.x0 >> r.y0 >> r.x1 >> r.y1;
    std::string scale;
    if (what == "x_axis") {
      ls >> r.xlo >> r.xhi >> scale;
      r.xlog = scale == "log";
    }
    if (what == "y_axis") {
      ls >> r.ylo >> r.yhi >> scale;
      r.ylog = scale == "log";
    }
    if (what == "group") {
      std::string idx, name, color;
      ls >> idx >> name >> color;
      r.group_color[name] = color;
    }
    if (what == "selected") ls >> r.selected;
  }
  return r;
}

// The test's own data → pixel mapping (log10 on x, linear on y).
std::pair<float, float> pixel_of(const Report& r, double x, double y) {
  const double ux = r.xlog ? (std::log10(x) - std::log10(r.xlo)) / (std::log10(r.xhi) - std::log10(r.xlo))
                           : (x - r.xlo) / (r.xhi - r.xlo);
  const double uy = (y - r.ylo) / (r.yhi - r.ylo);
  return {float(r.x0 + ux * (r.x1 - r.x0)), float(r.y1 - uy * (r.y1 - r.y0))};
}

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> px;
  std::array<int, 3> at(int x, int y) const {
    const size_t i = (size_t(y) * size_t(w) + size_t(x)) * 4;
    return {px[i], px[i + 1], px[i + 2]};
  }
};

Image load_png(const fs::path& p) {
  Image img;
  int n = 0;
  unsigned char* data = stbi_load(p.c_str(), &img.w, &img.h, &n, 4);
  if (data) {
    img.px.assign(data, data + size_t(img.w) * size_t(img.h) * 4);
    stbi_image_free(data);
  }
  return img;
}

std::array<int, 3> hex(const std::string& c) {
  return {std::stoi(c.substr(1, 2), nullptr, 16), std::stoi(c.substr(3, 2), nullptr, 16),
          std::stoi(c.substr(5, 2), nullptr, 16)};
}

bool close_to(const std::array<int, 3>& a, const std::array<int, 3>& b, int tol = 24) {
  for (int i = 0; i < 3; ++i)
    if (std::abs(a[i] - b[i]) > tol) return false;
  return true;
}

std::string str(const std::array<int, 3>& c) {
  return "(" + std::to_string(c[0]) + "," + std::to_string(c[1]) + "," + std::to_string(c[2]) + ")";
}

// The non-empty pieces of `text` between `sep`s.
std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string piece; std::getline(in, piece, sep);)
    if (!piece.empty()) out.push_back(piece);
  return out;
}

class GuiWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    gui_ = test::bin_dir() / "slimlab-gui";
    if (!fs::exists(gui_)) GTEST_SKIP() << "slimlab-gui was not built (no GLFW/OpenGL development files)";
    if (run("command -v xvfb-run").status != 0) GTEST_SKIP() << "xvfb-run is not installed: no display can be made";
    for (const Point& p : kPoints) exp::write_results(make_run(p), tmp_ / "runs" / "shot" / p.id / "results.h5");
    fs::create_directories(tmp_ / "experiments");
  }
  // Runs the GUI under a fresh Xvfb with a script; skips when no display can be made.
  Result launch(const std::string& script, int width = 1400, int height = 860) {
    test::write_text(tmp_ / "script.txt", script);
    const std::string cmd = "LIBGL_ALWAYS_SOFTWARE=1 timeout 120 xvfb-run -a -s '-screen 0 1600x1000x24' '" +
                            gui_.string() + "' --runs '" + (tmp_ / "runs").string() + "' --experiments '" +
                            (tmp_ / "experiments").string() + "' --config-dir '" + (tmp_ / "config").string() +
                            "' --width " + std::to_string(width) + " --height " + std::to_string(height) + " --script '" + (tmp_ / "script.txt").string() + "'";
    return run(cmd);
  }
  bool no_display(const Result& r) const {
    return r.status == 3 || r.output.find("Xvfb failed to start") != std::string::npos ||
           r.output.find("xvfb-run: error") != std::string::npos;
  }
  test::TempDir tmp_;
  fs::path gui_;
};

}  // namespace

TEST_F(GuiWindow, ScreenshotShowsTheParetoPointsWhereTheDataSaysAndAClickSelects) {
  const fs::path shot = tmp_ / "shot.png", report = tmp_ / "report.txt";
  const fs::path saved = tmp_ / "saved" / "tradeoff";
  Result r = launch("wait 8\nreport " + report.string() + "\nscreenshot " + shot.string() + "\nwait 2\nsave-plot " +
                    saved.string() + "\nwait 2\n");
  if (no_display(r)) GTEST_SKIP() << "no display could be made: " << r.output;
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(fs::exists(shot)) << r.output;
  const Report rep = read_report(report);
  const Image img = load_png(shot);
  ASSERT_EQ(img.w, 1400);
  ASSERT_EQ(img.h, 860);
  ASSERT_GT(rep.x1 - rep.x0, 100) << "plot frame " << rep.x0 << "," << rep.y0 << " " << rep.x1 << "," << rep.y1;
  ASSERT_GT(rep.y1 - rep.y0, 100);
  EXPECT_TRUE(rep.xlog);
  EXPECT_FALSE(rep.ylog);
  // The view covers the data (auto-fit).
  EXPECT_LT(rep.xlo, 200);
  EXPECT_GT(rep.xhi, 20000);
  EXPECT_LT(rep.ylo, 0.55);
  EXPECT_GT(rep.yhi, 0.92);

  // The plot area is not empty: many pixels differ from its background, in several colours.
  const std::array<int, 3> bg = {24, 24, 28};
  size_t drawn = 0;
  std::map<int, int> colors;
  for (int y = int(rep.y0) + 2; y < int(rep.y1) - 2; ++y)
    for (int x = int(rep.x0) + 2; x < int(rep.x1) - 2; ++x) {
      const auto c = img.at(x, y);
      if (!close_to(c, bg, 6)) {
        ++drawn;
        colors[(c[0] / 32) * 64 + (c[1] / 32) * 8 + c[2] / 32]++;
      }
    }
  EXPECT_GT(drawn, 300u);
  EXPECT_GE(colors.size(), 4u);

  // Every Pareto point (and the dominated one) has its technique's colour at its pixel.
  for (const Point& p : kPoints) {
    const auto [px, py] = pixel_of(rep, p.params, p.acc);
    ASSERT_TRUE(rep.group_color.count(p.technique)) << p.technique;
    const auto want = hex(rep.group_color.at(p.technique));
    const auto got = img.at(int(std::lround(px)), int(std::lround(py)));
    EXPECT_TRUE(close_to(got, want)) << p.id << " at (" << px << ", " << py << "): got " << str(got) << ", want "
                                     << str(want);
    // 12 pixels to the right (beyond the marker) it is not that colour unless a line passes.
    const auto beside = img.at(int(std::lround(px)) + 12, int(std::lround(py)) + 12);
    EXPECT_FALSE(close_to(beside, want, 8)) << p.id;
  }
  // The front is a step line: horizontal from d to a at d's accuracy, etc.
  const Point* front[] = {&kPoints[3], &kPoints[0], &kPoints[2]};
  for (int i = 0; i + 1 < 3; ++i) {
    const auto [ax, ay] = pixel_of(rep, front[i]->params, front[i]->acc);
    const auto [bx, by] = pixel_of(rep, front[i + 1]->params, front[i + 1]->acc);
    (void)by;
    int brightest = 0;  // the 2-pixel antialiased line: the brightest of the rows around it
    for (int dy = -1; dy <= 1; ++dy)
      brightest = std::max(brightest, img.at(int(std::lround((ax + bx) / 2)), int(std::lround(ay)) + dy)[0]);
    EXPECT_GT(brightest, 180) << "no front line between " << front[i]->id << " and " << front[i + 1]->id;
  }

  // The plot widget's Save PNG (the plot's own rectangle, read back from the window)
  // and Save SVG (the same four markers).
  const Image png = load_png(saved.string() + ".png");
  EXPECT_GT(png.w, int(rep.x1 - rep.x0));
  EXPECT_GT(png.h, int(rep.y1 - rep.y0));
  EXPECT_LT(png.w, img.w);
  std::ifstream svg_in(saved.string() + ".svg");
  std::stringstream svg;
  svg << svg_in.rdbuf();
  size_t circles = 0;
  for (size_t at = 0; (at = svg.str().find("<circle", at)) != std::string::npos; ++at) ++circles;
  EXPECT_EQ(circles, kPoints.size() + 3) << "four markers and a legend dot per technique";

  // A scripted click on the dominated run "b" selects it (the layout persisted in imgui.ini).
  const auto [bx, by] = pixel_of(rep, 2000, 0.75);
  const fs::path report2 = tmp_ / "report2.txt";
  r = launch("wait 6\nmove " + std::to_string(bx) + " " + std::to_string(by) + "\nwait 2\nclick " +
             std::to_string(bx) + " " + std::to_string(by) + "\nwait 3\nreport " + report2.string() + "\n");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_report(report2).selected, "shot/b");
  std::ifstream state(tmp_ / "config" / "gui-state.ini");
  std::stringstream ss;
  ss << state.rdbuf();
  EXPECT_NE(ss.str().find("selected_run = shot/b"), std::string::npos) << ss.str();
}

// File → New experiment in a real 1280×800 window: the inspected data's class chart is
// on screen (one bar per class, in the chart's colour, where the panel reports it), and
// the experiment saved where the script asked loads with the CLI's loader.
TEST_F(GuiWindow, NewExperimentFromDataShowsTheClassesAndSavesALoadableFile) {
  const fs::path shot = tmp_ / "new.png", report = tmp_ / "new.txt", saved = tmp_ / "mine" / "first.toml";
  Result r = launch("new synthetic:vision dataset.synthetic_scale=0.05\nnew-stage fixed_point\nnew-set train.epochs 1\n"
                    "new-set export.enabled true\nnew-set export.precision int8\nnew-save " + saved.string() +
                    "\nwait 6\nnew-report " + report.string() + "\nscreenshot " + shot.string() + "\nwait 2\n",
                    1280, 800);
  if (no_display(r)) GTEST_SKIP() << "no display could be made: " << r.output;
  ASSERT_EQ(r.status, 0) << r.output;
  std::map<std::string, std::string> rep;
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  {
    std::ifstream in(report);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string key;
      ls >> key;
      if (key == "chart") ls >> x0 >> y0 >> x1 >> y1;
      else std::getline(ls >> std::ws, rep[key]);
    }
  }
  ASSERT_GT(x1 - x0, 100) << "chart " << x0 << "," << y0 << " " << x1 << "," << y1;
  ASSERT_GT(y1 - y0, 30);
  const int classes = std::stoi(rep["classes"]);
  ASSERT_GE(classes, 2);
  EXPECT_EQ(rep["valid"], "1");
  EXPECT_EQ(rep["saved"], saved.string());
  const Image img = load_png(shot);
  ASSERT_EQ(img.w, 1280);
  ASSERT_EQ(img.h, 800);
  ASSERT_LE(x1, 1280.0f);
  ASSERT_LE(y1, 800.0f);
  // A row just above the chart's floor crosses every bar once: one run of the bar colour per class.
  const auto bar = hex(rep["bar_color"]);
  const int row = int(y1) - 6;
  int runs = 0;
  bool in_bar = false;
  for (int x = int(x0) + 1; x < int(x1) - 1; ++x) {
    const bool b = close_to(img.at(x, row), bar, 30);
    if (b && !in_bar) ++runs;
    in_bar = b;
  }
  EXPECT_EQ(runs, classes) << "bar colour " << str(bar) << " at row " << row;
  // The saved experiment is what the CLI loads: the proposed model, the stage, int8 export.
  const exp::Experiment e = exp::load_experiment(saved);
  EXPECT_EQ(e.model.name, rep["model"]);
  ASSERT_EQ(e.stages.size(), 1u);
  EXPECT_EQ(e.stages[0].type, "fixed_point");
  EXPECT_EQ(e.export_.precision, "int8");
  EXPECT_EQ(e.train.epochs, 1);
}

// View → Context simulation in a real window with the real `slimlab simulate-context` on
// a run with operating points (no training: tests/context_points_fixture.h), a battery
// trace: the table has the adaptive run and every fixed point (as the summary CSV says),
// and the chosen-point plot shows the widest point at the first inference and the
// narrowest at the last, where the data puts them. Then a bad trace file: its error.
TEST_F(GuiWindow, ContextPanelPlotsTheChosenPointAndShowsAFailedChildsError) {
  if (!fs::exists(test::bin_dir() / "slimlab")) GTEST_SKIP() << "slimlab not built";
  const fs::path run = tmp_ / "runs" / "shot" / "ctx";
  exp::write_results(make_run({"ctx", "slimmable", 500, 0.6, false}), run / "results.h5");
  test::write_points_run(run);
  test::write_text(tmp_ / "bad.csv", "level\n0.5\n1.5\n");
  const fs::path shot = tmp_ / "ctx.png", report = tmp_ / "ctx.txt", report2 = tmp_ / "ctx2.txt";
  Result r = launch("select shot/ctx\ncontext battery 300\nwait-jobs 90\nwait 6\ncontext-report " + report.string() +
                    "\nscreenshot " + shot.string() + "\nwait 2\n");
  if (no_display(r)) GTEST_SKIP() << "no display could be made: " << r.output;
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string summary = test::read_text(run / "context-sim-summary.csv");
  std::vector<std::vector<std::string>> rows;
  std::map<int, std::vector<std::string>> plots;
  std::string error;
  for (const std::string& line : split(test::read_text(report), '\n')) {
    std::vector<std::string> words = split(line, ' ');
    if (line.rfind("row\t", 0) == 0) rows.push_back(split(line.substr(4), '\t'));
    if (words[0] == "plot") plots[std::stoi(words[1])] = std::vector<std::string>(words.begin() + 1, words.end());
    if (words[0] == "error") error = line.size() > 6 ? line.substr(6) : "";
  }
  EXPECT_EQ(error, "") << test::read_text(run / "context-sim.txt");
  ASSERT_EQ(rows.size(), 4u) << test::read_text(run / "context-sim.txt");
  EXPECT_EQ(rows[0][0], "adaptive");
  EXPECT_EQ(rows[3][0], "fixed w100");
  char acc[32];
  std::snprintf(acc, sizeof acc, "%.4f", std::stod(summary.substr(summary.find("adaptive,,") + 10)));
  EXPECT_EQ(rows[0][1], acc);
  // The chosen-point plot: frame x0 y0 x1 y1, x range, y range, colour.
  ASSERT_EQ(plots[1].size(), 10u);
  const auto& p = plots[1];
  const float x0 = std::stof(p[1]), y0 = std::stof(p[2]), x1 = std::stof(p[3]), y1 = std::stof(p[4]);
  const double xlo = std::stod(p[5]), xhi = std::stod(p[6]), ylo = std::stod(p[7]), yhi = std::stod(p[8]);
  const auto color = hex(p[9]);
  auto px = [&](double x) { return int(x0 + (x - xlo) / (xhi - xlo) * (x1 - x0)); };
  auto py = [&](double y) { return int(y1 - (y - ylo) / (yhi - ylo) * (y1 - y0)); };
  const Image img = load_png(shot);
  ASSERT_EQ(img.w, 1400);
  auto near = [&](int x, int y) {  // the series colour within two pixels
    for (int dy = -2; dy <= 2; ++dy)
      for (int dx = -2; dx <= 2; ++dx)
        if (close_to(img.at(x + dx, y + dy), color, 40)) return true;
    return false;
  };
  // Where the rows CSV says: the chosen point's line at its row, nothing at the other points.
  std::vector<int> point;
  const auto csv = split(test::read_text(run / "context-sim-rows.csv"), '\n');
  for (size_t i = 1; i < csv.size(); ++i) point.push_back(std::stoi(split(csv[i], ',').at(4)));
  ASSERT_EQ(point.size(), 300u);
  EXPECT_NE(point[60], point[280]) << "a draining battery ends on a cheaper point";
  for (int row : {60, 280}) {
    EXPECT_TRUE(near(px(row), py(point[size_t(row)]))) << "row " << row << " point " << point[size_t(row)] << " "
                                                      << str(color);
    for (int other = 0; other < 3; ++other) {
      if (other == point[size_t(row)]) continue;
      EXPECT_FALSE(near(px(row), py(other))) << "row " << row << " at " << other;
    }
  }
  // The bad trace: slimlab's error in the panel.
  r = launch("select shot/ctx\ncontext file " + (tmp_ / "bad.csv").string() + "\nwait-jobs 90\nwait 4\ncontext-report " +
             report2.string() + "\n");
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string second = test::read_text(report2);
  EXPECT_NE(second.find("bad.csv:3: level '1.5' is not a level in [0, 1]"), std::string::npos) << second;
  EXPECT_EQ(second.find("row\t"), std::string::npos) << second;
}
