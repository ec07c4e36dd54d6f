#pragma once
// DeepIoT (Yao et al., SenSys 2017) — the hyper-parameters of one compression and
// their checks, torch-free. The loop itself is in deepiot_run.h; the stage glue in
// deepiot_stage_torch.cpp. Every field is a `[[stage]] type = "deepiot"` key with
// the paper's / original code's default (../shared/docs/ALGORITHMS.md).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compress/stage.h"
#include "train/graph_ir.h"

namespace slimlab::compress::deepiot {

struct Options {
  // What to compress and when to stop.
  std::vector<std::string> groups;  // prunable groups of the model (empty: all of them)
  double target_size = 0.07;        // stop once the kept parameters ≤ this fraction of the original (HHAR: < 7%)
  double accuracy_floor = 0.0;      // ... and val accuracy ≥ this (0: base accuracy − max_accuracy_drop)
  double max_accuracy_drop = 0.03;  // used when accuracy_floor = 0
  int64_t max_iterations = 20000;   // hard stop (iterations = mini-batches)
  // How the stop rule's val accuracy treats units below the threshold: "removed"
  // (scaled by 0, as after hard pruning: the check measures the network that will
  // really be kept — the default) or "halved" (the original code: scaled by p/2 while
  // compressing, which can report "target met" for a network that collapses once
  // the units are really removed).
  std::string stop_eval = "removed";
  int64_t min_units = 1;            // units every group keeps at least
  // Compressor (a·W·b → LSTM → dense + sigmoid), RMSProp.
  int64_t compressor_hidden = 64;
  double compressor_lr = 1e-3;
  double init_keep = 0.8;       // initial keep-probability of conv / dense units
  double init_keep_rnn = 0.5;   // ... of GRU / LSTM units
  // Critic: the network keeps training on masked passes (Adam, coupled L2).
  double critic_lr = 1e-4;
  double critic_beta1 = 0.5, critic_beta2 = 0.9;
  double critic_weight_decay = 5e-4;
  int64_t critic_batch_size = 64;  // mini-batch of the compressor-critic loop
  // REINFORCE baseline: EMA of the batch loss mean and standard deviation.
  double ema_decay = 0.9;
  // Threshold: 0, rising by threshold_max / threshold_steps every threshold_every
  // iterations up to threshold_max; a keep-probability below it is halved.
  double threshold_max = 0.825;
  int64_t threshold_steps = 33;
  int64_t threshold_every = 500;
  // Bookkeeping.
  int64_t eval_every = 500;      // val accuracy for the stop rule (and the trace)
  int64_t eval_samples = 2000;   // val samples used by that check (0: all)
  int64_t record_every = 100;    // a trace row and the keep-probabilities every N iterations
  int64_t checkpoint_every = 500;
  // Fine-tuning of the pruned (smaller) network: the shared keys epochs (default 5),
  // lr and batch_size (compress/stage.h training_keys), read by the stage.
  uint64_t seed = 1;
};

// The threshold in force at iteration `it` (0-based).
double threshold_at(const Options& o, int64_t it);

// Checks that need no model: a target outside (0, 1], a schedule that can never
// reach the target, bad rates. One issue (key, reason) per problem.
std::vector<StageIssue> check_options(const Options& o);

// Checks against the model's graph: every named group exists (a group definition
// that does not match the model), and the target is reachable with min_units per group.
std::vector<StageIssue> check_against_graph(const Options& o, const ir::Graph& g);

// Options from a stage's values (keys absent from `p` keep their defaults).
Options options_from_params(const StageParams& p);

// The `deepiot` stage type: keys (with the defaults above), validate, preflight.
StageDescription stage_description();

}  // namespace slimlab::compress::deepiot
