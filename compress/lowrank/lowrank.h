#pragma once
// Low-rank factorisation stages (torch-free half: keys and the graph rewrites).
//
//   svd      DeepX: each chosen dense layer W [m, n] ≈ U_c Σ_c V_cᵀ becomes two layers
//            n → c → m; c from `rank` or the smallest rank keeping `energy` of Σσ².
//            A layer whose split would not save parameters (c·(m + n) ≥ m·n) is left.
//   tucker2  DeepMon: each chosen conv N×C×k… becomes 1×1 C → r_in, k… r_in → r_out,
//            1×1 r_out → N (Tucker-2 by HOSVD + HOOI); ranks from `rank_in`/`rank_out`
//            or `rank_fraction` of C and N. No saving → the layer is left.
// Both work without retraining (DeepX's point); the stages can fine-tune (epochs).
#include <cstdint>
#include <string>
#include <vector>

#include "compress/stage.h"
#include "train/graph_ir.h"

namespace slimlab::compress::lowrank {

StageDescription svd_stage_description();
StageDescription tucker2_stage_description();

struct SplitPlan {
  std::string layer;
  int64_t rank_in = 0, rank_out = 0;  // svd: rank in both
  int64_t params_before = 0, params_after = 0;
  double energy = 1;                  // svd: fraction of Σσ² kept
  bool split = false;                 // false: no saving at that rank, left as it is
};

// Dense layers to split: the named ones, or every dense layer but the output layer.
// std::invalid_argument naming a layer that does not exist or is not dense.
std::vector<std::string> svd_layers(const ir::Graph& g, const std::vector<std::string>& names);
// Conv layers (conv1d/conv2d, groups 1) to split: the named ones, or all.
std::vector<std::string> tucker2_layers(const ir::Graph& g, const std::vector<std::string>& names);

// The rewritten graph (with weights); `plan` gets one entry per considered layer.
ir::Graph apply_svd(const ir::Graph& g, const std::vector<std::string>& layers, int64_t rank, double energy,
                    std::vector<SplitPlan>* plan);
ir::Graph apply_tucker2(const ir::Graph& g, const std::vector<std::string>& layers, int64_t rank_in,
                        int64_t rank_out, double rank_fraction, std::vector<SplitPlan>* plan);

// The "layers" table of a plan (row labels: layer names).
Table plan_table(const std::vector<SplitPlan>& plan);

}  // namespace slimlab::compress::lowrank
