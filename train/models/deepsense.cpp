// DeepSense for HAR (Yao et al., WWW 2017; docs ALGORITHMS.md) on the short-time
// Fourier features of datasets/har_windows.h: a sample is [S sensors, T intervals,
// F = D·f·2] with the last axis laid out [axis][bin][re/im].
//
//   per sensor s:  3 × (conv 1×k over the interval's F features, BN, ReLU, dropout)
//   merge:         stack the S sensor outputs as channels → 3 × (conv 1×3, BN, ReLU)
//   per interval:  flatten [channels, L] → 2 × GRU → mean over time → dense
//
// Every conv is a Conv2d with a 1×k kernel over [C, T, F]: the T intervals are the
// height axis, so all intervals go through one kernel call (the same work as folding T
// into the batch, and the weights keep LibTorch's [out, in, 1, k] shapes).
//
// Kernels. The paper's first kernel is 1×18 with stride 6, then 1×3 and 1×3. A short
// feature axis (few axes or FFT bins) cannot hold that, so:
//   k1 = min(18, F),  s1 = clamp(⌊(F − k1) / 4⌋, 1, 6)   → L1 = ⌊(F − k1) / s1⌋ + 1 ≥ 5 whenever F − k1 ≥ 4
//   k2 = min(3, L1),  k3 = min(3, L2)                       (valid convs, as in the paper)
// which gives the paper's 18/6 for F ≥ 42 (F = 60: L = 8 → 6 → 4). The merge convs are
// 1×3 with padding 1 ("SAME", as the original code), so they keep L3.
//
// Widths: conv_filters·width filters in every conv, gru_hidden·width GRU units.
// S = 1 (one accelerometer, e.g. HMP) is fine: the merge then sees one sensor.
#include <algorithm>
#include <vector>

#include "train/models/graph_builder.h"
#include "train/models/models.h"

namespace slimlab::train {

namespace {

struct ConvStage {
  int64_t kernel = 3, stride = 1, padding = 0;
};

int64_t valid_length(int64_t len, const ConvStage& s) { return (len + 2 * s.padding - s.kernel) / s.stride + 1; }

// Three conv-BN-ReLU(-dropout) stages with 1×k kernels, layers "<prefix>.conv<i>", ….
void conv_stack(GraphBuilder& b, const std::string& prefix, int64_t filters, const std::vector<ConvStage>& stages,
                bool dropout) {
  for (size_t i = 0; i < stages.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    const ConvStage& s = stages[i];
    b.conv(prefix + ".conv" + n, filters, {1, s.kernel}, {1, s.stride}, {0, s.padding});
    b.batch_norm(prefix + ".bn" + n);
    b.elementwise(prefix + ".relu" + n, ir::LayerKind::kRelu);
    if (dropout) b.elementwise(prefix + ".drop" + n, ir::LayerKind::kDropout);
  }
}

// Each sensor's conv1 and conv2 on their own; the conv3s of all sensors share one mask
// because their outputs are concatenated (ALGORITHMS.md, DeepIoT "groups"): unit u is
// channel u of every sensor's block in merge.conv1's input.
void deepsense_groups(GraphBuilder& b, int64_t sensors, int64_t filters, int64_t merged_length) {
  for (int64_t s = 0; s < sensors; ++s) {
    const std::string p = "sensor" + std::to_string(s);
    b.unit_group(p + ".conv1", p + ".bn1", {input_columns(p + ".conv2")});
    b.unit_group(p + ".conv2", p + ".bn2", {input_columns(p + ".conv3")});
  }
  ir::PrunableGroup conv3{"sensors.conv3", "conv", filters, {}, {}};
  for (int64_t s = 0; s < sensors; ++s) {
    const std::string p = "sensor" + std::to_string(s);
    for (ir::UnitRef r : b.output_units(p + ".conv3", p + ".bn3")) conv3.producers.push_back(r);
  }
  conv3.consumers = {input_columns("merge.conv1", "weight", 1, sensors > 1 ? filters : 0)};
  b.add_group(conv3);
  b.unit_group("merge.conv1", "merge.bn1", {input_columns("merge.conv2")});
  b.unit_group("merge.conv2", "merge.bn2", {input_columns("merge.conv3")});
  // After the transpose each merge.conv3 channel owns L3 consecutive GRU inputs.
  b.unit_group("merge.conv3", "merge.bn3", {input_columns("gru1", "weight_ih_l0", merged_length)});
  b.gru_group("gru1", {input_columns("gru2", "weight_ih_l0")});
  b.gru_group("gru2", {input_columns("fc")});
}

}  // namespace

ir::Graph deepsense_graph(const ModelConfig& cfg) {
  check_model_config(cfg, "deepsense", 3, "DeepSense features [S sensors, T intervals, F features]");
  const int64_t sensors = cfg.input_shape[0], intervals = cfg.input_shape[1], features = cfg.input_shape[2];
  const int64_t filters = scaled_units(cfg.conv_filters, cfg.width);
  const int64_t hidden = scaled_units(cfg.gru_hidden, cfg.width);

  // The paper's 1×18 / stride 6, 1×3, 1×3, shrunk to fit a short feature axis (see above).
  const int64_t k1 = std::min<int64_t>(18, features);
  std::vector<ConvStage> sensor_stages{{k1, std::clamp<int64_t>((features - k1) / 4, 1, 6), 0}};
  int64_t len = valid_length(features, sensor_stages.back());
  for (int i = 0; i < 2; ++i) {
    sensor_stages.push_back({std::min<int64_t>(3, len), 1, 0});
    len = valid_length(len, sensor_stages.back());
  }
  const int64_t merged_length = len;  // L3: positions left on the feature axis per interval

  GraphBuilder b("deepsense", cfg.input_shape, cfg.num_classes);
  std::vector<std::string> sensor_outputs;
  for (int64_t s = 0; s < sensors; ++s) {
    const std::string p = "sensor" + std::to_string(s);
    b.slice(p + ".slice", /*axis=*/0, s, s + 1, "input");  // [1, T, F]
    conv_stack(b, p, filters, sensor_stages, /*dropout=*/true);
    sensor_outputs.push_back(b.last());
  }
  b.concat("merge.concat", sensor_outputs, /*axis=*/0);  // [S·C, T, L3]
  conv_stack(b, "merge", filters, std::vector<ConvStage>(3, {3, 1, 1}), /*dropout=*/false);  // "SAME": keeps L3
  b.transpose("steps.transpose", {1, 0, 2});  // [T, C, L3]: one vector per interval, channel-major
  b.reshape("steps.flatten", {intervals, filters * merged_length});
  b.gru("gru1", hidden);
  b.gru("gru2", hidden);
  b.mean_over_time("mean");
  b.dense("fc", cfg.num_classes);
  deepsense_groups(b, sensors, filters, merged_length);
  return b.finish();
}

}  // namespace slimlab::train
