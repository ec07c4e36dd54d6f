// ProgressReporter: plain per-epoch lines when not on a terminal; a '\r'-redrawn
// bar with an ETA, rate-limited, on a terminal. A fake clock keeps it exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "train/progress.h"

using namespace slimlab::train;

namespace {
EpochMetrics sample_epoch() {
  EpochMetrics m;
  m.epoch = 3;
  m.train_loss = 0.41234;
  m.train_accuracy = 0.85;
  m.val_loss = 0.5;
  m.val_accuracy = 0.8125;
  m.val_macro_f1 = 0.79;
  m.lr = 1e-3;
  m.seconds = 2.314;
  m.samples_per_second = 12034.4;
  m.data_wait_fraction = 0.031;
  return m;
}
}  // namespace

TEST(Progress, PlainLinesOnlyAtEpochEnd) {
  std::ostringstream out;
  ProgressReporter p(out, /*is_terminal=*/false);
  p.begin_epoch(3, 10, 100);
  for (int s = 1; s <= 100; ++s) p.step(s, 0.5, 0.8, 1000);
  EXPECT_EQ(out.str(), "");
  p.end_epoch(sample_epoch());
  EXPECT_EQ(out.str(),
            "epoch 3/10 train_loss=0.4123 train_acc=0.8500 val_loss=0.5000 val_acc=0.8125 val_f1=0.7900 "
            "lr=1.000e-03 time=2.31s samples/s=12034 data_wait=3.1%\n");
}

TEST(Progress, TerminalBarHasCarriageReturnAndEta) {
  double now = 100.0;
  std::ostringstream out;
  ProgressReporter p(out, /*is_terminal=*/true, [&] { return now; });
  p.begin_epoch(1, 5, 10);
  now += 2.0;  // 2 s for the first step → 9 steps left ≈ 18 s
  p.step(1, 1.25, 0.5, 320);
  const std::string s = out.str();
  EXPECT_EQ(s.front(), '\r');
  EXPECT_NE(s.find("ETA 0:18"), std::string::npos) << s;
  EXPECT_NE(s.find("1/10"), std::string::npos) << s;
  EXPECT_NE(s.find("loss 1.2500"), std::string::npos) << s;
  EXPECT_NE(s.find("acc 0.5000"), std::string::npos) << s;
  EXPECT_NE(s.find("320 samples/s"), std::string::npos) << s;
  EXPECT_NE(s.find("epoch 1/5"), std::string::npos) << s;
}

TEST(Progress, TerminalRedrawsAreRateLimited) {
  double now = 0.0;
  std::ostringstream out;
  ProgressReporter p(out, true, [&] { return now; });
  p.begin_epoch(1, 1, 1000);
  // 1000 steps over 1 s of fake time: about 10 redraws, plus the last step.
  for (int s = 1; s <= 1000; ++s) {
    now += 0.001;
    p.step(s, 1.0, 0.5, 100);
  }
  const std::string bar = out.str();
  const auto redraws = std::count(bar.begin(), bar.end(), '\r');
  EXPECT_GE(redraws, 9);
  EXPECT_LE(redraws, 12);
  EXPECT_NE(bar.find("1000/1000"), std::string::npos);  // the last step is always drawn
  p.end_epoch(sample_epoch());
  const std::string s = out.str();
  EXPECT_EQ(s.back(), '\n');
  EXPECT_NE(s.find("\repoch 3/1 train_loss=0.4123"), std::string::npos);
}

TEST(Progress, FormatDuration) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "--:--");
}

// The whole-run ETA (issue #20): this training's epochs left plus what the runner
// says comes after (the stages' epochs), at the current epoch's pace.
TEST(Progress, RunEtaCoversWhatComesAfterThisTraining) {
  double now = 100.0;
  std::ostringstream out;
  ProgressReporter p(out, /*is_terminal=*/true, [&] { return now; });
  double seen_left = -1, seen_epoch = -1;
  p.run_eta = [&](double training_left, double epoch_seconds) {
    seen_left = training_left;
    seen_epoch = epoch_seconds;
    return training_left + 4 * epoch_seconds;  // four stage epochs to come
  };
  p.begin_epoch(2, 5, 10);
  now += 2.0;  // 2 s a step: 20 s an epoch, 18 s left in this one, 3 epochs after it
  p.step(1, 1.0, 0.5, 100);
  EXPECT_DOUBLE_EQ(seen_epoch, 20.0);
  EXPECT_DOUBLE_EQ(seen_left, 18.0 + 3 * 20.0);
  const std::string s = out.str();
  EXPECT_NE(s.find("ETA 0:18 run ETA 2:38"), std::string::npos) << s;  // 78 + 80 = 158 s
}
