#pragma once
// The `deepiot` stage (keys in deepiot.h): compressor-critic loop, hard pruning that
// removes units (ctx.model becomes a smaller GraphModule), fine-tuning.
#include <memory>

#include "compress/stage_torch.h"

namespace slimlab::compress {

std::unique_ptr<Stage> make_deepiot_stage();

}  // namespace slimlab::compress
