#include "train/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace slimlab::train {

namespace {
double steady_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = int64_t(std::llround(seconds));
  char buf[48];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
                  (long long)(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
  return buf;
}

std::string format_epoch_line(const EpochMetrics& m, int epochs) {
  std::ostringstream o;
  o << "epoch " << m.epoch << "/" << epochs << " train_loss=" << fmt("%.4f", m.train_loss)
    << " train_acc=" << fmt("%.4f", m.train_accuracy) << " val_loss=" << fmt("%.4f", m.val_loss)
    << " val_acc=" << fmt("%.4f", m.val_accuracy) << " val_f1=" << fmt("%.4f", m.val_macro_f1)
    << " lr=" << fmt("%.3e", m.lr) << " time=" << fmt("%.2f", m.seconds) << "s"
    << " samples/s=" << fmt("%.0f", m.samples_per_second)
    << " data_wait=" << fmt("%.1f", 100.0 * m.data_wait_fraction) << "%";
  return o.str();
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

ProgressReporter::ProgressReporter(std::ostream& out, bool is_terminal, std::function<double()> now_seconds)
    : out_(out), terminal_(is_terminal), now_(now_seconds ? std::move(now_seconds) : steady_now) {}

void ProgressReporter::begin_epoch(int epoch, int epochs, int64_t steps) {
  epoch_ = epoch;
  epochs_ = epochs;
  steps_ = steps;
  epoch_start_ = now_();
  drawn_ = false;
}

void ProgressReporter::step(int64_t step, double loss, double accuracy, double samples_per_s) {
  if (!terminal_) return;
  const double t = now_();
  // Redraw at most every kRedrawInterval, but always the first and the last step.
  if (drawn_ && step < steps_ && t - last_draw_ < kRedrawInterval) return;
  last_draw_ = t;
  drawn_ = true;
  draw(step, loss, accuracy, samples_per_s);
}

void ProgressReporter::draw(int64_t step, double loss, double accuracy, double samples_per_s) {
  constexpr int kBarWidth = 24;
  const double frac = steps_ > 0 ? std::clamp(double(step) / double(steps_), 0.0, 1.0) : 1.0;
  const int filled = int(frac * kBarWidth);
  // ETA from the mean step time so far: elapsed / step × remaining steps.
  const double elapsed = now_() - epoch_start_;
  const double eta = step > 0 ? elapsed / double(step) * double(steps_ - step) : -1.0;
  std::ostringstream o;
  o << "epoch " << epoch_ << "/" << epochs_ << " [" << std::string(size_t(filled), '=')
    << (filled < kBarWidth ? ">" : "") << std::string(size_t(std::max(0, kBarWidth - filled - 1)), ' ') << "] "
    << step << "/" << steps_ << " loss " << fmt("%.4f", loss) << " acc " << fmt("%.4f", accuracy) << " "
    << fmt("%.0f", samples_per_s) << " samples/s ETA " << format_duration(eta);
  if (run_eta && eta >= 0) {
    const double epoch_seconds = elapsed + eta;
    const double left = run_eta(eta + double(std::max(0, epochs_ - epoch_)) * epoch_seconds, epoch_seconds);
    if (left >= 0) o << " run ETA " << format_duration(left);
  }
  std::string line = o.str();
  const size_t width = line.size();
  if (width < last_width_) line.append(last_width_ - width, ' ');  // erase a longer previous line
  last_width_ = width;
  out_ << '\r' << line << std::flush;
}

void ProgressReporter::end_epoch(const EpochMetrics& m) {
  std::string line = format_epoch_line(m, epochs_);
  if (terminal_) {
    if (line.size() < last_width_) line.append(last_width_ - line.size(), ' ');
    out_ << '\r';
    last_width_ = 0;
  }
  out_ << line << '\n' << std::flush;
}

}  // namespace slimlab::train
