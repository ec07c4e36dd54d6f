#pragma once
// The DeepIoT compressor-critic loop on a GraphModule (LibTorch).
//
// Per iteration (one mini-batch): the compressor reads every group's unit matrix
// from the critic's current weights and gives keep-probabilities p; those below
// the threshold are halved (p̃); masks z ~ Bernoulli(p̃) are drawn per example and
// unit (conv/dense: on the group's mask layers' outputs; GRU/LSTM: on h_t (and c_t)
// after every step — one mask per example for output and state); no 1/p rescaling.
// The critic takes an Adam step on the masked cross-entropy; the compressor takes
// an RMSProp step on mean_i[log P(z_i)·(ℓ_i − m)/max(1, s)] (REINFORCE, m and s the
// EMA of the batch loss mean and std). At evaluation units are scaled by p (and
// those below the threshold by 0). Every eval_every iterations the stop rule is
// checked: kept size ≤ target_size and val accuracy ≥ the floor. The state (both
// networks, both optimisers, EMA, iteration, the trace so far) is checkpointed to
// `<dir>/deepiot_state.pt` every checkpoint_every iterations; a new Compression on
// the same dir resumes from it.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compress/deepiot/deepiot.h"
#include "compress/stage_torch.h"
#include "datasets/pipeline.h"

namespace slimlab::compress::deepiot {

struct Outcome {
  std::vector<std::string> groups;                           // compressed groups, layer order
  std::map<std::string, int64_t> units;                      // group → units before
  std::map<std::string, std::vector<float>> probabilities;   // group → final keep-probabilities
  std::map<std::string, std::vector<int64_t>> kept;          // group → kept units (ascending)
  int64_t iterations = 0;       // run in total (including before a resume)
  int64_t resumed_from = -1;    // iteration the loop resumed at (-1: fresh)
  double threshold = 0;         // at the end
  double size_fraction = 1;     // kept parameters / original
  double val_accuracy = 0;      // masked (×p) network at the last check
  double accuracy_floor = 0;
  bool target_met = false;      // stopped by the rule, not by max_iterations
  std::map<std::string, Table> tables;  // "trace", "keep_probabilities.<group>", "kept_units"
};

class Compression {
 public:
  // `critic` is trained in place. `dir` holds the checkpoint ("" = none).
  Compression(GraphModule critic, const data::PreparedData& data, Options options, std::filesystem::path dir,
              std::function<void(const std::string&)> log = {});
  ~Compression();
  Compression(const Compression&) = delete;
  Compression& operator=(const Compression&) = delete;

  // `base_val_accuracy` sets the floor when accuracy_floor = 0. Hooks on the critic
  // are removed at the end.
  Outcome run(double base_val_accuracy);

  // Called after every iteration with its number (tests: throw to simulate a kill).
  std::function<void(int64_t iteration)> on_iteration;

  std::filesystem::path checkpoint_file() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The pruned, smaller network: each group's keep-probabilities folded into its
// consumers' input columns (exact for conv/dense groups; for GRU/LSTM groups the
// recurrent use of the scaled state is not folded — fine-tuning absorbs it), then
// the units not in `kept` removed. `g` has weights.
ir::Graph hard_prune(const ir::Graph& g, const Outcome& outcome);

}  // namespace slimlab::compress::deepiot
