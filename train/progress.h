#pragma once
// Console progress of a training run. On a terminal: one line redrawn in place
// with '\r' (epoch, bar, step/steps, loss, accuracy, samples/s, ETA), at most
// ~10 redraws a second, then one summary line per epoch. Elsewhere (a log file,
// a pipe, the GUI's child process): only the per-epoch summary lines, so logs
// stay readable. No LibTorch.
#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "train/metrics.h"

namespace slimlab::train {

class ProgressReporter {
 public:
  // `now_seconds` is a monotonic clock (tests pass a fake one); empty = steady_clock.
  ProgressReporter(std::ostream& out, bool is_terminal, std::function<double()> now_seconds = {});

  void begin_epoch(int epoch, int epochs, int64_t steps);
  // After training step `step` (1-based) of the epoch: running means of the loss
  // and accuracy so far and the training throughput.
  void step(int64_t step, double loss, double accuracy, double samples_per_s);
  void end_epoch(const EpochMetrics& m);

  // Optional whole-run ETA (base training + compression stages), shown as "run ETA"
  // after the epoch's: given the seconds left in the current training (this epoch and
  // its remaining epochs) and the current epoch's estimated length, the seconds left
  // in the whole run (< 0: not shown). The runner knows what comes after this training.
  std::function<double(double training_left, double epoch_seconds)> run_eta;

  // Shortest time between two redraws of the terminal line.
  static constexpr double kRedrawInterval = 0.1;

 private:
  void draw(int64_t step, double loss, double accuracy, double samples_per_s);

  std::ostream& out_;
  bool terminal_;
  std::function<double()> now_;
  int epoch_ = 0, epochs_ = 0;
  int64_t steps_ = 0;
  double epoch_start_ = 0, last_draw_ = 0;
  bool drawn_ = false;
  size_t last_width_ = 0;
};

// "epoch 3/10 train_loss=0.4123 train_acc=0.8512 val_loss=… val_acc=… val_f1=… lr=1.000e-03
//  time=2.31s samples/s=12034 data_wait=3.1%" — every EpochMetrics field, one line.
std::string format_epoch_line(const EpochMetrics& m, int epochs);

// "1:05" / "1:02:03" for an ETA.
std::string format_duration(double seconds);

// Whether standard output is a terminal (isatty), i.e. whether to draw a bar.
bool stdout_is_terminal();

}  // namespace slimlab::train
