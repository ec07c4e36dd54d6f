#include "train/models/deepsense.h"

#include <algorithm>

#include "train/models/graph_builder.h"
#include "train/models/model_support.h"

namespace slimlab::train {

namespace {

int64_t valid_length(int64_t len, const DeepSenseConvStackImpl::Stage& s) {
  return (len + 2 * s.padding - s.kernel) / s.stride + 1;
}

}  // namespace

DeepSenseConvStackImpl::DeepSenseConvStackImpl(int64_t in_channels, int64_t filters, std::vector<Stage> stages_,
                                               double dropout_)
    : stages(std::move(stages_)), dropout(dropout_) {
  int64_t in = in_channels;
  for (size_t i = 0; i < stages.size(); ++i) {
    const Stage& s = stages[i];
    convs.push_back(register_module(
        "conv" + std::to_string(i + 1),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in, filters, /*kernel_size=*/{1, s.kernel})
                              .stride({1, s.stride})
                              .padding({0, s.padding}))));
    bns.push_back(register_module("bn" + std::to_string(i + 1),
                                  torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(filters))));
    in = filters;
  }
}

torch::Tensor DeepSenseConvStackImpl::forward(torch::Tensor x) {
  for (size_t i = 0; i < convs.size(); ++i) {
    x = torch::relu(bns[i]->forward(convs[i]->forward(x)));
    if (dropout > 0) x = torch::dropout(x, dropout, is_training());
  }
  return x;
}

DeepSenseImpl::DeepSenseImpl(const ModelConfig& cfg) : cfg_(cfg) {
  check_model_config(cfg, "deepsense", 3, "DeepSense features [S sensors, T intervals, F features]");
  sensors_ = cfg.input_shape[0];
  intervals_ = cfg.input_shape[1];
  features_ = cfg.input_shape[2];
  filters_ = scaled_units(cfg.conv_filters, cfg.width);
  hidden_ = scaled_units(cfg.gru_hidden, cfg.width);

  // The paper's 1×18 / stride 6, 1×3, 1×3, shrunk to fit a short feature axis (see the header).
  const int64_t k1 = std::min<int64_t>(18, features_);
  const int64_t s1 = std::clamp<int64_t>((features_ - k1) / 4, 1, 6);
  sensor_stages_.push_back({k1, s1, 0});
  int64_t len = valid_length(features_, sensor_stages_.back());
  for (int i = 0; i < 2; ++i) {
    sensor_stages_.push_back({std::min<int64_t>(3, len), 1, 0});
    len = valid_length(len, sensor_stages_.back());
  }
  merged_length_ = len;
  merge_stages_.assign(3, {3, 1, 1});  // "SAME": keeps L3

  for (int64_t s = 0; s < sensors_; ++s)
    sensor_.push_back(register_module("sensor" + std::to_string(s),
                                      DeepSenseConvStack(1, filters_, sensor_stages_, cfg.dropout)));
  merge_ = register_module("merge", DeepSenseConvStack(sensors_ * filters_, filters_, merge_stages_, 0.0));
  gru1_ = register_module(
      "gru1", torch::nn::GRU(torch::nn::GRUOptions(filters_ * merged_length_, hidden_).batch_first(true)));
  gru2_ = register_module("gru2", torch::nn::GRU(torch::nn::GRUOptions(hidden_, hidden_).batch_first(true)));
  fc_ = register_module("fc", torch::nn::Linear(hidden_, cfg.num_classes));
}

torch::Tensor DeepSenseImpl::forward(torch::Tensor x) {
  check_batch(x, cfg_.input_shape, "deepsense");
  const int64_t batch = x.size(0);
  std::vector<torch::Tensor> per_sensor;
  for (int64_t s = 0; s < sensors_; ++s)
    per_sensor.push_back(sensor_[size_t(s)]->forward(x.narrow(1, s, 1)));  // [B, 1, T, F] → [B, C, T, L3]
  x = merge_->forward(torch::cat(per_sensor, 1));                          // [B, S·C, T, L3] → [B, C, T, L3]
  // One vector per interval: [B, T, C·L3], channel-major inside a step.
  x = x.permute({0, 2, 1, 3}).reshape({batch, intervals_, filters_ * merged_length_});
  x = std::get<0>(gru1_->forward(x));
  x = std::get<0>(gru2_->forward(x));
  return fc_->forward(x.mean(1));
}

ir::Graph DeepSenseImpl::graph(bool with_weights) const {
  GraphBuilder b("deepsense", cfg_.input_shape, cfg_.num_classes);
  std::vector<std::string> sensor_outputs;
  auto stack = [&](const std::string& prefix, const std::vector<DeepSenseConvStackImpl::Stage>& stages, bool drop) {
    for (size_t i = 0; i < stages.size(); ++i) {
      const std::string n = std::to_string(i + 1);
      const auto& s = stages[i];
      b.conv(prefix + ".conv" + n, filters_, {1, s.kernel}, {1, s.stride}, {0, s.padding});
      b.batch_norm(prefix + ".bn" + n);
      b.elementwise(prefix + ".relu" + n, ir::LayerKind::kRelu);
      if (drop) b.elementwise(prefix + ".drop" + n, ir::LayerKind::kDropout);
    }
  };
  for (int64_t s = 0; s < sensors_; ++s) {
    const std::string p = "sensor" + std::to_string(s);
    b.slice(p + ".slice", /*axis=*/0, s, s + 1, "input");  // [1, T, F]
    stack(p, sensor_stages_, /*drop=*/true);
    sensor_outputs.push_back(b.last());
  }
  b.concat("merge.concat", sensor_outputs, /*axis=*/0);  // [S·C, T, L3]
  stack("merge", merge_stages_, /*drop=*/false);
  b.transpose("steps.transpose", {1, 0, 2});             // [T, C, L3]
  b.reshape("steps.flatten", {intervals_, filters_ * merged_length_});
  b.gru("gru1", hidden_);
  b.gru("gru2", hidden_);
  b.mean_over_time("mean");
  b.dense("fc", cfg_.num_classes);

  // Prunable groups: each sensor's conv1 and conv2 on their own; the conv3s of all
  // sensors share one mask because their outputs are concatenated (ALGORITHMS.md,
  // DeepIoT "groups"): unit u is channel u of every sensor's block in merge.conv1's input.
  for (int64_t s = 0; s < sensors_; ++s) {
    const std::string p = "sensor" + std::to_string(s);
    b.unit_group(p + ".conv1", p + ".bn1", {input_columns(p + ".conv2")});
    b.unit_group(p + ".conv2", p + ".bn2", {input_columns(p + ".conv3")});
  }
  ir::PrunableGroup conv3{"sensors.conv3", "conv", filters_, {}, {}};
  for (int64_t s = 0; s < sensors_; ++s) {
    const std::string p = "sensor" + std::to_string(s);
    for (ir::UnitRef r : b.output_units(p + ".conv3", p + ".bn3")) conv3.producers.push_back(r);
  }
  conv3.consumers = {input_columns("merge.conv1", "weight", 1, sensors_ > 1 ? filters_ : 0)};
  b.add_group(conv3);
  b.unit_group("merge.conv1", "merge.bn1", {input_columns("merge.conv2")});
  b.unit_group("merge.conv2", "merge.bn2", {input_columns("merge.conv3")});
  // After the transpose each merge.conv3 channel owns L3 consecutive GRU inputs.
  b.unit_group("merge.conv3", "merge.bn3", {input_columns("gru1", "weight_ih_l0", merged_length_)});
  b.gru_group("gru1", {input_columns("gru2", "weight_ih_l0")});
  b.gru_group("gru2", {input_columns("fc")});

  ir::Graph g = b.finish();
  if (with_weights) copy_weights(*this, g);
  return g;
}

}  // namespace slimlab::train
