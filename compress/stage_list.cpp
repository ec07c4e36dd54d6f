// The list of stage types (their torch-free descriptions). Append-only: one line per
// type; the torch-side factories are listed in stage_list_torch.cpp.
#include "compress/binary/binary_stage.h"
#include "compress/deepiot/deepiot.h"
#include "compress/prune/prune.h"
#include "compress/lowrank/lowrank.h"
#include "compress/slimmable/slimmable.h"
#include "compress/distill/distill.h"
#include "compress/quant/fixed_point_stage.h"
#include "compress/share/share_stage.h"
#include "compress/stage.h"

namespace slimlab::compress {

const std::vector<StageDescription>& stage_descriptions() {
  static const std::vector<StageDescription> all = [] {
    std::vector<StageDescription> v;
    v.push_back(distill_stage_description());
    v.push_back(fixed_point_stage_description());
    v.push_back(binaryconnect_stage_description());
    v.push_back(bnn_stage_description());
    v.push_back(weight_sharing_stage_description());
    v.push_back(deepiot::stage_description());
    v.push_back(prune::magnitude_stage_description());
    v.push_back(prune::dns_stage_description());
    v.push_back(prune::l1_structured_stage_description());
    v.push_back(lowrank::svd_stage_description());
    v.push_back(lowrank::tucker2_stage_description());
    v.push_back(slimmable::stage_description());
    return v;
  }();
  return all;
}

}  // namespace slimlab::compress
