#pragma once
// The `slimmable` stage (keys in slimmable.h).
#include <memory>

#include "compress/slimmable/slimmable.h"
#include "compress/stage_torch.h"

namespace slimlab::compress {

std::unique_ptr<Stage> make_slimmable_stage();

}  // namespace slimlab::compress
