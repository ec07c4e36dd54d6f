#include "gui/model/views.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>
#include <cmath>
#include <map>
#include <set>

#include "experiments/plot.h"
#include "experiments/results.h"
#include "experiments/runs.h"
#include "gui/model/deploy.h"

namespace fs = std::filesystem;

namespace slimlab::gui {

namespace {

std::string group_of(const exp::RunRecord& r, const std::string& by) {
  if (by == "model") return r.model;
  if (by == "experiment") return r.experiment;
  return r.techniques;
}

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

// Output units of a layer: channels of a conv, features of a dense layer, hidden
// size of a recurrent layer (the last extent of [T, H]).
int64_t units_of(const std::string& kind, const std::vector<int64_t>& shape) {
  if (shape.empty()) return -1;
  if (kind == "gru" || kind == "lstm") return shape.back();
  if (kind == "dense" || kind == "conv1d" || kind == "conv2d" || kind == "depthwise_conv2d") return shape.front();
  return -1;
}

}  // namespace

StageTrace deepiot_trace_from_log(const std::string& log) {
  StageTrace t;
  t.stage = "deepiot";
  t.name = "progress (live, log.txt)";
  t.columns = {"iteration", "threshold", "size_fraction", "val_accuracy"};
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    const size_t at = line.find("deepiot: iteration ");
    if (at == std::string::npos) continue;
    // "deepiot: iteration N threshold T size S val accuracy A"
    std::istringstream ls(line.substr(at + 19));
    double it = 0, thr = 0, size = 0, acc = 0;
    std::string w1, w2, w3;
    if (!(ls >> it >> w1 >> thr >> w2 >> size >> w3)) continue;
    std::string w4;
    if (w1 != "threshold" || w2 != "size" || w3 != "val" || !(ls >> w4 >> acc) || w4 != "accuracy") continue;
    t.rows.push_back({it, thr, size, acc});
  }
  return t;
}

std::string column_title(const std::string& c) {
  if (c == "params") return "parameters";
  if (c == "macs") return "MACs per inference";
  if (c == "bytes") return "model bytes";
  if (c == "latency_ms") return "latency (ms)";
  if (c == "arena_bytes") return "arena bytes";
  if (c == "file_bytes") return ".slim file bytes";
  if (c == "test_accuracy") return "test accuracy";
  if (c == "val_accuracy") return "validation accuracy";
  if (c == "energy_pj") return "energy per inference (pJ)";
  std::string s = c;
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

Tradeoff build_tradeoff(const RunList& runs, const std::vector<size_t>& rows, const TradeoffOptions& o) {
  Tradeoff t;
  std::set<std::string> names;
  struct P {
    size_t run;
    double x, y;
    std::string g;
  };
  std::vector<P> pts;
  for (size_t i : rows) {
    if (i >= runs.size()) continue;
    const exp::RunRecord& r = runs[i];
    std::optional<double> x, y;
    try {
      x = exp::numeric_value(r, o.x);
      y = exp::numeric_value(r, o.y);
    } catch (const std::invalid_argument&) {
    }
    if (!x || !y || !usable(*x, o.log_x) || !usable(*y, o.log_y)) {
      ++t.left_out;
      continue;
    }
    pts.push_back({i, *x, *y, group_of(r, o.color_by)});
    names.insert(pts.back().g);
  }
  t.groups.assign(names.begin(), names.end());
  std::vector<std::pair<double, double>> xy;
  for (const P& p : pts) {
    t.runs.push_back(p.run);
    t.x.push_back(p.x);
    t.y.push_back(p.y);
    t.group.push_back(int(std::lower_bound(t.groups.begin(), t.groups.end(), p.g) - t.groups.begin()));
    xy.emplace_back(p.x, p.y);
  }
  t.pareto = exp::pareto_front(xy);
  return t;
}

void fill_tradeoff_plot(PlotModel& plot, const Tradeoff& t, const TradeoffOptions& o) {
  plot.title = column_title(o.y) + " vs " + column_title(o.x);
  plot.x.label = column_title(o.x);
  plot.y.label = column_title(o.y);
  plot.x.scale = o.log_x ? AxisScale::kLog : AxisScale::kLinear;
  plot.y.scale = o.log_y ? AxisScale::kLog : AxisScale::kLinear;
  plot.series.clear();
  for (size_t g = 0; g < t.groups.size(); ++g) {
    Series s;
    s.name = t.groups[g];
    s.color = palette_color(g);
    for (size_t i = 0; i < t.x.size(); ++i)
      if (t.group[i] == int(g)) {
        s.x.push_back(t.x[i]);
        s.y.push_back(t.y[i]);
        s.ids.push_back(int(t.runs[i]));
      }
    plot.series.push_back(std::move(s));
  }
  Series front = Series::plain_line("Pareto front", rgba(0xf0, 0xf0, 0xf0));
  front.step = true;
  front.line_width = 2.0f;
  for (size_t i : t.pareto) {
    front.x.push_back(t.x[i]);
    front.y.push_back(t.y[i]);
    front.ids.push_back(int(t.runs[i]));
  }
  if (!front.x.empty()) plot.series.insert(plot.series.begin(), std::move(front));
  plot.fit();
}

namespace {
// A train and a val curve over the epochs of a run: `train_of` / `val_of` pick the metric.
template <typename TrainOf, typename ValOf>
void fill_epoch_plot(PlotModel& plot, const exp::RunRecord& r, const std::string& metric, TrainOf train_of,
                     ValOf val_of) {
  plot.title = "";
  plot.x.label = "epoch";
  plot.y.label = metric;
  plot.series.clear();
  Series tr, va;
  tr.name = "train " + metric;
  va.name = "val " + metric;
  tr.color = palette_color(0);
  va.color = palette_color(1);
  for (Series* s : {&tr, &va}) {
    s->line = true;
    s->marker_radius = 2.5f;
    s->pickable = false;
  }
  for (const auto& m : r.result.epochs) {
    tr.x.push_back(m.epoch);
    tr.y.push_back(train_of(m));
    va.x.push_back(m.epoch);
    va.y.push_back(val_of(m));
  }
  plot.series = {tr, va};
  plot.fit();
}
}  // namespace

void fill_loss_plot(PlotModel& plot, const exp::RunRecord& r) {
  fill_epoch_plot(plot, r, "loss", [](const auto& m) { return m.train_loss; }, [](const auto& m) { return m.val_loss; });
}

void fill_accuracy_plot(PlotModel& plot, const exp::RunRecord& r) {
  fill_epoch_plot(
      plot, r, "accuracy", [](const auto& m) { return m.train_accuracy; }, [](const auto& m) { return m.val_accuracy; });
}

std::vector<StageTrace> stage_traces(const exp::RunRecord& r) {
  std::vector<StageTrace> out;
  auto add = [&](size_t i, const compress::StageRecord& st) {
    for (const auto& [name, t] : st.tables) {
      StageTrace tr;
      tr.stage = std::to_string(i) + "-" + st.type;
      tr.name = name;
      tr.columns = t.columns;
      tr.rows = t.rows;
      tr.row_labels = t.row_labels;
      out.push_back(std::move(tr));
    }
  };
  // Keep-probability tables first (what DeepIoT is about), then its trace, then the rest.
  auto rank = [](const StageTrace& t) { return is_keep_table(t) ? 0 : t.name == "trace" ? 1 : 2; };
  auto order = [&] {
    std::stable_sort(out.begin(), out.end(), [&](const StageTrace& a, const StageTrace& b) {
      return a.stage != b.stage ? a.stage < b.stage : rank(a) < rank(b);
    });
  };
  if (!r.stages.empty()) {
    for (size_t i = 0; i < r.stages.size(); ++i) add(i, r.stages[i]);
    order();
    return out;
  }
  // A run still working: the stages it has finished so far (<run>/stages/<i>-<type>/record.h5),
  // then DeepIoT's progress lines in log.txt while it prunes.
  std::error_code ec;
  if (r.status == "running" && !r.dir.empty()) {
    StageTrace live = deepiot_trace_from_log(read_file_text(r.dir / "log.txt", 256 * 1024));
    if (!live.rows.empty()) out.push_back(std::move(live));
  }
  if (r.dir.empty() || !fs::is_directory(r.dir / "stages", ec)) return out;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(r.dir / "stages", ec))
    if (e.is_directory(ec) && fs::exists(e.path() / "record.h5", ec)) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (size_t i = 0; i < dirs.size(); ++i) {
    try {
      add(i, exp::read_stage_record(dirs[i] / "record.h5"));
    } catch (const std::exception&) {
      // Being written or damaged: shown once it can be read.
    }
  }
  order();
  return out;
}

std::vector<bool> default_visible(const StageTrace& t) {
  std::vector<bool> v(t.columns.size(), false);
  const bool deepiot_trace = std::find(t.columns.begin(), t.columns.end(), "threshold") != t.columns.end() &&
                             std::find(t.columns.begin(), t.columns.end(), "size_fraction") != t.columns.end();
  int shown = 0;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    const std::string& n = t.columns[c];
    if (n == "iteration" || n == "epoch") continue;
    if (deepiot_trace)
      v[c] = n == "threshold" || n == "size_fraction" || n == "val_accuracy" || n.rfind("mean_keep.", 0) == 0;
    else
      v[c] = shown++ < 8;
  }
  return v;
}

bool is_keep_table(const StageTrace& t) {
  if (t.columns.size() < 3 || std::find(t.columns.begin(), t.columns.end(), "threshold") == t.columns.end())
    return false;
  for (const std::string& c : t.columns)
    if (c.size() > 1 && c[0] == 'p' && std::isdigit(static_cast<unsigned char>(c[1]))) return true;
  return false;
}

void fill_trace_plot(PlotModel& plot, const StageTrace& t, size_t upto, const std::vector<bool>& visible_in) {
  const std::vector<bool> visible = visible_in.size() == t.columns.size() ? visible_in : default_visible(t);
  plot.title = t.stage + ": " + t.name;
  auto it = std::find(t.columns.begin(), t.columns.end(), "iteration");
  if (it == t.columns.end()) it = std::find(t.columns.begin(), t.columns.end(), "epoch");
  const int xcol = it == t.columns.end() ? -1 : int(it - t.columns.begin());
  plot.x.label = xcol >= 0 ? *it : "row";
  plot.y.label = "";
  plot.series.clear();
  size_t color = 0;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (int(c) == xcol || !visible[c]) continue;
    Series s;
    s.name = t.columns[c];
    s.color = palette_color(color++);
    s.line = true;
    s.markers = t.rows.size() <= 30;  // a short table (a few fine-tuning epochs) needs its points
    s.marker_radius = 2.5f;
    s.pickable = false;
    for (size_t i = 0; i < t.rows.size() && i <= upto; ++i)
      if (c < t.rows[i].size()) {
        s.x.push_back(xcol >= 0 && size_t(xcol) < t.rows[i].size() ? t.rows[i][size_t(xcol)] : double(i));
        s.y.push_back(t.rows[i][c]);
      }
    plot.series.push_back(std::move(s));
  }
  plot.fit();
}

void fill_keep_plot(PlotModel& plot, const StageTrace& t, size_t row) {
  plot.series.clear();
  plot.x.label = "unit";
  plot.y.label = "keep probability";
  if (t.rows.empty()) return;
  row = std::min(row, t.rows.size() - 1);
  const auto& r = t.rows[row];
  const auto thr_it = std::find(t.columns.begin(), t.columns.end(), "threshold");
  const size_t thr_col = size_t(thr_it - t.columns.begin());
  const double thr = thr_col < r.size() ? r[thr_col] : 0.5;
  const auto it_col = std::find(t.columns.begin(), t.columns.end(), "iteration");
  const double iteration = it_col != t.columns.end() && size_t(it_col - t.columns.begin()) < r.size()
                               ? r[size_t(it_col - t.columns.begin())]
                               : double(row);
  Series kept, dropped;
  kept.name = "kept";
  dropped.name = "dropped";
  kept.color = palette_color(4);
  dropped.color = palette_color(2);
  kept.pickable = dropped.pickable = false;
  kept.marker_radius = dropped.marker_radius = 3.0f;
  int unit = 0, n_kept = 0;
  for (size_t c = 0; c < t.columns.size() && c < r.size(); ++c) {
    const std::string& n = t.columns[c];
    if (!(n.size() > 1 && n[0] == 'p' && std::isdigit(static_cast<unsigned char>(n[1])))) continue;
    Series& s = r[c] >= thr ? kept : dropped;
    n_kept += r[c] >= thr;
    s.x.push_back(unit++);
    s.y.push_back(r[c]);
  }
  Series line = Series::plain_line("threshold", rgba(0xf0, 0xf0, 0xf0));
  line.x = {-0.5, double(std::max(unit, 1)) - 0.5};
  line.y = {thr, thr};
  char title[160];
  std::snprintf(title, sizeof title, "%s: iteration %g, threshold %.3f, %d of %d units kept", t.name.c_str(), iteration,
                thr, n_kept, unit);
  plot.title = title;
  plot.series = {line, kept, dropped};
  // Probabilities live in [0, 1]: a fixed y range reads better than a fit.
  plot.x.scale = plot.y.scale = AxisScale::kLinear;
  plot.fit();
  if (!plot.zoomed()) {
    plot.y.lo = -0.05;
    plot.y.hi = 1.05;
  }
}

std::vector<LayerRow> structure_rows(const exp::RunRecord& r, const exp::RunRecord* base) {
  std::vector<LayerRow> out;
  std::map<std::string, const train::LayerResources*> res;
  for (const auto& l : r.resources.layers) res[l.name] = &l;
  std::map<std::string, const exp::LayerSummary*> before;
  if (base)
    for (const auto& l : base->graph) before[l.name] = &l;
  std::set<std::string> seen;
  auto add = [&](const std::string& name, const std::string& kind, const std::string& precision,
                 const std::vector<int64_t>& shape, int64_t params) {
    LayerRow row;
    row.name = name;
    row.kind = kind;
    row.precision = precision;
    row.units_after = units_of(kind, shape);
    row.params_after = params;
    auto it = res.find(name);
    if (it != res.end()) {
      row.bytes_after = it->second->bytes;
      row.macs_after = it->second->macs;
    }
    auto b = before.find(name);
    if (b != before.end()) {
      row.units_before = units_of(b->second->kind, b->second->output_shape);
      row.params_before = b->second->params;
    }
    out.push_back(row);
    seen.insert(name);
  };
  if (!r.graph.empty()) {
    for (const auto& l : r.graph) add(l.name, l.kind, l.precision, l.output_shape, l.params);
  } else {
    for (const auto& l : r.resources.layers) add(l.name, l.kind, l.precision, l.output_shape, l.params);
  }
  // Without a base run, a pruning stage's "kept_units" table (rows = unit groups,
  // named after their layer; columns units, kept) gives the units before.
  if (!base)
    for (const auto& st : r.stages) {
      auto kt = st.tables.find("kept_units");
      if (kt == st.tables.end()) continue;
      const auto& t = kt->second;
      const auto uc = std::find(t.columns.begin(), t.columns.end(), "units");
      if (uc == t.columns.end()) continue;
      const size_t col = size_t(uc - t.columns.begin());
      for (size_t i = 0; i < t.row_labels.size() && i < t.rows.size(); ++i)
        for (LayerRow& row : out)
          if (row.name == t.row_labels[i] && col < t.rows[i].size() && row.units_before < 0)
            row.units_before = int64_t(t.rows[i][col]);
    }
  if (base)
    for (const auto& l : base->graph)
      if (!seen.count(l.name)) {
        LayerRow row;
        row.name = l.name;
        row.kind = l.kind;
        row.precision = l.precision;
        row.units_before = units_of(l.kind, l.output_shape);
        row.params_before = l.params;
        row.removed = true;
        out.push_back(row);
      }
  return out;
}

std::optional<exp::RunRecord> own_base_run(const exp::RunRecord& r) {
  if (r.base_graph.empty()) return std::nullopt;
  exp::RunRecord base;
  base.experiment = r.experiment;
  base.run_id = r.run_id + " before its stages";
  base.model = r.model;
  base.dataset_source = r.dataset_source;
  base.status = "finished";
  base.graph = r.base_graph;
  return base;
}

}  // namespace slimlab::gui
