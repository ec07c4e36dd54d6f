#pragma once
// The pruning stages (keys in prune.h): magnitude, dns (unstructured, masks held by
// GraphModule param hooks) and l1_structured (units removed, a smaller GraphModule).
#include <map>
#include <memory>
#include <string>

#include "compress/prune/prune.h"
#include "compress/stage_torch.h"

namespace slimlab::compress {

std::unique_ptr<Stage> make_magnitude_stage();
std::unique_ptr<Stage> make_dns_stage();
std::unique_ptr<Stage> make_l1_structured_stage();

namespace prune {

// Masks of weight tensors by "layer\nparam".
using Masks = std::map<std::string, torch::Tensor>;
std::string mask_key(const std::string& layer, const std::string& param);

// Param hooks multiplying each masked tensor by its mask (the masks are read at every
// forward, so updating *masks takes effect at once). While *straight_through (DNS) the
// forward uses W ⊙ T but the gradient reaches every weight; null = plain masking.
void install_mask_hooks(GraphModuleImpl& m, std::shared_ptr<Masks> masks, std::shared_ptr<bool> straight_through);

// The mask keeping the (1 − sparsity) fraction of entries with the largest |w|.
torch::Tensor magnitude_mask(const torch::Tensor& w, double sparsity);

// Zeros, parameter counts and the per-tensor "layers" table of an unstructured pruning.
void record_sparsity(GraphModuleImpl& m, const Masks& masks, StageRecord& r);

}  // namespace prune
}  // namespace slimlab::compress
