// slimlab-gui: the window program. GLFW + OpenGL 3.3 core + Dear ImGui around
// gui::App. Besides interactive use it can follow a script (--script) of mouse
// moves, clicks, screenshots and geometry reports — how the Xvfb test drives a
// real window — and time its frames (--bench-frames).
#include <CLI/CLI.hpp>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "gui/model/workbench.h"
#include "gui/ui/app.h"
#include "gui/ui/panels.h"
#include "gui/ui/plot_widget.h"

namespace fs = std::filesystem;
using namespace slimlab::gui;

namespace {

// Exit codes the Xvfb test tells apart.
constexpr int kNoDisplay = 3;

struct ScriptStep {
  std::string op;
  std::vector<std::string> args;
  int line = 0;
};

std::vector<ScriptStep> read_script(const fs::path& file) {
  std::vector<ScriptStep> out;
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read script " + file.string());
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream ls(line);
    ScriptStep s;
    s.line = n;
    if (!(ls >> s.op) || s.op[0] == '#') continue;
    for (std::string a; ls >> a;) s.args.push_back(a);
    out.push_back(s);
  }
  return out;
}

// Reads the back buffer (after rendering, before the swap) into a PNG.
bool save_png(const fs::path& file, int fb_w, int fb_h, const Rect& rect, float scale_x, float scale_y) {
  int x0 = 0, y0 = 0, w = fb_w, h = fb_h;
  if (rect.width() > 0 && rect.height() > 0) {
    x0 = std::max(0, int(rect.x0 * scale_x));
    y0 = std::max(0, int(rect.y0 * scale_y));
    w = std::min(fb_w - x0, int(rect.width() * scale_x));
    h = std::min(fb_h - y0, int(rect.height() * scale_y));
  }
  if (w <= 0 || h <= 0) return false;
  std::vector<unsigned char> px(size_t(w) * size_t(h) * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  // OpenGL's origin is bottom-left.
  glReadPixels(x0, fb_h - y0 - h, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  std::vector<unsigned char> flipped(px.size());
  for (int row = 0; row < h; ++row)
    std::copy_n(px.begin() + long(size_t(h - 1 - row) * size_t(w) * 4), size_t(w) * 4,
                flipped.begin() + long(size_t(row) * size_t(w) * 4));
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  return stbi_write_png(file.string().c_str(), w, h, 4, flipped.data(), w * 4) != 0;
}

// Where the trade-off plot is and what it shows, for the screenshot test.
void write_report(const fs::path& file, App& app, Workbench& wb) {
  std::ofstream out(file);
  TradeoffPanel* t = app.tradeoff();
  const PlotModel& m = t->plot();
  const Rect& f = t->widget().frame();
  out << "frame " << f.x0 << " " << f.y0 << " " << f.x1 << " " << f.y1 << "\n";
  out.precision(17);
  out << "x_axis " << m.x.lo << " " << m.x.hi << " " << (m.x.scale == AxisScale::kLog ? "log" : "linear") << "\n";
  out << "y_axis " << m.y.lo << " " << m.y.hi << " " << (m.y.scale == AxisScale::kLog ? "log" : "linear") << "\n";
  for (size_t g = 0; g < t->tradeoff().groups.size(); ++g)
    out << "group " << g << " " << t->tradeoff().groups[g] << " " << css_color(palette_color(g)) << "\n";
  out << "selected " << (wb.table().selected_key().empty() ? "-" : wb.table().selected_key()) << "\n";
}

// The script's state across frames: act on a frame, then let `wait` frames pass.
class ScriptPlayer {
 public:
  ScriptPlayer(std::vector<ScriptStep> script, App& app, Workbench& wb)
      : script_(std::move(script)), app_(app), wb_(wb) {}

  bool empty() const { return script_.empty(); }
  bool finished() const { return step_ >= script_.size(); }
  bool idle() const { return wait_frames_ == 0; }
  bool waiting() const { return waiting_; }
  std::vector<std::pair<Rect, fs::path>>& screenshots() { return screenshots_; }

  // Runs this frame's steps; `frames` and `exit_code` change on quit or on an error.
  void play(int frame, int& frames, int& exit_code) {
    if (wait_frames_ > 0) --wait_frames_;
    if (waiting_ && ((!sleep_only_ && wb_.jobs().running() + wb_.jobs().queued() == 0) ||
                     std::chrono::steady_clock::now() > wait_until_)) {
      waiting_ = false;
      sleep_only_ = false;
    }
    while (wait_frames_ == 0 && !waiting_ && step_ < script_.size()) {
      const ScriptStep& s = script_[step_++];
      try {
        run_step(s, frame, frames);
      } catch (const std::exception& e) {
        std::cerr << "slimlab-gui: " << e.what() << "\n";
        exit_code = 1;
        frames = frame + 1;
        step_ = script_.size();
      }
      if (s.op == "screenshot") break;  // one per frame, after it is drawn
    }
  }

  // After the backend, so the script wins over the (absent) real mouse.
  void apply_mouse(ImGuiIO& io) {
    if (!script_mouse_) return;
    io.MousePos = mouse_;
    io.MouseDown[0] = down_frames_ > 0;
    if (down_frames_ > 0) --down_frames_;
  }

 private:
  void run_step(const ScriptStep& s, int frame, int& frames) {
    auto need = [&](size_t n) {
      if (s.args.size() < n)
        throw std::runtime_error("script line " + std::to_string(s.line) + ": " + s.op + " needs " + std::to_string(n) +
                                 " arguments");
    };
    if (s.op == "wait") {
      need(1);
      wait_frames_ = std::max(1, std::stoi(s.args[0]));
    } else if (s.op == "move" || s.op == "click") {
      need(2);
      mouse_ = ImVec2(std::stof(s.args[0]), std::stof(s.args[1]));
      script_mouse_ = true;
      if (s.op == "click") {
        down_frames_ = 1;
        wait_frames_ = 2;  // the press frame, then the release frame
      }
    } else if (s.op == "open") {  // the Experiments panel's form, as if the file were clicked
      need(1);
      if (!wb_.form().open(s.args[0]))
        for (const auto& e : wb_.form().errors()) std::cerr << "slimlab-gui: " << e << "\n";
    } else if (s.op == "set") {  // set KEY VALUE: edit a form field
      need(2);
      wb_.form().set(s.args[0], s.args[1]);
    } else if (s.op == "start") {  // the form's Start button
      const auto ids = wb_.form().start(wb_.jobs(), wb_.paths().slimlab_exe, wb_.paths().runs_root);
      std::cerr << "slimlab-gui: queued " << ids.size() << " run(s)\n";
    } else if (s.op == "wait-jobs") {  // wait-jobs SECONDS: frames go on until no job is queued or running
      need(1);
      wait_until_ = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(s.args[0]));
      waiting_ = true;
    } else if (s.op == "sleep") {  // sleep SECONDS: frames go on (runs progress) for this long
      need(1);
      wait_until_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(int(1000 * std::stod(s.args[0])));
      waiting_ = sleep_only_ = true;
    } else if (s.op == "save-plot") {  // save-plot BASE: the trade-off plot's Save SVG and Save PNG
      need(1);
      TradeoffPanel* t = app_.tradeoff();
      t->widget().save_svg(t->plot(), s.args[0] + ".svg");
      t->widget().save_png(s.args[0] + ".png");
    } else if (s.op == "select") {
      need(1);
      wb_.table().select(s.args[0]);
    } else if (s.op == "screenshot") {
      need(1);
      screenshots_.push_back({Rect{}, s.args[0]});
    } else if (s.op == "report") {
      need(1);
      write_report(s.args[0], app_, wb_);
    } else if (s.op.rfind("new", 0) == 0) {
      new_experiment_step(s, need);
    } else if (s.op.rfind("context", 0) == 0) {
      context_step(s, need);
    } else if (s.op == "quit") {
      step_ = script_.size();
      frames = frame + 1;
    } else {
      throw std::runtime_error("script line " + std::to_string(s.line) + ": unknown command '" + s.op + "'");
    }
  }

  // File → New experiment, scripted: new SOURCE | new-set KEY VALUE | new-stage TYPE |
  // new-save FILE | new-start | new-report FILE.
  template <class Need>
  void new_experiment_step(const ScriptStep& s, Need need) {
    auto* panel = static_cast<NewExperimentPanel*>(app_.panel("new_experiment"));
    NewExperiment& n = wb_.new_experiment();
    if (s.op == "new") {  // new SOURCE [dataset.KEY=VALUE …]: set before the inspection
      need(1);
      panel->start_new();
      n.set_source(s.args[0]);
      for (size_t i = 1; i < s.args.size(); ++i) {
        const size_t eq = s.args[i].find('=');
        if (eq == std::string::npos) throw std::runtime_error("new: expected KEY=VALUE, got " + s.args[i]);
        n.set(s.args[i].substr(0, eq), s.args[i].substr(eq + 1));
      }
      if (!n.inspect_now()) throw std::runtime_error("new " + s.args[0] + ": " + n.inspect_error());
    } else if (s.op == "new-set") {
      need(2);
      n.set(s.args[0], s.args[1]);
    } else if (s.op == "new-stage") {
      need(1);
      n.add_stage(s.args[0]);
    } else if (s.op == "new-save") {
      need(1);
      panel->set_save_path(s.args[0]);
      if (!panel->save()) throw std::runtime_error("new-save: " + panel->message());
    } else if (s.op == "new-start") {
      std::string why;
      const auto ids = n.start(wb_.form(), wb_.jobs(), wb_.paths().slimlab_exe, wb_.paths().runs_root, &why);
      if (ids.empty()) throw std::runtime_error("new-start: " + why);
    } else if (s.op == "new-report") {
      need(1);
      std::ofstream out(s.args[0]);
      const Rect& c = panel->chart();
      out << "chart " << c.x0 << " " << c.y0 << " " << c.x1 << " " << c.y1 << "\n";
      out << "bar_color " << css_color(NewExperimentPanel::kBarColor) << "\n";
      out << "classes " << (n.summary() ? n.summary()->class_names().size() : 0) << "\n";
      out << "model " << (n.model().empty() ? "-" : n.model()) << "\n";
      out << "valid " << (n.valid() ? 1 : 0) << "\n";
      out << "saved " << (n.saved_file().empty() ? "-" : n.saved_file().string()) << "\n";
    } else {
      throw std::runtime_error("script line " + std::to_string(s.line) + ": unknown command '" + s.op + "'");
    }
  }

  // View → Context simulation, scripted: context TRACE STEPS|FILE [PLANNER] simulates the
  // selected run (exporting its points first when it has none); context-report FILE writes
  // the summary table, the error text and each plot's frame, range and first series colour.
  template <class Need>
  void context_step(const ScriptStep& s, Need need) {
    auto* panel = static_cast<ContextPanel*>(app_.panel("context"));
    panel->open = true;
    if (s.op == "context") {
      need(2);
      ContextOptions& o = panel->options();
      o.trace = s.args[0];
      if (o.trace == "file") o.trace_file = s.args[1];
      else o.steps = std::stoi(s.args[1]);
      if (s.args.size() > 2) o.planner = s.args[2];
      const slimlab::exp::RunRecord* r = wb_.table().selected();
      if (!r) throw std::runtime_error("context: no run selected");
      std::string why;
      const bool has_points = fs::exists(ContextController::points_model(r->dir));
      if (!wb_.context().request(run_key(*r), r->dir, o, !has_points, &why)) throw std::runtime_error("context: " + why);
    } else if (s.op == "context-report") {
      need(1);
      std::ofstream out(s.args[0]);
      for (const auto& row : panel->table()) {
        out << "row";
        for (const std::string& c : row) out << "\t" << c;
        out << "\n";
      }
      out << "best " << panel->best_row() << "\nerror " << panel->error() << "\n";
      out.precision(17);
      for (size_t i = 0; i < 4; ++i) {
        const Rect& f = panel->widget(i).frame();
        const PlotModel& m = panel->plot(i);
        out << "plot " << i << " " << f.x0 << " " << f.y0 << " " << f.x1 << " " << f.y1 << " " << m.x.lo << " " << m.x.hi
            << " " << m.y.lo << " " << m.y.hi << " " << (m.series.empty() ? "-" : css_color(m.series[0].color)) << "\n";
      }
    } else {
      throw std::runtime_error("script line " + std::to_string(s.line) + ": unknown command '" + s.op + "'");
    }
  }

  std::vector<ScriptStep> script_;
  App& app_;
  Workbench& wb_;
  size_t step_ = 0;
  int wait_frames_ = 0;
  bool script_mouse_ = false;
  ImVec2 mouse_{-1, -1};
  int down_frames_ = 0;      // a scripted click: the button is down this many frames, then up
  bool waiting_ = false;     // a wait-jobs or sleep is in progress
  bool sleep_only_ = false;  // sleep: ignore the jobs
  std::chrono::steady_clock::time_point wait_until_{};
  std::vector<std::pair<Rect, fs::path>> screenshots_;
};

struct Options {
  WorkbenchPaths paths;
  int width = 1400, height = 860;
  std::string script_file;
  int frames = 0, bench_frames = 0;
  std::string font_file = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  float font_size = 15.0f;
};

void add_options(CLI::App& cli, Options& o) {
  cli.add_option("--runs", o.paths.runs_root, "Root folder of the runs")->capture_default_str();
  cli.add_option("--experiments", o.paths.experiments_dir,
                 "Folder of experiment files (default: the one chosen last, else experiments)")
      ->capture_default_str();
  cli.add_option("--slimlab", o.paths.slimlab_exe, "The slimlab program (default: beside slimlab-gui)");
  cli.add_option("--slimrt-run", o.paths.slimrt_run_exe, "The slimrt-run program (default: beside slimlab-gui)");
  cli.add_option("--config-dir", o.paths.config_dir,
                 "Where imgui.ini and gui-state.ini live (default: ~/.config/slimlab)");
  cli.add_option("--font", o.font_file, "TrueType font (\"\" for the built-in one)")->capture_default_str();
  cli.add_option("--font-size", o.font_size, "Font size in pixels")
      ->capture_default_str()
      ->check(CLI::Range(6.0, 64.0));
  cli.add_option("--width", o.width, "Window width")->capture_default_str();
  cli.add_option("--height", o.height, "Window height")->capture_default_str();
  cli.add_option("--script", o.script_file,
                 "Follow a script: wait N | move X Y | click X Y | select RUN | open FILE | set KEY VALUE | start | "
                 "wait-jobs SECONDS | sleep SECONDS | save-plot BASE | screenshot FILE | report FILE | new SOURCE | "
                 "new-set KEY VALUE | new-stage TYPE | new-save FILE | new-start | new-report FILE | "
                 "context TRACE STEPS|FILE [PLANNER] | context-report FILE | quit");
  cli.add_option("--frames", o.frames, "Quit after this many frames (0: run until closed)");
  cli.add_option("--bench-frames", o.bench_frames,
                 "Draw this many frames as fast as possible and print the frame times");
}

// An OpenGL 3.3 core window, or null (after a message) when there is no display.
GLFWwindow* open_window(int width, int height, bool unattended) {
  glfwSetErrorCallback([](int code, const char* what) { std::cerr << "slimlab-gui: GLFW error " << code << ": " << what << "\n"; });
  if (!glfwInit()) {
    std::cerr << "slimlab-gui: cannot open a display (is DISPLAY set? try xvfb-run -a slimlab-gui)\n";
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
  GLFWwindow* window = glfwCreateWindow(width, height, "SlimLab", nullptr, nullptr);
  if (!window) {
    std::cerr << "slimlab-gui: cannot create an OpenGL 3.3 core window\n";
    glfwTerminate();
    return nullptr;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(unattended ? 0 : 1);
  return window;
}

// ImGui's context, ini file, navigation, style and font; returns the ini path ImGui keeps a pointer to.
const std::string& init_imgui(GLFWwindow* window, Workbench& wb, const Options& o) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  std::error_code ec;
  fs::create_directories(wb.paths().config_dir, ec);
  static std::string ini;  // ImGui keeps the pointer
  ini = wb.imgui_ini().string();
  io.IniFilename = ini.c_str();
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;  // Tab/arrows/Enter move through the panels
  ImGui::StyleColorsDark();
  // DejaVu Sans when installed (fonts-dejavu-core): the built-in font has no arrows,
  // dashes or Greek, which run logs and units use ("0.51 → 0.62", "µJ", "σ").
  if (!o.font_file.empty() && fs::exists(o.font_file)) {
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190, 0x21FF,
                                     0x2200, 0x22FF, 0x2500, 0x257F, 0};
    if (!io.Fonts->AddFontFromFileTTF(o.font_file.c_str(), o.font_size, nullptr, ranges))
      std::cerr << "slimlab-gui: cannot load " << o.font_file << "; using the built-in font\n";
  }
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  return ini;
}

// Screenshots (the script's and the plot widget's Save PNG) read this frame's pixels.
void take_screenshots(std::vector<std::pair<Rect, fs::path>>& screenshots, const ImGuiIO& io, int fb_w, int fb_h) {
  const float sx = io.DisplaySize.x > 0 ? float(fb_w) / io.DisplaySize.x : 1.0f;
  const float sy = io.DisplaySize.y > 0 ? float(fb_h) / io.DisplaySize.y : 1.0f;
  for (auto& req : CaptureQueue::instance().pending) screenshots.push_back({req.rect, req.file});
  CaptureQueue::instance().pending.clear();
  for (const auto& [rect, file] : screenshots)
    if (!save_png(file, fb_w, fb_h, rect, sx, sy)) std::cerr << "slimlab-gui: could not write " << file << "\n";
  screenshots.clear();
}

void print_frame_stats(const char* what, const std::vector<double>& all, size_t runs) {
  std::vector<double> v(all.begin() + 10, all.end());  // skip the warm-up (font atlas upload)
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  std::printf("%-6s frames %zu  runs %zu  mean %.2f ms  median %.2f ms  p95 %.2f ms  max %.2f ms\n", what, v.size(),
              runs, sum / double(v.size()), v[v.size() / 2], v[size_t(double(v.size()) * 0.95)], v.back());
}

// Milliseconds since t0.
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The frame loop; returns the exit code.
int run_frames(GLFWwindow* window, App& app, Workbench& wb, ScriptPlayer& player, Options& o) {
  const bool unattended = !player.empty() || o.frames > 0 || o.bench_frames > 0;
  ImGuiIO& io = ImGui::GetIO();
  std::vector<double> frame_ms, ui_ms;  // whole frame (events, UI, GL, glFinish) and the UI alone
  int exit_code = 0;
  int& frames = o.frames;
  for (int frame = 0; !glfwWindowShouldClose(window) && !app.quit_requested(); ++frame) {
    if (unattended && player.waiting()) glfwWaitEventsTimeout(0.05);  // leave the CPU to the runs
    else if (unattended) glfwPollEvents();
    else glfwWaitEventsTimeout(app.animating() ? 1.0 / 60 : 0.25);  // idle: runs still refresh 4× a second
    const auto t0 = std::chrono::steady_clock::now();
    player.play(frame, frames, exit_code);

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    player.apply_mouse(io);
    const auto ui0 = std::chrono::steady_clock::now();
    ImGui::NewFrame();
    app.frame();
    ImGui::Render();
    ui_ms.push_back(ms_since(ui0));
    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window, &fb_w, &fb_h);
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(0.10f, 0.10f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glFinish();
    frame_ms.push_back(ms_since(t0));
    take_screenshots(player.screenshots(), io, fb_w, fb_h);
    glfwSwapBuffers(window);

    if (frames > 0 && frame + 1 >= frames && player.finished() && player.idle()) break;
    if (o.bench_frames > 0 && frame + 1 >= o.bench_frames) break;
    if (!player.empty() && player.finished() && player.idle() && !player.waiting() && frames == 0) break;
  }
  if (o.bench_frames > 0 && frame_ms.size() > 10) {
    print_frame_stats("frame", frame_ms, wb.table().runs().size());
    print_frame_stats("ui", ui_ms, wb.table().runs().size());
    std::printf("GL: %s | %s\n", reinterpret_cast<const char*>(glGetString(GL_RENDERER)),
                reinterpret_cast<const char*>(glGetString(GL_VERSION)));
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"slimlab-gui: launch experiments and explore accuracy-versus-resource curves", "slimlab-gui"};
  Options o;
  add_options(cli, o);
  CLI11_PARSE(cli, argc, argv);
  o.paths.experiments_dir_given = cli.count("--experiments") > 0;

  std::vector<ScriptStep> script;
  try {
    if (!o.script_file.empty()) script = read_script(o.script_file);
  } catch (const std::exception& e) {
    std::cerr << "slimlab-gui: " << e.what() << "\n";
    return 1;
  }
  const bool unattended = !script.empty() || o.frames > 0 || o.bench_frames > 0;
  GLFWwindow* window = open_window(o.width, o.height, unattended);
  if (!window) return kNoDisplay;

  Workbench wb(o.paths);
  const std::string& ini = init_imgui(window, wb, o);
  CaptureQueue::instance().available = true;

  App app(wb);
  wb.rescan_now();  // the first frame shows every run
  app.load_state();
  ScriptPlayer player(std::move(script), app, wb);
  const int exit_code = run_frames(window, app, wb, player, o);

  app.save_state(true);
  ImGui::SaveIniSettingsToDisk(ini.c_str());
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exit_code;
}
