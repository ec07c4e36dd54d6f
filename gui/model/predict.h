#pragma once
// The Deploy panel's "run on a file": an exported .slim of a run applied to one
// input file (WAV, CSV, image, raw float32) with `slimrt-run run MODEL INPUT`, a
// child process in the job queue like every other; its output is parsed into the
// predicted class and the per-class scores. Also the precision a run's Deploy
// defaults to: the one the run was made for. No ImGui.
#include <deque>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "experiments/results.h"
#include "gui/model/jobs.h"

namespace slimlab::gui {

// The export precision a run was made for: its [export] precision when it exported,
// else what its stages give (binaryconnect / bnn → "binary", fixed_point → "int8"
// for ≤ 8-bit weights, else "int16"), else "fp32".
std::string run_precision(const exp::RunRecord& r);

// The .slim files exported into a run's folder (model-<precision>.slim, model.slim), sorted.
std::vector<std::filesystem::path> exported_models(const std::filesystem::path& run_dir);

struct Prediction {
  int id = 0;
  std::string run_key;
  std::filesystem::path model, input, log_file;
  int job = 0;
  std::string state = "running";  // running | done | failed
  std::string class_name;         // the predicted class ("" when the model has no names: the index)
  int index = -1;
  std::vector<std::pair<std::string, double>> scores;  // as printed, best first when the tool sorts them
  std::string message;                                 // a failure: the tool's last error line
};

// What `slimrt-run run` printed: "prediction\t<i>\t<name>" after one "<i>\t<name>\t<score>"
// line per class, or (models with a front end) "class <name> <score>" lines, best first.
// state "failed" with a message when neither is there.
Prediction parse_run_output(const std::string& text);

class PredictController {
 public:
  PredictController(JobQueue& queue, std::filesystem::path slimrt_run_exe)
      : queue_(queue), slimrt_run_(std::move(slimrt_run_exe)) {}
  // Queues `slimrt-run run MODEL INPUT` (output in <run>/predict.txt). Returns the
  // request id, or 0 with *why (no such model or input file, no slimrt-run).
  int request(const std::string& run_key, const std::filesystem::path& run_dir, const std::filesystem::path& model,
              const std::filesystem::path& input, std::string* why);
  // Feed every finished job here (JobQueue::on_done).
  void on_job_done(const Job& job);
  const Prediction* latest_for(const std::string& run_key) const;

 private:
  JobQueue& queue_;
  std::filesystem::path slimrt_run_;
  std::deque<Prediction> requests_;
  int next_id_ = 1;
};

}  // namespace slimlab::gui
