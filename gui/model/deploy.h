#pragma once
// The Deploy panel's model: export a run to .slim at a precision
// (`slimlab export <run> --precision P --out <run>/model-P.slim`), then benchmark
// it with slimrt (`slimrt-run bench <file>`, and `--device opencl` when asked),
// each a child process in the job queue. The measurements (latency, arena, file
// size) are written into the run's results.h5, so they appear in the runs table,
// the trade-off plot and `slimlab runs list`.
#include <cmath>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <limits>
#include <string>

#include "gui/model/jobs.h"

namespace slimlab::gui {

struct BenchMeasurement {
  double latency_ms = std::numeric_limits<double>::quiet_NaN();
  int64_t arena_bytes = -1;
  int64_t file_bytes = -1;
  bool any() const { return !std::isnan(latency_ms) || arena_bytes >= 0 || file_bytes >= 0; }
};

// Reads what slimrt-run bench printed ("median_ms 0.1234  p90_ms …" and
// "arena_bytes 4096  lower_bound …  file_bytes 12345"), or lines such as "latency_ms: 0.123",
// "latency 0.123 ms (median)", "arena_bytes = 4096", "arena: 4.0 KiB",
// "file_bytes 12345". Unrecognised lines are ignored; the last value of a kind wins.
BenchMeasurement parse_bench_output(const std::string& text);

struct DeployRequest {
  int id = 0;
  std::string run_key;
  std::filesystem::path run_dir;
  std::string precision = "fp32";
  bool opencl = false;
  bool front_end = false;       // exported with `--front-end`: the .slim takes raw samples / images
  std::string step = "export";  // export | bench | bench-opencl | done | failed
  int job = 0;                  // the current step's job id
  std::filesystem::path slim_file, log_file;
  std::string message;          // a failure, or where the measurements went
  BenchMeasurement cpu, gpu;
  bool done() const { return step == "done" || step == "failed"; }
};

class DeployController {
 public:
  DeployController(JobQueue& queue, std::filesystem::path slimlab_exe, std::filesystem::path slimrt_run_exe)
      : queue_(queue), slimlab_(std::move(slimlab_exe)), slimrt_run_(std::move(slimrt_run_exe)) {}

  // "" when both programs are there, else what is missing (shown in the panel).
  std::string missing_tools() const;
  // Starts the export of a run; returns the request id (0 with *why when refused).
  // With front_end, `slimlab export --front-end` writes model-<precision>-frontend.slim,
  // which takes what the sensor gives (WAV samples, CSV rows, an image) — what "run on
  // a file" needs for audio and images.
  int request(const std::string& run_key, const std::filesystem::path& run_dir, const std::string& precision,
              bool opencl, std::string* why, bool front_end = false);
  // Feed every finished job here (JobQueue::on_done); moves requests along.
  // Returns true when measurements were written into a run's results.h5.
  bool on_job_done(const Job& job);
  const std::deque<DeployRequest>& requests() const { return requests_; }
  const DeployRequest* latest_for(const std::string& run_key) const;

 private:
  void next_step(DeployRequest& r);
  bool write_back(DeployRequest& r);
  JobQueue& queue_;
  std::filesystem::path slimlab_, slimrt_run_;
  std::deque<DeployRequest> requests_;
  int next_id_ = 1;
};

std::string read_file_text(const std::filesystem::path& p, size_t max_bytes = 1 << 20);

}  // namespace slimlab::gui
