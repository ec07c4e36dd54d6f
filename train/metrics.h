#pragma once
// Classification metrics and the per-epoch record of a training run. No LibTorch:
// the results store, `slimlab runs` and the GUI read these too.
#include <cstdint>
#include <string>
#include <vector>

namespace slimlab::train {

struct EvalMetrics {
  double loss = 0;
  double accuracy = 0;
  double macro_f1 = 0;            // mean over classes of F1 (a class with no true and no predicted samples is skipped)
  int64_t num_classes = 0;
  std::vector<int64_t> confusion;  // num_classes × num_classes, row = true class, column = predicted
  int64_t samples = 0;
};

// Accuracy, macro-F1 and the confusion matrix from labels and predictions.
EvalMetrics compute_metrics(const std::vector<int64_t>& y_true, const std::vector<int64_t>& y_pred,
                            int64_t num_classes, double loss = 0);

struct EpochMetrics {
  int epoch = 0;  // 1-based
  double train_loss = 0, train_accuracy = 0;
  double val_loss = 0, val_accuracy = 0, val_macro_f1 = 0;
  double lr = 0;
  double seconds = 0;              // wall time of the epoch (training + validation)
  double samples_per_second = 0;   // training throughput
  double data_wait_fraction = 0;   // share of training step time spent waiting for batches
};

struct TrainResult {
  std::vector<EpochMetrics> epochs;
  int best_epoch = 0;              // the epoch whose weights were kept (best val accuracy)
  bool stopped_early = false;
  EvalMetrics val, test;           // of the kept weights
  double train_seconds = 0;
};

}  // namespace slimlab::train
