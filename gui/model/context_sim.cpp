#include "gui/model/context_sim.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "gui/model/deploy.h"

namespace fs = std::filesystem;

namespace slimlab::gui {

namespace {

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream s(line);
  for (std::string c; std::getline(s, c, ',');) {
    const size_t a = c.find_first_not_of(" \t\r"), b = c.find_last_not_of(" \t\r");
    out.push_back(a == std::string::npos ? "" : c.substr(a, b - a + 1));
  }
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

// The lines of a CSV with its header checked: `expect` are the columns by position;
// a "*" prefix matches any column starting with the rest.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::pair<int, std::vector<std::string>>> rows;  // line number, cells
};

Csv read_csv(const std::string& text, const std::string& what, const std::vector<std::string>& expect) {
  Csv c;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::vector<std::string> cells = cells_of(line);
    if (c.header.empty()) {
      c.header = cells;
      bool ok = cells.size() == expect.size();
      for (size_t i = 0; ok && i < expect.size(); ++i)
        ok = expect[i][0] == '*' ? cells[i].rfind(expect[i].substr(1), 0) == 0 : cells[i] == expect[i];
      if (!ok) throw std::runtime_error(what + ":" + std::to_string(n) + ": unexpected header '" + line + "'");
      continue;
    }
    if (cells.size() != expect.size())
      throw std::runtime_error(what + ":" + std::to_string(n) + ": " + std::to_string(cells.size()) + " cells, " +
                               std::to_string(expect.size()) + " expected");
    c.rows.push_back({n, std::move(cells)});
  }
  if (c.header.empty()) throw std::runtime_error(what + ": empty (no header)");
  return c;
}

double number(const std::string& cell, const std::string& what, int line, const std::string& column) {
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (cell.empty() || *end != '\0' || !std::isfinite(v))
    throw std::runtime_error(what + ":" + std::to_string(line) + ": " + column + " '" + cell + "' is not a number");
  return v;
}

}  // namespace

std::vector<std::string> simulate_context_args(const fs::path& run_dir, const ContextOptions& o, const fs::path& rows_csv,
                                               const fs::path& summary_csv) {
  std::vector<std::string> a = {"simulate-context", run_dir.string()};
  if (o.trace == "file") a.insert(a.end(), {"--trace", o.trace_file.string()});
  else a.insert(a.end(), {"--synth", o.trace, "--steps", std::to_string(o.steps)});
  a.insert(a.end(), {"--planner", o.planner});
  if (o.planner == "greedy") {
    std::ostringstream h;
    h << o.hysteresis;
    a.insert(a.end(), {"--hysteresis", h.str()});
  }
  a.insert(a.end(), {"--level-kind", o.level_kind, "--csv", rows_csv.string(), "--summary-csv", summary_csv.string()});
  return a;
}

ContextSeries parse_context_rows(const std::string& text, const std::string& what) {
  const Csv c = read_csv(text, what,
                         {"row", "*trace_", "*budget_", "*cost_", "point", "point_name", "correct", "spent_uj"});
  ContextSeries s;
  s.trace_column = c.header[1].substr(6);
  s.budget_unit = c.header[2].substr(7);
  if (c.header[3] != "cost_" + s.budget_unit)
    throw std::runtime_error(what + ":1: column '" + c.header[3] + "' should be cost_" + s.budget_unit);
  double right = 0, energy = 0;
  for (const auto& [line, cells] : c.rows) {
    const double p = number(cells[4], what, line, "point");
    if (p < 0 || p > 63 || p != std::floor(p))
      throw std::runtime_error(what + ":" + std::to_string(line) + ": point '" + cells[4] + "' is not a point index");
    const size_t idx = size_t(p);
    if (s.point_names.size() <= idx) s.point_names.resize(idx + 1);
    if (s.point_names[idx].empty()) s.point_names[idx] = cells[5];
    s.trace.push_back(number(cells[1], what, line, c.header[1]));
    s.budget.push_back(number(cells[2], what, line, c.header[2]));
    s.cost.push_back(number(cells[3], what, line, c.header[3]));
    s.spent_uj.push_back(number(cells[7], what, line, "spent_uj"));
    const double ok = number(cells[6], what, line, "correct");
    if (ok != 0 && ok != 1) throw std::runtime_error(what + ":" + std::to_string(line) + ": correct '" + cells[6] + "' is not 0 or 1");
    if (!s.point.empty() && s.point.back() != int(idx)) ++s.switches;
    if (s.cost.back() > s.budget.back()) ++s.over_budget;
    s.point.push_back(int(idx));
    s.correct.push_back(uint8_t(ok));
    right += ok;
    energy += s.spent_uj.back();
    s.budget_sum += s.budget.back();
    s.running_accuracy.push_back(right / double(s.point.size()));
    s.cumulative_energy_uj.push_back(energy);
  }
  if (s.point.empty()) throw std::runtime_error(what + ": no rows");
  return s;
}

std::vector<ContextPolicyRow> parse_context_summary(const std::string& text, const std::string& what) {
  const Csv c = read_csv(text, what, {"policy", "point", "accuracy", "energy_uj", "uj_per_inference", "rows"});
  std::vector<ContextPolicyRow> out;
  for (const auto& [line, cells] : c.rows) {
    ContextPolicyRow r;
    r.policy = cells[0];
    r.point = cells[1];
    if (r.policy != "adaptive" && r.policy != "fixed")
      throw std::runtime_error(what + ":" + std::to_string(line) + ": policy '" + r.policy + "' is not adaptive or fixed");
    r.accuracy = number(cells[2], what, line, "accuracy");
    r.energy_uj = number(cells[3], what, line, "energy_uj");
    r.uj_per_inference = number(cells[4], what, line, "uj_per_inference");
    r.rows = size_t(std::max(0.0, number(cells[5], what, line, "rows")));
    out.push_back(r);
  }
  if (out.empty() || out.front().policy != "adaptive")
    throw std::runtime_error(what + ": the first row must be the adaptive run");
  return out;
}

int best_fixed_within_energy(const std::vector<ContextPolicyRow>& rows) {
  if (rows.empty()) return -1;
  const double budget = rows.front().energy_uj * (1 + 1e-9);
  int best = -1;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].policy == "fixed" && rows[i].energy_uj <= budget &&
        (best < 0 || rows[i].accuracy > rows[size_t(best)].accuracy))
      best = int(i);
  return best;
}

std::string child_error(const std::string& log) {
  std::istringstream in(log);
  std::string line, error, before_help, last;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (const size_t at = line.find("error: "); at != std::string::npos) error = line.substr(at + 7);
    if (line.rfind("Run with --help", 0) == 0 && !last.empty()) before_help = last;
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
  }
  return !error.empty() ? error : !before_help.empty() ? before_help : last;
}

int ContextController::request(const std::string& run_key, const fs::path& run_dir, const ContextOptions& o,
                               bool export_first, std::string* why) {
  auto fail = [&](const std::string& w) {
    if (why) *why = w;
    return 0;
  };
  std::error_code ec;
  if (!fs::exists(slimlab_, ec)) return fail(slimlab_.string() + " not found");
  if (std::find(std::begin(kContextTraces), std::end(kContextTraces), o.trace) == std::end(kContextTraces))
    return fail("trace '" + o.trace + "': battery, contention, duty or file");
  if (o.trace == "file" && !fs::is_regular_file(o.trace_file, ec))
    return fail("no trace file '" + o.trace_file.string() + "'");
  if (o.trace != "file" && o.steps < 1) return fail("a synthetic trace needs at least one step");
  ContextSim s;
  s.id = next_id_++;
  s.run_key = run_key;
  s.run_dir = run_dir;
  s.options = o;
  s.log_file = run_dir / "context-sim.txt";
  s.rows_csv = run_dir / "context-sim-rows.csv";
  s.summary_csv = run_dir / "context-sim-summary.csv";
  for (const fs::path& p : {s.log_file, s.rows_csv, s.summary_csv}) fs::remove(p, ec);
  if (export_first) {
    s.step = "export";
    JobSpec spec;
    spec.label = "export " + run_key + " operating points";
    spec.kind = "export";
    spec.argv = {slimlab_.string(), "export", run_dir.string(), "--operating-points", "widths"};
    spec.output = s.log_file;
    spec.group = s.id;
    s.job = queue_.submit(std::move(spec));
  } else {
    submit_simulation(s);
  }
  requests_.push_back(s);
  return s.id;
}

void ContextController::submit_simulation(ContextSim& s) {
  s.step = "simulate";
  JobSpec spec;
  spec.label = "simulate-context " + s.run_key + " (" + s.options.trace + ", " + s.options.planner + ")";
  spec.kind = "simulate";
  spec.argv = {slimlab_.string()};
  for (std::string& a : simulate_context_args(s.run_dir, s.options, s.rows_csv, s.summary_csv)) spec.argv.push_back(a);
  spec.output = s.log_file;
  spec.group = s.id;
  s.job = queue_.submit(std::move(spec));
}

void ContextController::finish(ContextSim& s, const Job& job) {
  const std::string log = read_file_text(s.log_file, 64 * 1024);
  if (job.state != JobState::kFinished) {
    s.step = "failed";
    const std::string said = job.state == JobState::kCancelled ? "" : child_error(log);
    s.message = job.spec.label + ": " + (job.state == JobState::kCancelled ? "cancelled" : job.message) +
                (said.empty() ? "" : ": " + said);
    return;
  }
  try {
    s.series = parse_context_rows(read_file_text(s.rows_csv, size_t(1) << 30), s.rows_csv.string());
    s.summary = parse_context_summary(read_file_text(s.summary_csv), s.summary_csv.string());
    // Fixed rows come in point order: names of points the adaptive run never chose.
    for (size_t i = 1; i < s.summary.size(); ++i) {
      if (s.series.point_names.size() < i) s.series.point_names.resize(i);
      s.series.point_names[i - 1] = s.summary[i].point;
    }
    s.step = "done";
  } catch (const std::exception& e) {
    s.step = "failed";
    s.message = std::string("simulate-context finished but its output is unreadable: ") + e.what();
  }
}

void ContextController::on_job_done(const Job& job) {
  for (ContextSim& s : requests_) {
    if (s.job != job.id || s.done()) continue;
    if (s.step == "export" && job.state == JobState::kFinished) {
      std::error_code ec;
      if (!fs::exists(points_model(s.run_dir), ec)) {
        s.step = "failed";
        s.message = "the export finished but wrote no " + points_model(s.run_dir).string();
        return;
      }
      std::ofstream(s.log_file, std::ios::app) << "\n== simulate-context ==\n";
      submit_simulation(s);
      return;
    }
    finish(s, job);
  }
}

const ContextSim* ContextController::latest_for(const std::string& run_key) const {
  for (auto it = requests_.rbegin(); it != requests_.rend(); ++it)
    if (it->run_key == run_key) return &*it;
  return nullptr;
}

namespace {

// At most ~2000 drawn points per series: every k-th row (and the last).
std::vector<size_t> shown_rows(size_t n) {
  const size_t k = std::max<size_t>(1, (n + 1999) / 2000);
  std::vector<size_t> out;
  for (size_t i = 0; i < n; i += k) out.push_back(i);
  if (n > 0 && out.back() != n - 1) out.push_back(n - 1);
  return out;
}

Series line_series(const std::string& name, uint32_t color, const std::vector<double>& y,
                   const std::vector<size_t>& rows) {
  Series s = Series::plain_line(name, color);
  for (size_t i : rows) {
    s.x.push_back(double(i));
    s.y.push_back(y[i]);
  }
  return s;
}

void start_plot(PlotModel& plot, const std::string& y_label) {
  plot.title.clear();
  plot.x.label = "inference";
  plot.y.label = y_label;
  plot.x.scale = plot.y.scale = AxisScale::kLinear;
  plot.series.clear();
}

// Each fixed point's figure as a dashed-looking thin line from the first to the last row.
void add_fixed_lines(PlotModel& plot, const ContextSeries& s, const std::vector<ContextPolicyRow>& summary,
                     bool cumulative) {
  const double last = double(std::max<size_t>(1, s.size()) - 1);
  for (size_t i = 1; i < summary.size(); ++i) {
    Series f;
    f.name = "fixed " + summary[i].point;
    f.color = (palette_color(i) & 0x00ffffffu) | 0xb0000000u;
    f.line = true;
    f.markers = false;
    f.pickable = false;
    f.line_width = 1.0f;
    f.x = {0, last};
    f.y = cumulative ? std::vector<double>{summary[i].uj_per_inference, summary[i].uj_per_inference * (last + 1)}
                     : std::vector<double>{summary[i].accuracy, summary[i].accuracy};
    plot.series.push_back(std::move(f));
  }
}

}  // namespace

void fill_context_budget_plot(PlotModel& plot, const ContextSeries& s) {
  start_plot(plot, "budget (" + s.budget_unit + ")");
  const auto rows = shown_rows(s.size());
  plot.series.push_back(line_series("budget", palette_color(0), s.budget, rows));
  plot.series.push_back(line_series("chosen point's cost", palette_color(1), s.cost, rows));
  if (!plot.zoomed()) plot.fit();
}

void fill_context_point_plot(PlotModel& plot, const ContextSeries& s) {
  start_plot(plot, "chosen point (index)");
  Series p = line_series("point", palette_color(2), {}, {});
  p.step = true;
  for (size_t i : shown_rows(s.size())) {
    p.x.push_back(double(i));
    p.y.push_back(double(s.point[i]));
  }
  plot.series.push_back(std::move(p));
  if (!plot.zoomed()) plot.fit();
}

namespace {
// The adaptive run's line (thick) and every fixed point's as a thin line.
void fill_against_fixed(PlotModel& plot, const std::string& label, const std::vector<double>& adaptive,
                        const ContextSeries& s, const std::vector<ContextPolicyRow>& summary, bool cumulative) {
  start_plot(plot, label);
  plot.series.push_back(line_series("adaptive", palette_color(0), adaptive, shown_rows(s.size())));
  plot.series.back().line_width = 2.0f;
  add_fixed_lines(plot, s, summary, cumulative);
  if (!plot.zoomed()) plot.fit();
}
}  // namespace

void fill_context_accuracy_plot(PlotModel& plot, const ContextSeries& s, const std::vector<ContextPolicyRow>& summary) {
  fill_against_fixed(plot, "running accuracy", s.running_accuracy, s, summary, false);
}

void fill_context_energy_plot(PlotModel& plot, const ContextSeries& s, const std::vector<ContextPolicyRow>& summary) {
  fill_against_fixed(plot, "cumulative energy (uJ)", s.cumulative_energy_uj, s, summary, true);
}

}  // namespace slimlab::gui
