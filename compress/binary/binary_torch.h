#pragma once
// The `binaryconnect` and `bnn` stages (keys in binary_stage.h).
#include <memory>

#include "compress/stage_torch.h"

namespace slimlab::compress {

std::unique_ptr<Stage> make_binaryconnect_stage();
std::unique_ptr<Stage> make_bnn_stage();

// ctx.train_config() with the stage's `optimizer` key (binary_stage.h) applied.
train::TrainConfig stage_train_config(const StageContext& ctx);
// Installs the shift-based AdaMax factory on `t` when the stage asks for it.
void use_stage_optimizer(const StageContext& ctx, train::Trainer& t);

}  // namespace slimlab::compress
