#pragma once
// The `weight_sharing` stage (keys in share_stage.h).
#include <memory>

#include "compress/stage_torch.h"

namespace slimlab::compress {

std::unique_ptr<Stage> make_weight_sharing_stage();

}  // namespace slimlab::compress
