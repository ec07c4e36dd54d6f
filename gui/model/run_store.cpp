#include "gui/model/run_store.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "experiments/runs.h"

namespace fs = std::filesystem;

namespace slimlab::gui {

std::string run_key(const exp::RunRecord& r) { return r.experiment + "/" + r.run_id; }

// ---- scanner ----------------------------------------------------------------------

RunScanner::RunScanner(fs::path runs_root, std::chrono::milliseconds period)
    : root_(std::move(runs_root)), period_(period), snapshot_(std::make_shared<RunList>()) {}

RunScanner::~RunScanner() { stop(); }

RunScanner::Signature RunScanner::signature_of(const fs::path& dir) {
  Signature s;
  // log.txt too: a compression stage reports progress there (and the Runs panel shows its tail).
  for (const char* name : {"results.h5", "status", "curves.csv", "config.toml", "log.txt"}) {
    std::error_code ec;
    const fs::path p = dir / name;
    const auto size = fs::file_size(p, ec);
    if (ec) {
      s.files.emplace_back(-1, -1);
      continue;
    }
    const auto t = fs::last_write_time(p, ec);
    s.files.emplace_back(int64_t(size), ec ? 0 : int64_t(t.time_since_epoch().count()));
  }
  return s;
}

void RunScanner::scan_once() {
  std::set<fs::path> seen;
  bool changed = false;
  std::error_code ec;
  if (fs::is_directory(root_, ec)) {
    for (const auto& exp_dir : fs::directory_iterator(root_, ec)) {
      if (!exp_dir.is_directory(ec)) continue;
      std::error_code ec2;
      for (const auto& run_dir : fs::directory_iterator(exp_dir.path(), ec2)) {
        if (!run_dir.is_directory(ec2)) continue;
        const fs::path dir = run_dir.path();
        seen.insert(dir);
        Signature sig = signature_of(dir);
        auto it = cache_.find(dir);
        if (it != cache_.end() && it->second.sig == sig) continue;
        Entry e;
        e.sig = std::move(sig);
        try {
          e.record = exp::read_run(dir);
        } catch (const std::exception& ex) {  // read_run reports bad files in the record; be safe anyway
          exp::RunRecord r;
          r.experiment = dir.parent_path().filename().string();
          r.run_id = dir.filename().string();
          r.status = "unreadable";
          r.error = ex.what();
          r.dir = dir;
          e.record = std::move(r);
        }
        cache_[dir] = std::move(e);
        changed = true;
      }
    }
  }
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (!seen.count(it->first)) {
      it = cache_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (!changed && version_.load() > 0) return;
  auto list = std::make_shared<RunList>();
  for (const auto& [dir, e] : cache_)
    if (e.record) list->push_back(*e.record);
  std::sort(list->begin(), list->end(), [](const exp::RunRecord& a, const exp::RunRecord& b) {
    return a.experiment != b.experiment ? a.experiment < b.experiment : a.run_id < b.run_id;
  });
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_ = std::move(list);
  }
  ++version_;
}

void RunScanner::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void RunScanner::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RunScanner::request_rescan() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void RunScanner::loop() {
  while (true) {
    scan_once();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, period_, [this] { return stop_ || wake_; });
    if (stop_) return;
    wake_ = false;
  }
}

std::shared_ptr<const RunList> RunScanner::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

// ---- columns ----------------------------------------------------------------------

const std::vector<RunColumn>& run_table_columns() {
  static const std::vector<RunColumn> cols = [] {
    std::vector<RunColumn> c = {
        {"status", "status", false},          {"experiment", "experiment", false},
        {"run", "run", false},                {"dataset", "dataset", false},
        {"model", "model", false},            {"technique", "technique", false},
        {"test_accuracy", "test acc", true},  {"val_accuracy", "val acc", true},
        {"params", "params", true},           {"bytes", "bytes", true},
        {"macs", "MACs", true},               {"latency_ms", "latency ms", true},
        {"arena_bytes", "arena", true},       {"file_bytes", ".slim bytes", true},
        {"epochs", "epochs", true},           {"train_seconds", "train time", true},
    };
    for (const std::string& n : exp::numeric_columns()) {
      const bool known = std::any_of(c.begin(), c.end(), [&](const RunColumn& k) { return k.id == n; });
      // "energy" and "latency" are aliases of energy_pj and latency_ms.
      if (!known && n != "test_macro_f1" && n != "val_macro_f1" && n != "test_loss" &&
          n != "peak_activation_bytes" && n != "energy" && n != "latency") {
        std::string label = n;
        if (n == "energy_pj") label = "energy";
        if (n.rfind("macs_", 0) == 0) label = "MACs " + n.substr(5);
        c.push_back({n, label, true});
      }
    }
    return c;
  }();
  return cols;
}

namespace {

std::string short_source(const std::string& s) {
  if (s.rfind("synthetic:", 0) == 0) return s;
  std::string path = s;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::string name = fs::path(path).filename().string();
  if ((name == "recordings" || name == "train" || name == "test") && fs::path(path).has_parent_path())
    return fs::path(path).parent_path().filename().string() + "/" + name;
  return name.empty() ? s : name;
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_bytes_column(const std::string& c) { return c.find("bytes") != std::string::npos; }

}  // namespace

std::string cell_text(const exp::RunRecord& r, const std::string& c) {
  if (auto text = exp::text_value(r, c)) return *text;
  if (c == "dataset") return short_source(r.dataset_source);
  std::optional<double> v;
  try {
    v = exp::numeric_value(r, c);
  } catch (const std::invalid_argument&) {
    return "?";
  }
  if (!v) return "-";
  char buf[64];
  if (c.find("accuracy") != std::string::npos) {
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * *v);
    return buf;
  }
  if (is_bytes_column(c)) return exp::short_bytes(*v);
  if (c == "train_seconds") return exp::short_duration(*v);
  if (c == "latency_ms") {
    std::snprintf(buf, sizeof buf, "%.3f", *v);
    return buf;
  }
  if (c == "energy_pj" || c == "energy") return exp::short_energy(*v);
  return exp::short_count(*v);
}

// ---- table ------------------------------------------------------------------------

bool RunFilter::matches(const exp::RunRecord& r) const {
  if (!status.empty() && r.status != status) return false;
  if (!technique.empty() && r.techniques != technique) return false;
  if (!experiment.empty() && r.experiment != experiment) return false;
  if (!text.empty()) {
    const std::string t = lower(text);
    for (const std::string* s : {&r.experiment, &r.run_id, &r.dataset_source, &r.model, &r.techniques})
      if (lower(*s).find(t) != std::string::npos) return true;
    return false;
  }
  return true;
}

void RunTable::set_runs(std::shared_ptr<const RunList> runs) {
  runs_ = runs ? std::move(runs) : std::make_shared<RunList>();
  by_key_.clear();
  for (size_t i = 0; i < runs_->size(); ++i) by_key_[run_key((*runs_)[i])] = i;
  rebuild();
}

void RunTable::set_filter(const RunFilter& f) {
  if (f == filter_) return;
  filter_ = f;
  rebuild();
}

void RunTable::set_sort(const std::string& column, bool ascending) {
  if (column == sort_column_ && ascending == ascending_) return;
  sort_column_ = column;
  ascending_ = ascending;
  rebuild();
}

void RunTable::rebuild() {
  rows_.clear();
  const RunList& runs = *runs_;
  for (size_t i = 0; i < runs.size(); ++i)
    if (filter_.matches(runs[i])) rows_.push_back(i);
  const auto& cols = run_table_columns();
  const auto col = std::find_if(cols.begin(), cols.end(), [&](const RunColumn& c) { return c.id == sort_column_; });
  if (col != cols.end() && col->numeric) {
    // Runs without a value go last whatever the direction.
    std::vector<std::pair<std::optional<double>, size_t>> keyed;
    for (size_t i : rows_) {
      std::optional<double> v;
      try {
        v = exp::numeric_value(runs[i], sort_column_);
      } catch (const std::invalid_argument&) {
      }
      keyed.emplace_back(v, i);
    }
    using Keyed = std::pair<std::optional<double>, size_t>;
    std::stable_sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
      if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
      if (!a.first) return false;
      const double va = *a.first, vb = *b.first;
      return ascending_ ? va < vb : va > vb;
    });
    for (size_t k = 0; k < keyed.size(); ++k) rows_[k] = keyed[k].second;
  } else if (col != cols.end()) {
    std::vector<std::pair<std::string, size_t>> keyed;
    for (size_t i : rows_) keyed.emplace_back(cell_text(runs[i], sort_column_), i);
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
      return ascending_ ? a.first < b.first : a.first > b.first;
    });
    for (size_t k = 0; k < keyed.size(); ++k) rows_[k] = keyed[k].second;
  }
  ++revision_;
}

std::vector<std::string> RunTable::distinct(const std::string& what) const {
  std::set<std::string> s;
  for (const auto& r : *runs_) {
    if (what == "technique") s.insert(r.techniques);
    else if (what == "experiment") s.insert(r.experiment);
    else if (what == "status") s.insert(r.status);
    else if (what == "model") s.insert(r.model);
  }
  return {s.begin(), s.end()};
}

const exp::RunRecord* RunTable::find(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &(*runs_)[it->second];
}

std::optional<size_t> RunTable::index_of(const std::string& key) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

}  // namespace slimlab::gui
