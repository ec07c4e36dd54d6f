#pragma once
// Training checkpoints: everything fit() needs to continue a run after a kill as
// if it had never stopped — the model's parameters and buffers, the optimizer
// state, the epoch, the per-epoch curves so far, the early-stopping state and its
// best weights, and the schedule state. One LibTorch archive per run directory
// (`<dir>/last.pt`), written to `<dir>/last.pt.tmp-<pid>`, flushed to disk and
// renamed over the old one, so a crash at any moment leaves either the previous
// or the new checkpoint, never half a file. Only *_torch.cpp files include this.
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "train/metrics.h"

namespace slimlab::train {

// Where fit() keeps its checkpoint inside a run's checkpoint directory.
std::filesystem::path checkpoint_path(const std::filesystem::path& dir);

// The state of a training run between two epochs (everything but the tensors of
// the model and the optimizer, which the archive takes from those objects).
struct TrainingState {
  int epoch = 0;                         // last completed epoch (1-based; 0 = none yet)
  std::vector<EpochMetrics> history;     // one entry per completed epoch
  int best_epoch = 0;                    // epoch of best_weights (0 = none yet)
  double best_val_accuracy = -1;
  int epochs_since_best = 0;             // early-stopping counter
  bool stopped_early = false;
  double lr = 0;                         // schedule state: the learning rate of `epoch`
  std::vector<torch::Tensor> best_weights;  // like model_state(), empty without a validation split
  std::string config;                    // describe_for_resume(TrainConfig) of the run
};

// A module's parameters, then its buffers, by qualified name ("fc1.weight"), in
// registration order — the order best_weights and the archive use.
std::vector<std::pair<std::string, torch::Tensor>> model_state(const torch::nn::Module& model);
// Detached copies of model_state()'s tensors.
std::vector<torch::Tensor> snapshot_weights(const torch::nn::Module& model);
// Copies `weights` (from snapshot_weights of the same architecture) into the model.
void restore_weights(torch::nn::Module& model, const std::vector<torch::Tensor>& weights);

// Any LibTorch archive as a sealed, whole-or-absent file (datasets/sealed_file.h:
// CRC-32C checked on read, temp file + fsync + rename, fault points
// "checkpoint:mid-write" and "checkpoint:before-rename"). Every checkpoint SlimLab
// writes (training, DeepIoT, pruning, slimmable) goes through these two.
void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file);
// Loads `file` into `archive`; std::runtime_error naming the file when it is damaged
// (its seal does not match) or not a LibTorch archive. A file written before seals
// loads without the check.
void load_archive(torch::serialize::InputArchive& archive, const std::filesystem::path& file);

// Writes the checkpoint atomically (temp file, fsync, rename). std::runtime_error
// naming the file on an I/O error.
void save_checkpoint(const std::filesystem::path& file, const torch::nn::Module& model,
                     const torch::optim::Optimizer& optimizer, const TrainingState& state);

// Loads a checkpoint into `model`, `optimizer` (may be null) and `state`. Returns
// false when `file` does not exist. Throws std::runtime_error naming the file
// when it is corrupt or not a SlimLab checkpoint, and naming the tensor (with
// both shapes) when a parameter or buffer is missing, extra or of another shape.
// The model is left untouched unless everything matched.
bool load_checkpoint(const std::filesystem::path& file, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, TrainingState& state);

}  // namespace slimlab::train
