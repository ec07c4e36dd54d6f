// The stage implementations by type. Append-only: one line per type, beside its
// description in stage_list.cpp.
#include <map>

#include "compress/deepiot/deepiot_torch.h"
#include "compress/binary/binary_torch.h"
#include "compress/distill/distill_torch.h"
#include "compress/prune/prune_torch.h"
#include "compress/lowrank/lowrank_torch.h"
#include "compress/slimmable/slimmable_torch.h"
#include "compress/quant/fixed_point_torch.h"
#include "compress/share/share_torch.h"
#include "compress/stage_torch.h"

namespace slimlab::compress {

const std::map<std::string, StageFactory>& builtin_stage_factories() {
  static const std::map<std::string, StageFactory> all = {
      {"distill", make_distill_stage},
      {"fixed_point", make_fixed_point_stage},
      {"binaryconnect", make_binaryconnect_stage},
      {"bnn", make_bnn_stage},
      {"weight_sharing", make_weight_sharing_stage},
      {"deepiot", make_deepiot_stage},
      {"magnitude", make_magnitude_stage},
      {"dns", make_dns_stage},
      {"l1_structured", make_l1_structured_stage},
      {"svd", make_svd_stage},
      {"tucker2", make_tucker2_stage},
      {"slimmable", make_slimmable_stage},
  };
  return all;
}

}  // namespace slimlab::compress
