#include "experiments/runs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <toml++/toml.h>

#include "experiments/run_lock.h"

namespace fs = std::filesystem;

namespace slimlab::exp {

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string percent(double v) { return fmt("%.2f%%", 100.0 * v); }

// Epochs so far from a run's curves.csv; lines that are cut short (a write in
// progress) or do not parse are skipped.
std::vector<train::EpochMetrics> read_curves_csv(const fs::path& p) {
  std::vector<train::EpochMetrics> out;
  std::ifstream in(p);
  std::string line;
  if (!std::getline(in, line)) return out;
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string h; std::getline(hs, h, ',');) header.push_back(h);
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
    if (cells.size() != header.size()) continue;
    train::EpochMetrics m;
    bool ok = true;
    for (size_t i = 0; i < cells.size() && ok; ++i) {
      char* end = nullptr;
      const double v = std::strtod(cells[i].c_str(), &end);
      ok = end && *end == '\0' && !cells[i].empty();
      if (header[i] == "epoch") m.epoch = int(v);
      for (const CurveField& f : curve_fields())
        if (header[i] == f.name) m.*f.member = v;
    }
    if (ok) out.push_back(m);
  }
  return out;
}

// What a run folder without a readable results.h5 can tell from its config.toml.
void fill_from_config(RunRecord& r, const fs::path& config) {
  std::error_code ec;
  if (!fs::is_regular_file(config, ec)) return;
  r.config_toml = read_text(config);
  try {
    const toml::table t = toml::parse(r.config_toml, config.string());
    r.model = t["model"]["name"].value_or(r.model);
    r.dataset_source = t["dataset"]["source"].value_or(r.dataset_source);
  } catch (const toml::parse_error&) {
    // A listing shows what it can.
  }
}

std::optional<RunRecord> read_run_dir(const fs::path& dir, const std::string& experiment, const std::string& id) {
  std::error_code ec;
  const fs::path h5 = dir / "results.h5";
  const bool has_h5 = fs::is_regular_file(h5, ec);
  const std::optional<std::pair<std::string, std::string>> status = read_status(dir);
  if (!has_h5 && !status) return std::nullopt;

  RunRecord r;
  bool from_h5 = false;
  if (has_h5) {
    try {
      r = read_results(h5);
      from_h5 = true;
    } catch (const std::exception& e) {
      r.status = "unreadable";
      r.error = e.what();
    }
  }
  if (!from_h5) {
    r.experiment = experiment;
    r.run_id = id;
    fill_from_config(r, dir / "config.toml");
  }
  // The status file is written last (after results.h5) and by the launcher when a run
  // could not write it: it says how the run ended. Only "finished" defers to results.h5
  // (which may be unreadable).
  if (status && (status->first != "finished" || !has_h5)) {
    r.status = status->first;
    r.error = status->second;
    if (!from_h5 || status->first == "running") r.result.epochs = read_curves_csv(dir / "curves.csv");
  }
  // "running" while no process holds the folder: the process is gone without a word
  // (kill -9 of a lone `slimlab train`, a power cut). Runs older than locks have no lock file.
  if (r.status == "running" && has_run_lock_file(dir) && run_lock_holder(dir) == 0) {
    r.status = "failed";
    r.error = "the training process ended without a final status (killed?); resume with --resume";
  }
  r.dir = dir;
  return r;
}

bool is_number_column(const std::string& c) {
  return c != "experiment" && c != "run" && c != "status" && c != "dataset" && c != "model" && c != "technique" &&
         c != "started" && c != "git";
}

// dataset.source for a table: the format and the last path component(s).
std::string short_source(const std::string& s) {
  if (s.rfind("synthetic:", 0) == 0) return s;
  std::string prefix, path = s;
  const size_t colon = s.find(':');
  if (colon != std::string::npos && s.find('/') > colon) {
    prefix = s.substr(0, colon + 1);
    path = s.substr(colon + 1);
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  fs::path p(path);
  std::string name = p.filename().string();
  // "fsdd/recordings" says more than "recordings".
  if ((name == "recordings" || name == "train" || name == "test" || name == "data") && p.has_parent_path() &&
      !p.parent_path().filename().empty())
    name = p.parent_path().filename().string() + "/" + name;
  return prefix + name;
}

bool has_metrics(const RunRecord& r, const train::EvalMetrics& m) {
  return r.status == "finished" && m.num_classes > 0;
}

// Epochs the stages trained (rows of their per-epoch tables, whose first column is
// "epoch") and the seconds they took.
size_t stage_epochs(const RunRecord& r) {
  size_t n = 0;
  for (const auto& s : r.stages)
    for (const auto& [name, t] : s.tables)
      if (!t.columns.empty() && t.columns[0] == "epoch") n += t.rows.size();
  return n;
}

double stage_seconds(const RunRecord& r) {
  double t = 0;
  for (const auto& s : r.stages)
    if (auto it = s.metrics.find("seconds"); it != s.metrics.end()) t += it->second;
  return t;
}

bool has_resources(const RunRecord& r) { return !r.resources.layers.empty() || r.resources.params > 0; }

[[noreturn]] void bad_column(const std::string& c, const std::vector<std::string>& valid) {
  std::string s;
  for (const auto& v : valid) s += (s.empty() ? "" : ", ") + v;
  throw std::invalid_argument("unknown column '" + c + "' (valid: " + s + ")");
}

std::string cell(const RunRecord& r, const std::string& c) {
  if (auto text = text_value(r, c)) return *text;
  if (c == "dataset") return short_source(r.dataset_source);
  if (c == "val_acc") return has_metrics(r, r.result.val) ? percent(r.result.val.accuracy) : "-";
  if (c == "test_acc") return has_metrics(r, r.result.test) ? percent(r.result.test.accuracy) : "-";
  if (c == "macro_f1") return has_metrics(r, r.result.test) ? fmt("%.4f", r.result.test.macro_f1) : "-";
  if (c == "params") return has_resources(r) ? short_count(double(r.resources.params)) : "-";
  if (c == "bytes") return has_resources(r) ? short_bytes(double(r.resources.bytes)) : "-";
  if (c == "macs") return has_resources(r) ? short_count(double(r.resources.macs)) : "-";
  if (c == "energy") return has_resources(r) && r.resources.energy_pj > 0 ? short_energy(r.resources.energy_pj) : "-";
  if (c == "epochs") {  // base training's, then the stages' fine-tuning: "20+6"
    const size_t stage = stage_epochs(r);
    if (r.result.epochs.empty() && stage == 0) return "-";
    return std::to_string(r.result.epochs.size()) + (stage ? "+" + std::to_string(stage) : "");
  }
  if (c == "time") {  // base training and every stage
    double t = r.result.train_seconds + stage_seconds(r);
    if (r.status != "finished" && r.result.train_seconds == 0)
      for (const auto& m : r.result.epochs) t += m.seconds;
    return t > 0 ? short_duration(t) : "-";
  }
  if (c == "latency_ms") return std::isnan(r.latency_ms) ? "-" : fmt("%.3f", r.latency_ms);
  if (c == "arena_bytes") return r.arena_bytes < 0 ? "-" : short_bytes(double(r.arena_bytes));
  if (c == "file_bytes") return r.file_bytes < 0 ? "-" : short_bytes(double(r.file_bytes));
  if (c == "slim_precision") return r.tags.count("slimrt_precision") ? r.tags.at("slimrt_precision") : "-";
  if (c == "slim_acc") {  // accuracy of the exported .slim in slimrt on the test split
    const auto it = r.tags.find("slimrt_accuracy");
    return it == r.tags.end() || it->second.empty() ? "-" : percent(std::atof(it->second.c_str()));
  }
  if (c == "started") return r.started.empty() ? "-" : r.started;
  if (c == "git") return r.git_commit.empty() ? "-" : r.git_commit.substr(0, 10);
  bad_column(c, run_columns());
}

// Display width: UTF-8 continuation bytes take no column.
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

// Rows of cells → aligned text; `right[i]` right-aligns column i.
std::string align(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right,
                  bool rule_after_header = true) {
  if (rows.empty()) return "";
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(row[i]));
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < rows[r].size(); ++i) {
      const std::string pad(w[i] - width(rows[r][i]), ' ');
      line += (i ? "  " : "") + (right[i] ? pad + rows[r][i] : rows[r][i] + (i + 1 < rows[r].size() ? pad : ""));
    }
    out += line + "\n";
    if (r == 0 && rule_after_header) {
      std::string rule;
      for (size_t i = 0; i < w.size(); ++i) rule += (i ? "  " : "") + std::string(w[i], '-');
      out += rule + "\n";
    }
  }
  return out;
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}


// A confusion matrix with class names and per-class recall.
void confusion_text(std::ostream& os, const RunRecord& r, const char* split, const train::EvalMetrics& m) {
  const int64_t k = m.num_classes;
  if (k <= 0 || m.confusion.size() != size_t(k * k)) return;
  os << "\nConfusion matrix (" << split << "; rows = true class, columns = predicted)\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"", ""};
  for (int64_t j = 0; j < k; ++j) head.push_back(std::to_string(j));
  head.push_back("recall");
  rows.push_back(head);
  for (int64_t i = 0; i < k; ++i) {
    const std::string name = size_t(i) < r.class_names.size() ? r.class_names[size_t(i)] : "";
    std::vector<std::string> row = {std::to_string(i), name};
    int64_t total = 0;
    for (int64_t j = 0; j < k; ++j) {
      row.push_back(std::to_string(m.confusion[size_t(i * k + j)]));
      total += m.confusion[size_t(i * k + j)];
    }
    row.push_back(total > 0 ? percent(double(m.confusion[size_t(i * k + i)]) / double(total)) : "-");
    rows.push_back(std::move(row));
  }
  std::vector<bool> right(head.size(), true);
  right[1] = false;
  os << align(rows, right);
}

// The per-stage trade-off table and each stage's own numbers and small tables.
void stages_text(std::ostream& os, const RunRecord& r) {
  if (r.stages.empty()) return;
  // One line per stage: accuracy before → after and the size it left; then its own numbers.
  os << "\nStages\n";
  std::vector<std::vector<std::string>> rows = {{"#", "type", "val_acc", "test_acc", "params", "bytes", "energy"}};
  auto metric = [](const compress::StageRecord& s, const char* k) {
    auto it = s.metrics.find(k);
    return it == s.metrics.end() ? std::optional<double>() : std::optional<double>(it->second);
  };
  for (size_t i = 0; i < r.stages.size(); ++i) {
    const auto& s = r.stages[i];
    auto change = [&](const char* before, const char* after) {
      const auto a = metric(s, before), b = metric(s, after);
      return a && b ? percent(*a) + " → " + percent(*b) : "-";
    };
    const auto p = metric(s, "params"), b = metric(s, "bytes"), e = metric(s, "energy_pj");
    rows.push_back({std::to_string(i), s.type, r.val_size > 0 ? change("val_accuracy_before", "val_accuracy") : "-",
                    change("test_accuracy_before", "test_accuracy"), p ? short_count(*p) : "-",
                    b ? short_bytes(*b) : "-", e ? short_energy(*e) : "-"});
  }
  os << align(rows, {true, false, true, true, true, true, true});
  for (size_t i = 0; i < r.stages.size(); ++i) {
    const auto& s = r.stages[i];
    std::string extra;
    for (const auto& [k, v] : s.metrics)
      if (k.rfind("val_accuracy", 0) != 0 && k.rfind("test_accuracy", 0) != 0 && k != "params" && k != "bytes" &&
          k != "macs" && k != "energy_pj")
        extra += (extra.empty() ? "" : ", ") + k + " " + fmt("%.6g", v);
    for (const auto& [k, v] : s.info) extra += (extra.empty() ? "" : ", ") + k + " " + v;
    std::string tables;
    for (const auto& [k, t] : s.tables)
      tables += (tables.empty() ? "" : ", ") + k + " (" + std::to_string(t.rows.size()) + "×" +
                std::to_string(t.columns.size()) + ")";
    if (!extra.empty()) os << "  stage " << i << " " << s.type << ": " << extra << "\n";
    if (!tables.empty()) os << "  stage " << i << " tables: " << tables << "\n";
    // Small labelled tables (DeepIoT's kept units per layer, a pruner's per-layer
    // sparsity) are shown in full.
    for (const auto& [k, t] : s.tables) {
      if (t.row_labels.empty() || t.row_labels.size() != t.rows.size() || t.rows.size() > 40) continue;
      std::vector<std::vector<std::string>> cells = {{k}};
      cells[0].insert(cells[0].end(), t.columns.begin(), t.columns.end());
      for (size_t r2 = 0; r2 < t.rows.size(); ++r2) {
        std::vector<std::string> line{t.row_labels[r2]};
        for (double v : t.rows[r2]) line.push_back(fmt("%.4g", v));
        cells.push_back(line);
      }
      std::vector<bool> right(cells[0].size(), true);
      right[0] = false;
      os << "\n" << align(cells, right);
    }
  }
}

}  // namespace

std::pair<std::string, std::string> parse_status_text(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return {line, ""};
  std::string why = line.substr(colon + 1);
  if (!why.empty() && why[0] == ' ') why.erase(0, 1);
  // The message may run over several lines ("failed: a\nb").
  const size_t nl = text.find('\n');
  if (nl != std::string::npos && nl + 1 < text.size()) {
    std::string rest = text.substr(nl + 1);
    while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) rest.pop_back();
    if (!rest.empty()) why += "\n" + rest;
  }
  return {line.substr(0, colon), why};
}

std::optional<std::pair<std::string, std::string>> read_status(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_regular_file(run_dir / "status", ec)) return std::nullopt;
  return parse_status_text(read_text(run_dir / "status"));
}

std::optional<RunRecord> read_run(const fs::path& dir) {
  return read_run_dir(dir, dir.parent_path().filename().string(), dir.filename().string());
}

std::vector<RunRecord> list_runs(const fs::path& root) {
  std::vector<RunRecord> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  for (const auto& exp_dir : fs::directory_iterator(root, ec)) {
    if (!exp_dir.is_directory(ec)) continue;
    for (const auto& run_dir : fs::directory_iterator(exp_dir.path(), ec)) {
      if (!run_dir.is_directory(ec)) continue;
      auto r = read_run_dir(run_dir.path(), exp_dir.path().filename().string(), run_dir.path().filename().string());
      if (r) out.push_back(std::move(*r));
    }
  }
  std::sort(out.begin(), out.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.experiment != b.experiment ? a.experiment < b.experiment : a.run_id < b.run_id;
  });
  return out;
}

const std::vector<std::string>& run_columns() {
  static const std::vector<std::string> c = {"experiment", "run",        "status",      "dataset",    "model",
                                             "technique",  "val_acc",    "test_acc",    "macro_f1",   "params",
                                             "bytes",      "macs",       "energy",      "epochs",     "time",
                                             "latency_ms",
                                             "arena_bytes", "file_bytes", "slim_precision", "slim_acc",
                                             "started",    "git"};
  return c;
}

const std::vector<std::string>& default_run_columns() {
  static const std::vector<std::string> c(run_columns().begin(), run_columns().begin() + 15);
  return c;
}

std::string runs_table(const std::vector<RunRecord>& runs, const std::vector<std::string>& columns) {
  for (const auto& c : columns)
    if (std::find(run_columns().begin(), run_columns().end(), c) == run_columns().end()) bad_column(c, run_columns());
  std::vector<std::vector<std::string>> rows = {columns};
  std::vector<bool> right;
  for (const auto& c : columns) right.push_back(is_number_column(c));
  for (const RunRecord& r : runs) {
    std::vector<std::string> row;
    for (const auto& c : columns) row.push_back(cell(r, c));
    rows.push_back(std::move(row));
  }
  return align(rows, right);
}

const std::vector<std::string>& numeric_columns() {
  static const std::vector<std::string> c = {"params",       "bytes",         "macs",         "peak_activation_bytes",
                                             "latency_ms",   "arena_bytes",   "file_bytes",   "val_accuracy",
                                             "test_accuracy", "val_macro_f1", "test_macro_f1", "test_loss",
                                             "epochs",       "train_seconds", "energy_pj",    "energy",
                                             "latency",      "macs_fp32",     "macs_fp16",    "macs_int16",
                                             "macs_int8",    "macs_binary"};
  return c;
}

std::optional<std::string> text_value(const RunRecord& r, const std::string& c) {
  if (c == "experiment") return r.experiment;
  if (c == "run") return r.run_id;
  if (c == "status") return r.status;
  if (c == "model") return r.model;
  if (c == "technique") return r.techniques;
  return std::nullopt;
}

std::optional<double> numeric_value(const RunRecord& r, const std::string& c) {
  const auto& res = r.resources;
  if (c == "params") return has_resources(r) ? std::optional<double>(double(res.params)) : std::nullopt;
  if (c == "bytes") return has_resources(r) ? std::optional<double>(double(res.bytes)) : std::nullopt;
  if (c == "macs") return has_resources(r) ? std::optional<double>(double(res.macs)) : std::nullopt;
  if (c == "peak_activation_bytes")
    return has_resources(r) ? std::optional<double>(double(res.peak_activation_bytes)) : std::nullopt;
  if (c == "energy") return numeric_value(r, "energy_pj");
  if (c == "latency") return numeric_value(r, "latency_ms");
  const std::pair<const char*, int64_t> split[] = {{"macs_fp32", res.macs_fp32},   {"macs_fp16", res.macs_fp16},
                                                   {"macs_int16", res.macs_int16}, {"macs_int8", res.macs_int8},
                                                   {"macs_binary", res.macs_binary}};
  for (const auto& [name, v] : split)
    if (c == name) return has_resources(r) ? std::optional<double>(double(v)) : std::nullopt;
  if (c == "energy_pj")  // estimated energy per inference (train/resources.h); 0 = not estimated
    return has_resources(r) && res.energy_pj > 0 ? std::optional<double>(res.energy_pj) : std::nullopt;
  if (c == "latency_ms") return std::isnan(r.latency_ms) ? std::nullopt : std::optional<double>(r.latency_ms);
  if (c == "arena_bytes") return r.arena_bytes < 0 ? std::nullopt : std::optional<double>(double(r.arena_bytes));
  if (c == "file_bytes") return r.file_bytes < 0 ? std::nullopt : std::optional<double>(double(r.file_bytes));
  const auto& v = r.result.val;
  const auto& t = r.result.test;
  if (c == "val_accuracy") return has_metrics(r, v) ? std::optional<double>(v.accuracy) : std::nullopt;
  if (c == "test_accuracy") return has_metrics(r, t) ? std::optional<double>(t.accuracy) : std::nullopt;
  if (c == "val_macro_f1") return has_metrics(r, v) ? std::optional<double>(v.macro_f1) : std::nullopt;
  if (c == "test_macro_f1") return has_metrics(r, t) ? std::optional<double>(t.macro_f1) : std::nullopt;
  if (c == "test_loss") return has_metrics(r, t) ? std::optional<double>(t.loss) : std::nullopt;
  if (c == "epochs")
    return r.result.epochs.empty() ? std::nullopt : std::optional<double>(double(r.result.epochs.size()));
  if (c == "train_seconds")
    return r.status == "finished" ? std::optional<double>(r.result.train_seconds) : std::nullopt;
  bad_column(c, numeric_columns());
}

namespace {

// v in the largest unit (each `step` times the previous) it reaches; the first unit
// printed with `first_format`, the others with 3 significant digits.
std::string scaled(double v, double step, std::initializer_list<const char*> units, const char* first_format) {
  const double a = std::fabs(v);
  double div = 1;
  size_t i = 0;
  for (; i + 1 < units.size() && a >= div * step; ++i) div *= step;
  return fmt(i == 0 ? first_format : "%.3g", v / div) + units.begin()[i];
}

}  // namespace

std::string short_count(double v) { return scaled(v, 1e3, {"", "k", "M", "G"}, "%.0f"); }

std::string short_energy(double pj) { return scaled(pj, 1e3, {" pJ", " nJ", " µJ", " mJ"}, "%.3g"); }

std::string short_bytes(double v) { return scaled(v, 1024, {" B", " KiB", " MiB", " GiB"}, "%.0f"); }

std::string short_duration(double s) {
  if (s < 60) return fmt("%.1f", s) + "s";
  const long total = std::lround(s);
  char buf[32];
  if (total < 3600) std::snprintf(buf, sizeof buf, "%ldm%02lds", total / 60, total % 60);
  else std::snprintf(buf, sizeof buf, "%ldh%02ldm", total / 3600, (total % 3600) / 60);
  return buf;
}

std::string run_details(const RunRecord& r) {
  std::ostringstream os;
  std::vector<std::vector<std::string>> kv;
  kv.push_back({"run", r.experiment + "/" + r.run_id});
  std::string status = r.status;
  if (!r.started.empty()) status += " (started " + r.started + (r.finished.empty() ? "" : ", finished " + r.finished) + ")";
  kv.push_back({"status", status});
  if (!r.git_commit.empty()) kv.push_back({"git", r.git_commit});
  std::string data = r.dataset_source;
  if (r.num_classes > 0)
    data += " — " + std::to_string(r.num_classes) + " classes, train " + std::to_string(r.train_size) + " / val " +
            std::to_string(r.val_size) + " / test " + std::to_string(r.test_size) + ", input " +
            shape_text(r.input_shape);
  kv.push_back({"dataset", data});
  kv.push_back({"model", r.model + " (" + r.techniques + ")"});
  if (has_metrics(r, r.result.test)) {
    const auto& v = r.result.val;
    const auto& t = r.result.test;
    kv.push_back({"epochs", std::to_string(r.result.epochs.size()) + ", best " + std::to_string(r.result.best_epoch) +
                                (r.result.stopped_early ? " (stopped early)" : "") + ", " +
                                short_duration(r.result.train_seconds)});
    kv.push_back({"val", "accuracy " + percent(v.accuracy) + ", macro-F1 " + fmt("%.4f", v.macro_f1) + ", loss " +
                             fmt("%.4f", v.loss) + " (" + std::to_string(v.samples) + " samples)"});
    kv.push_back({"test", "accuracy " + percent(t.accuracy) + ", macro-F1 " + fmt("%.4f", t.macro_f1) + ", loss " +
                              fmt("%.4f", t.loss) + " (" + std::to_string(t.samples) + " samples)"});
  } else if (!r.result.epochs.empty()) {
    kv.push_back({"epochs", std::to_string(r.result.epochs.size()) + " so far"});
  }
  if (has_resources(r))
    kv.push_back({"cost", short_count(double(r.resources.params)) + " params, " +
                              short_bytes(double(r.resources.bytes)) + ", " + short_count(double(r.resources.macs)) +
                              " MACs, peak activations " + short_bytes(double(r.resources.peak_activation_bytes))});
  if (has_resources(r) && r.resources.energy_pj > 0) {
    const auto& res = r.resources;
    std::string split;
    const std::pair<const char*, int64_t> macs[] = {{"fp32", res.macs_fp32}, {"fp16", res.macs_fp16},
                                                    {"int16", res.macs_int16}, {"int8", res.macs_int8},
                                                    {"binary", res.macs_binary}};
    for (const auto& [name, v] : macs)
      if (v > 0) split += (split.empty() ? "" : ", ") + short_count(double(v)) + " " + name;
    kv.push_back({"MACs", split.empty() ? "-" : split});
    kv.push_back({"energy", short_energy(res.energy_pj) + " per inference (compute " + short_energy(res.energy_compute_pj) +
                                ", weights " + short_energy(res.energy_weights_pj) + " from " + res.weight_memory +
                                ", activations " + short_energy(res.energy_activations_pj) + " in " +
                                res.activation_memory + "; Horowitz 45 nm estimate)"});
  }
  kv.push_back({"slimrt", "latency " + cell(r, "latency_ms") + " ms, arena " + cell(r, "arena_bytes") + ", file " +
                              cell(r, "file_bytes")});
  for (const auto& [k, v] : r.tags) kv.push_back({k, v});
  if (!r.error.empty()) kv.push_back({"error", r.error});
  os << align(kv, {false, false}, false);

  if (!r.result.epochs.empty()) {
    os << "\nCurves\n";
    std::vector<std::vector<std::string>> rows = {
        {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "val_f1", "lr", "time", "samples/s"}};
    for (const auto& m : r.result.epochs)
      rows.push_back({std::to_string(m.epoch), fmt("%.4f", m.train_loss), percent(m.train_accuracy),
                      fmt("%.4f", m.val_loss), percent(m.val_accuracy), fmt("%.4f", m.val_macro_f1), fmt("%.3g", m.lr),
                      short_duration(m.seconds), fmt("%.0f", m.samples_per_second)});
    os << align(rows, std::vector<bool>(rows[0].size(), true));
  }

  confusion_text(os, r, "test", r.result.test);
  confusion_text(os, r, "val", r.result.val);

  if (!r.resources.layers.empty()) {
    os << "\nLayers\n";
    std::vector<std::vector<std::string>> rows = {
        {"layer", "kind", "output", "precision", "params", "bytes", "MACs", "MAC type", "activations", "energy"}};
    for (const auto& l : r.resources.layers)
      rows.push_back({l.name, l.kind, shape_text(l.output_shape), l.precision, std::to_string(l.params),
                      std::to_string(l.bytes), std::to_string(l.macs), l.mac_precision,
                      std::to_string(l.activation_bytes), l.energy_pj > 0 ? short_energy(l.energy_pj) : "-"});
    rows.push_back({"total", "", "", "", std::to_string(r.resources.params), std::to_string(r.resources.bytes),
                    std::to_string(r.resources.macs), "",
                    "peak " + std::to_string(r.resources.peak_activation_bytes),
                    r.resources.energy_pj > 0 ? short_energy(r.resources.energy_pj) : "-"});
    os << align(rows, {false, false, false, false, true, true, true, false, true, true});
  } else if (!r.graph.empty()) {
    os << "\nLayers\n";
    std::vector<std::vector<std::string>> rows = {{"layer", "kind", "output", "precision", "params"}};
    for (const auto& l : r.graph)
      rows.push_back({l.name, l.kind, shape_text(l.output_shape), l.precision, std::to_string(l.params)});
    os << align(rows, {false, false, false, false, true});
  }

  stages_text(os, r);

  if (!r.config_toml.empty()) os << "\nConfiguration\n" << r.config_toml;
  return os.str();
}

}  // namespace slimlab::exp
