#pragma once
// Listing runs and showing them as text: `slimlab runs`, `slimlab runs show`,
// and the GUI's run list (the same model, no ImGui here).
//
// A run is a folder runs/<experiment>/<run-id>/ holding results.h5 (written at
// the end) and/or a plain-text `status` file the runner keeps while it works:
// "running", "finished" or "failed: <why>" (first line). While a run is running
// its epochs so far are read from curves.csv (header line, then one line per
// finished epoch), so a listing shows live progress.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiments/results.h"

namespace slimlab::exp {

// Every run under `runs_root`, sorted by experiment then run id. A folder with
// results.h5 is read from it; one whose status file says "running" is shown as
// running (its config.toml and curves.csv give model, dataset and epochs so far);
// a folder with only a status file takes its status and error from it. A
// results.h5 that cannot be read gives a record with status "unreadable" and the
// reason in `error` — one bad file never hides the others. A missing root gives
// an empty list.
std::vector<RunRecord> list_runs(const std::filesystem::path& runs_root);

// One run folder read the way list_runs reads it (experiment and run id from the
// path's last two components when results.h5 cannot say); nullopt when the folder
// holds neither results.h5 nor a status file. Used by the GUI's incremental scan.
std::optional<RunRecord> read_run(const std::filesystem::path& run_dir);

// Parses the first line of a status file: "failed: out of memory" → {"failed",
// "out of memory"}. Unknown words are returned as they are.
std::pair<std::string, std::string> parse_status_text(const std::string& text);
// <run_dir>/status parsed; nullopt when the folder has no status file.
std::optional<std::pair<std::string, std::string>> read_status(const std::filesystem::path& run_dir);

// Table columns: experiment, run, status, dataset, model, technique, val_acc,
// test_acc, macro_f1 (test), params, bytes, macs, energy (estimated per
// inference), epochs, time, and also latency_ms, arena_bytes, file_bytes, started, git.
const std::vector<std::string>& run_columns();
const std::vector<std::string>& default_run_columns();  // the first fifteen
// An aligned text table, one run per line, numbers right-aligned and in short
// units (12.3k params, 48.1 KiB, 1.2M MACs, 91.23%); "-" where a value is not
// known. std::invalid_argument (listing the valid names) for an unknown column.
std::string runs_table(const std::vector<RunRecord>& runs,
                       const std::vector<std::string>& columns = default_run_columns());

// Numeric columns, for plots and sorting: params, bytes, macs,
// peak_activation_bytes, latency_ms, arena_bytes, file_bytes, val_accuracy,
// test_accuracy, val_macro_f1, test_macro_f1, test_loss, epochs, train_seconds,
// energy_pj (estimated energy per inference), energy (= energy_pj), latency
// (= latency_ms), macs_fp32, macs_fp16, macs_int16, macs_int8, macs_binary.
const std::vector<std::string>& numeric_columns();
// The value, or nullopt when the run has none (not finished, not measured).
// std::invalid_argument (listing the valid names) for an unknown column.
std::optional<double> numeric_value(const RunRecord& r, const std::string& column);
// The text columns every listing (CLI table, GUI) shows as they are: experiment, run,
// status, model, technique; nullopt for any other column.
std::optional<std::string> text_value(const RunRecord& r, const std::string& column);

// Everything about one run for `slimlab runs show`: summary, configuration,
// per-epoch curves, confusion matrices with class names, the per-layer table
// (params, bytes, MACs, output shape, precision) and totals.
std::string run_details(const RunRecord& r);

// Short human forms used by the table: 12345 → "12.3k", 1536 bytes → "1.5 KiB",
// 75.2 s → "1m15s".
std::string short_count(double v);
std::string short_bytes(double v);
std::string short_energy(double picojoules);  // "412 pJ", "3.1 nJ", "2.4 µJ", "1.2 mJ"
std::string short_duration(double seconds);

}  // namespace slimlab::exp
