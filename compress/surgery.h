#pragma once
// Graph IR surgery: rewrites that make a network physically smaller. Torch-free;
// they work on structure-only graphs (shapes) and on graphs with weights (every
// Param::data is cut or factorised alongside its shape).
//
//   - remove_units: keep only some units of a PrunableGroup — rows of its producers
//     (weights, biases, BN vectors, a GRU's gate rows and recurrent columns) and the
//     matching input columns of its consumers are deleted, the layers' attributes and
//     every downstream output shape follow (pools, flatten, reshape, concat, …);
//   - svd_split_dense: a dense layer W [m, n] becomes two, n → c (no bias) and
//     c → m (with the bias), from the truncated SVD W ≈ U_c Σ_c V_cᵀ (DeepX);
//   - tucker2_split_conv: a conv N×C×k… becomes 1×1 C → r_in, k… r_in → r_out,
//     1×1 r_out → N (bias) from a Tucker-2 (HOSVD) decomposition (DeepMon).
//
// A split layer keeps its name on the LAST of its pieces, so what reads its output
// (and the groups whose producers it is) is unchanged; consumer references to its
// input side move to the first piece. The result is validated (Graph::validate).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compress/stage.h"
#include "train/graph_ir.h"

namespace slimlab::compress {

// The group named `name`; std::invalid_argument listing the model's groups otherwise.
const ir::PrunableGroup& find_group(const ir::Graph& g, const std::string& name);

// Keeps, in group `group`, only the units `keep` (indices in [0, units), any order,
// no repeats, at least one). Throws std::invalid_argument naming the group / unit.
void remove_units(ir::Graph& g, const std::string& group, std::vector<int64_t> keep);

// Several groups at once (group → kept units); a group not in the map is left whole.
ir::Graph prune_units(const ir::Graph& g, const std::map<std::string, std::vector<int64_t>>& keep);

// Parameter count (trainable, as Graph::parameter_count) after keeping `kept[group]`
// units of each listed group — computed on the structure alone, for size targets.
int64_t parameter_count_after(const ir::Graph& g, const std::map<std::string, int64_t>& kept);

// The layers whose output carries a group's units and where a unit mask belongs:
// the producer layers whose output does not feed another producer of the group
// (conv → BN: the BN; a GRU: the GRU itself; DeepSense's per-sensor conv3 group:
// every sensor's bn3). Masking there (×0) is exactly equivalent to removing the unit.
std::vector<std::string> mask_layers(const ir::Graph& g, const ir::PrunableGroup& group);

// Scales the inputs a group's units feed downstream (consumer columns) by `scale[u]`:
// folds a per-unit output factor (DeepIoT's ×p at evaluation) into the next layer.
// Exact when everything between the mask layer and the consumer commutes with a
// positive scale (ReLU, max/avg pooling, dropout, reshape). Needs weights.
void scale_consumer_inputs(ir::Graph& g, const std::string& group, const std::vector<float>& scale);

// The matrix DeepIoT's compressor reads for a group: one row per unit, holding every
// trainable producer entry the unit owns (its weight row, bias, BN γ/β, a GRU's
// gate rows and recurrent column), in producer order. Needs weights. [units, cols] row-major.
struct UnitMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> data;
};
UnitMatrix unit_matrix(const ir::Graph& g, const ir::PrunableGroup& group);

// A pruned graph against its original, one row per group of the original: columns
// units, kept, kept_fraction (row labels: group names) — the "kept_units" table.
Table kept_units_table(const ir::Graph& original, const ir::Graph& pruned);

// ---- low rank ---------------------------------------------------------------

// Singular values of a dense layer's weight, largest first.
std::vector<double> dense_singular_values(const ir::Graph& g, const std::string& layer);
// The smallest rank whose singular values keep `energy` ∈ (0, 1] of Σσ².
int64_t rank_for_energy(const std::vector<double>& singular_values, double energy);

// Splits dense `layer` (W [m, n]) into "<layer>.lr_in" (n → rank, no bias, Σ^½Vᵀ)
// followed by "<layer>" (rank → m, U Σ^½, the original bias). 1 ≤ rank < min(m, n)
// (a rank that saves nothing is allowed only up to min(m, n)). Needs weights.
void svd_split_dense(ir::Graph& g, const std::string& layer, int64_t rank);

// Splits conv `layer` (W [N, C, k…], groups 1) into "<layer>.tk_in" (1×1, C → r_in,
// no bias), "<layer>.tk_core" (the original kernel/stride/padding/dilation, r_in →
// r_out, no bias) and "<layer>" (1×1, r_out → N, the original bias). Ranks in
// [1, C] and [1, N]. Factors from HOSVD refined by `hooi_iterations` of HOOI.
void tucker2_split_conv(ir::Graph& g, const std::string& layer, int64_t rank_in, int64_t rank_out,
                        int hooi_iterations = 2);

}  // namespace slimlab::compress
