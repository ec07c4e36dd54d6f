#pragma once
// The training loop: a SlimModel, the prepared splits and a TrainConfig in, the
// per-epoch curves and the metrics of the kept weights out.
//
//   - optimisers sgd (momentum, nesterov) | adam | adamw | rmsprop, with weight decay;
//   - learning rate set once per epoch: linear warm-up from lr/10 over
//     warmup_epochs, then none | step | cosine (scheduled_lr below);
//   - loss: cross-entropy, optionally weighted by inverse class frequency of the
//     training split (weights normalised to mean 1); optional global grad-norm clip;
//   - early stopping on validation accuracy after `patience` epochs without a
//     strict improvement; the best weights are restored at the end (without a
//     validation split the last epoch's weights are kept);
//   - a checkpoint after every epoch (checkpoint.h); fit(resume = true) continues
//     from it and reproduces the uninterrupted run;
//   - data-parallel over c10d Gloo when world_size > 1 (distributed.h).
//
// Determinism: at the start of epoch e the trainer calls torch::manual_seed(seed + e)
// (dropout) and shuffles the training split with data::seeded_shuffle from
// (seed, e), so a resumed run is bit-identical to an uninterrupted one. What is
// NOT bit-reproducible: with threads != 1 some LibTorch CPU kernels (reductions,
// GEMM blocking, GRU) split work by thread count, so results can differ in the
// last bits between runs with different thread counts or machines — use
// threads = 1 for exact reproducibility. Timing fields (seconds, samples/s,
// data_wait_fraction) are measurements and differ between runs.
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "datasets/pipeline.h"
#include "datasets/torch_dataset.h"
#include "train/config.h"
#include "train/metrics.h"
#include "train/model.h"
#include "train/progress.h"

namespace slimlab::train {

class DataParallel;

// Makes glibc keep freed blocks for reuse instead of returning them to the kernel
// (see trainer_torch.cpp). Called by the Trainer; idempotent.
void keep_freed_memory_in_process();

class Trainer {
 public:
  // `data` must outlive the Trainer: its splits are read in place, not copied.
  // checkpoint_dir "" = no checkpoints. `progress` may be null (and is used on
  // rank 0 only). Throws std::invalid_argument naming the key of a bad config.
  Trainer(TrainConfig cfg, SlimModel model, const data::PreparedData& data,
          std::filesystem::path checkpoint_dir = {}, ProgressReporter* progress = nullptr);
  // A temporary PreparedData would dangle: pass one that lives as long as the Trainer.
  Trainer(TrainConfig, SlimModel, data::PreparedData&&, std::filesystem::path = {},
          ProgressReporter* = nullptr) = delete;
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Trains from epoch 1, or with resume = true from the epoch after the one in
  // `<checkpoint_dir>/last.pt` (a missing checkpoint starts fresh with a log
  // line; a corrupt or foreign one, or one written with another configuration,
  // throws std::runtime_error naming the file). The model ends with the kept
  // weights; val and test metrics are of those weights.
  TrainResult fit(bool resume = false);

  // Loss (unweighted mean cross-entropy), accuracy, macro-F1 and confusion of
  // the model in eval mode on `set` (no gradient).
  EvalMetrics evaluate(const data::ArraySet& set);

  // Called after each epoch, after its checkpoint is on disk (rank 0 only).
  std::function<void(const EpochMetrics&)> on_epoch;
  // Informational messages ("resuming from …"); default: std::cerr (rank 0 only).
  std::function<void(const std::string&)> on_log;

  // ---- hooks for compression stages (all optional) ----
  // Replaces the training loss: per-sample losses [B] from the logits, the inputs
  // and the targets of a batch (e.g. knowledge distillation's α·T²·KL + (1 − α)·CE).
  // Class weighting, when on, still multiplies them. Evaluation keeps cross-entropy.
  std::function<torch::Tensor(const torch::Tensor& logits, const torch::Tensor& inputs,
                              const torch::Tensor& targets)>
      per_sample_loss;
  // A scalar added to every batch's loss (a regulariser, e.g. an L1 penalty on BN scales).
  std::function<torch::Tensor()> extra_loss;
  // Called after every optimizer step (e.g. BinaryConnect clips its real weights to [−1, 1]).
  std::function<void()> after_step;
  // Called at the start of every epoch, before the model is put in training mode.
  std::function<void(int epoch)> before_epoch;
  // Builds the optimizer instead of train.optimizer (e.g. BNN's shift-based AdaMax).
  std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>)> optimizer_factory;

  const TrainConfig& config() const { return cfg_; }
  const SlimModel& model() const { return model_; }
  // `<checkpoint_dir>/last.pt`, or empty without a checkpoint directory.
  std::filesystem::path checkpoint_file() const;

 private:
  struct EpochTotals;
  EpochTotals train_epoch(int epoch);
  void log(const std::string& message) const;

  TrainConfig cfg_;
  SlimModel model_;
  const data::PreparedData& data_;
  std::filesystem::path checkpoint_dir_;
  ProgressReporter* progress_;
  data::ArrayDataset train_set_;
  int64_t num_classes_ = 0;
  std::vector<double> class_weights_;  // empty = unweighted
  torch::Tensor class_weights_tensor_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::unique_ptr<DataParallel> parallel_;
  int rank_ = 0;
};

// Throws std::invalid_argument naming the first bad key (optimizer, schedule,
// lr, epochs, batch_size, world_size, rank, …).
void check_train_config(const TrainConfig& cfg);

// The learning rate of epoch `epoch` (1-based). With W = warmup_epochs:
//   e ≤ W:  lr/10 + (lr − lr/10)·(e − 1)/W          (linear warm-up from lr/10)
//   e > W:  t = e − W − 1 (epochs into the schedule), T = epochs − W
//     none:   lr
//     step:   lr · gamma^⌊t / step_size⌋
//     cosine: min_lr + (lr − min_lr)·(1 + cos(π·t/T))/2
double scheduled_lr(const TrainConfig& cfg, int epoch);

// w_c = (1/n_c) / mean over present classes of (1/n_c): mean 1 over the classes
// that occur; a class with no samples gets 1 (it never contributes to the loss).
std::vector<double> inverse_frequency_weights(const std::vector<int64_t>& class_counts);

// The optimiser cfg.optimizer names, over `parameters`.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& cfg,
                                                        std::vector<torch::Tensor> parameters);
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

// The seed of epoch `epoch`'s shuffle of the training split.
uint64_t epoch_shuffle_seed(uint64_t seed, int epoch);

// The training hyper-parameters a checkpoint must agree with to be resumed
// (everything but epochs, patience, threads and the distributed placement),
// as "key=value" lines.
std::string describe_for_resume(const TrainConfig& cfg);

}  // namespace slimlab::train
