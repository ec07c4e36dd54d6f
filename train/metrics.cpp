#include "train/metrics.h"

#include <stdexcept>
#include <string>

namespace slimlab::train {

EvalMetrics compute_metrics(const std::vector<int64_t>& y_true, const std::vector<int64_t>& y_pred,
                            int64_t num_classes, double loss) {
  if (y_true.size() != y_pred.size())
    throw std::invalid_argument("compute_metrics: " + std::to_string(y_true.size()) + " labels but " +
                                std::to_string(y_pred.size()) + " predictions");
  if (num_classes <= 0)
    throw std::invalid_argument("compute_metrics: num_classes must be positive, got " +
                                std::to_string(num_classes));
  EvalMetrics m;
  m.loss = loss;
  m.num_classes = num_classes;
  m.samples = int64_t(y_true.size());
  m.confusion.assign(size_t(num_classes * num_classes), 0);
  int64_t correct = 0;
  for (size_t i = 0; i < y_true.size(); ++i) {
    const int64_t t = y_true[i], p = y_pred[i];
    if (t < 0 || t >= num_classes || p < 0 || p >= num_classes)
      throw std::invalid_argument("compute_metrics: sample " + std::to_string(i) + " has label " +
                                  std::to_string(t) + " / prediction " + std::to_string(p) + " outside [0, " +
                                  std::to_string(num_classes) + ")");
    ++m.confusion[size_t(t * num_classes + p)];
    if (t == p) ++correct;
  }
  m.accuracy = m.samples > 0 ? double(correct) / double(m.samples) : 0.0;

  // F1_c = 2·TP / (2·TP + FP + FN) — the harmonic mean of precision and recall,
  // written so that a class with TP = 0 but some FP or FN scores 0 (not NaN).
  // A class absent from both the labels and the predictions is skipped.
  double f1_sum = 0;
  int64_t counted = 0;
  for (int64_t c = 0; c < num_classes; ++c) {
    int64_t tp = m.confusion[size_t(c * num_classes + c)], row = 0, col = 0;
    for (int64_t k = 0; k < num_classes; ++k) {
      row += m.confusion[size_t(c * num_classes + k)];  // true c
      col += m.confusion[size_t(k * num_classes + c)];  // predicted c
    }
    if (row == 0 && col == 0) continue;
    const int64_t fn = row - tp, fp = col - tp;
    f1_sum += 2.0 * double(tp) / double(2 * tp + fp + fn);
    ++counted;
  }
  m.macro_f1 = counted > 0 ? f1_sum / double(counted) : 0.0;
  return m;
}

}  // namespace slimlab::train
