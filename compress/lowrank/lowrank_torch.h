#pragma once
// The low-rank stages (keys in lowrank.h): ctx.model becomes a GraphModule of the
// factorised graph — really fewer parameters and MACs.
#include <memory>

#include "compress/lowrank/lowrank.h"
#include "compress/stage_torch.h"

namespace slimlab::compress {

std::unique_ptr<Stage> make_svd_stage();
std::unique_ptr<Stage> make_tucker2_stage();

}  // namespace slimlab::compress
