#pragma once
// The experiment side of compression stages: the stage types compress/ describes
// (compress/stage.h), as schema entries with their validators. The stage
// registry of schema.cpp starts with these, so every [[stage]] type parses,
// validates, sweeps and shows in --help-keys without a registration call.
#include <string>
#include <vector>

#include "experiments/experiment.h"
#include "experiments/schema.h"
#include "train/graph_ir.h"

namespace slimlab::exp {

struct BuiltinStageType {
  std::string type;
  std::string doc;
  std::vector<SchemaEntry> keys;
  StageValidator validate;
};

std::vector<BuiltinStageType> builtin_stage_types();

// The `preflight` checks of every stage of `e` against the base model's graph
// (compress::StageDescription::preflight): one ConfigIssue per problem, with the
// stage's file:line. Called by the runner once data and model exist, before training.
std::vector<ConfigIssue> preflight_stages(const Experiment& e, const ir::Graph& model);

// The ConfigIssue of a stage problem: "stage.<i>.<key>" at the key's line (or the
// [[stage]] header's), the message prefixed with the stage's position and type.
ConfigIssue stage_issue(const Experiment& e, size_t index, const std::string& key, const std::string& message);

}  // namespace slimlab::exp
