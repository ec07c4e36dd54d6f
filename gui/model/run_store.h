#pragma once
// The runs the GUI shows: a background scanner that keeps an up-to-date list of
// runs/<experiment>/<run-id>/ (re-reading only folders whose files changed, so a
// thousand finished runs cost one stat pass per second), and the table view over
// it — filters, sort order and the selected run. No ImGui: tests and the
// benchmark use the same model as the panels.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "experiments/results.h"

namespace slimlab::gui {

using RunList = std::vector<exp::RunRecord>;

// "experiment/run-id": how the GUI names a run (selection, state file, deploy).
std::string run_key(const exp::RunRecord& r);

class RunScanner {
 public:
  explicit RunScanner(std::filesystem::path runs_root,
                      std::chrono::milliseconds period = std::chrono::milliseconds(1000));
  ~RunScanner();
  RunScanner(const RunScanner&) = delete;
  RunScanner& operator=(const RunScanner&) = delete;

  // One pass on the calling thread (before the first frame, in tests).
  void scan_once();
  // The background thread: a pass every `period`, or at once after request_rescan().
  void start();
  void stop();
  void request_rescan();

  // The latest list (sorted by experiment, run id) and its version; the version
  // grows whenever the contents change.
  std::shared_ptr<const RunList> snapshot() const;
  uint64_t version() const { return version_.load(); }
  const std::filesystem::path& root() const { return root_; }

 private:
  struct Signature {
    std::vector<std::pair<int64_t, int64_t>> files;  // (size, mtime ns) of results.h5, status, curves.csv,
                                                     // config.toml, log.txt; -1 if absent
    bool operator==(const Signature& o) const { return files == o.files; }
  };
  struct Entry {
    Signature sig;
    std::optional<exp::RunRecord> record;
  };
  static Signature signature_of(const std::filesystem::path& dir);
  void loop();

  std::filesystem::path root_;
  std::chrono::milliseconds period_;
  std::map<std::filesystem::path, Entry> cache_;  // scanner thread only (or scan_once before start)
  mutable std::mutex mu_;
  std::shared_ptr<const RunList> snapshot_;
  std::atomic<uint64_t> version_{0};
  std::condition_variable cv_;
  bool wake_ = false, stop_ = false;
  std::thread thread_;
};

// A column of the runs table. Numeric columns sort by value (runs without one last).
struct RunColumn {
  std::string id;       // "status", "experiment", …, or a numeric column of experiments/runs.h
  std::string label;
  bool numeric = false;
};
// Status, experiment, run, dataset, model, technique, accuracy, parameters, bytes,
// MACs, latency, arena, file bytes, epochs, train time, then any numeric column
// experiments/runs.h gained since (energy, bytes by precision, …).
const std::vector<RunColumn>& run_table_columns();
// The text of a cell ("-" when unknown).
std::string cell_text(const exp::RunRecord& r, const std::string& column);

struct RunFilter {
  std::string text;        // case-insensitive substring of experiment, run, dataset, model or technique
  std::string status;      // "" = any; running | finished | failed | unreadable
  std::string technique;   // "" = any, else exact
  std::string experiment;  // "" = any, else exact
  bool operator==(const RunFilter& o) const {
    return text == o.text && status == o.status && technique == o.technique && experiment == o.experiment;
  }
  bool matches(const exp::RunRecord& r) const;
};

// Filtered, sorted view of a run list plus the selection (kept by key, so it
// survives rescans and re-sorting).
class RunTable {
 public:
  void set_runs(std::shared_ptr<const RunList> runs);
  const RunList& runs() const { return *runs_; }
  std::shared_ptr<const RunList> runs_ptr() const { return runs_; }

  void set_filter(const RunFilter& f);
  const RunFilter& filter() const { return filter_; }
  void set_sort(const std::string& column, bool ascending);
  const std::string& sort_column() const { return sort_column_; }
  bool sort_ascending() const { return ascending_; }

  // Indices into runs() that pass the filter, in sort order.
  const std::vector<size_t>& rows() const { return rows_; }
  // Every distinct technique / experiment / status in runs() (for the filter combos).
  std::vector<std::string> distinct(const std::string& what) const;

  void select(const std::string& key) { selected_ = key; }
  const std::string& selected_key() const { return selected_; }
  const exp::RunRecord* selected() const { return find(selected_); }
  const exp::RunRecord* find(const std::string& key) const;
  std::optional<size_t> index_of(const std::string& key) const;
  // Bumped whenever rows() or runs() change (panels rebuild caches on change).
  uint64_t revision() const { return revision_; }

 private:
  void rebuild();
  std::shared_ptr<const RunList> runs_ = std::make_shared<RunList>();
  std::map<std::string, size_t> by_key_;
  RunFilter filter_;
  std::string sort_column_ = "experiment";
  bool ascending_ = true;
  std::vector<size_t> rows_;
  std::string selected_;
  uint64_t revision_ = 0;
};

}  // namespace slimlab::gui
