#pragma once
// Writing a stage type's description (compress/stage.h): its keys, the training keys
// every stage shares, and the checks stages that must train have in common.
#include <string>
#include <vector>

#include "compress/stage.h"

namespace slimlab::compress {

// A stage type's description: its own keys, then training_keys(default_epochs).
StageDescription describe_stage(std::string type, std::string doc, std::vector<StageKey> keys, int default_epochs);

// A `validate` for stages that train: an issue on "epochs" when it is below 1.
std::vector<StageIssue> require_training(const StageParams& p, const std::string& why);

}  // namespace slimlab::compress
