#pragma once
// The `weight_sharing` stage, torch-free half.
//
//   [[stage]]
//   type = "weight_sharing"
//   bits = 4                # k = 2^bits centroids per codebook
//   block_columns = 0       # product quantization: columns per codebook block (0 = one codebook per tensor)
//   layers = []             # empty = every conv / dense / GRU / LSTM weight
//   epochs = 0              # fine-tuning with the shared weights (STE), then re-clustered
#include "compress/share/weight_sharing.h"
#include "compress/stage.h"

namespace slimlab::compress {

StageDescription weight_sharing_stage_description();
share::ShareSpec weight_sharing_spec(const StageParams& p);

}  // namespace slimlab::compress
