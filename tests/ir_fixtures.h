#pragma once
// Small Graph IRs built by hand (no builder, no LibTorch) for the IR and resource tests.
#include <random>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::test {

inline ir::Param param(const std::string& name, std::vector<int64_t> shape, bool trainable = true) {
  ir::Param p;
  p.name = name;
  p.shape = std::move(shape);
  p.trainable = trainable;
  return p;
}

// Every parameter of `g` filled with N(0, stddev) draws from `rng`, layer by layer, in order.
template <class Rng>
void fill_normal(ir::Graph& g, Rng& rng, float stddev) {
  std::normal_distribution<float> n(0.0f, stddev);
  for (ir::Layer& l : g.layers)
    for (ir::Param& p : l.params) {
      p.data.resize(size_t(p.numel()));
      for (float& v : p.data) v = n(rng);
    }
}

// `g` with N(0, stddev) weights from a 64-bit Mersenne Twister seeded with `seed`.
inline ir::Graph with_normal_weights(ir::Graph g, uint64_t seed, float stddev) {
  std::mt19937_64 rng(seed);
  fill_normal(g, rng, stddev);
  return g;
}

inline ir::Layer layer(const std::string& name, ir::LayerKind kind, std::vector<std::string> inputs,
                       std::vector<int64_t> output_shape) {
  ir::Layer l;
  l.name = name;
  l.kind = kind;
  l.inputs = std::move(inputs);
  l.output_shape = std::move(output_shape);
  return l;
}

inline ir::Layer conv2d(const std::string& name, const std::string& from, int64_t in, int64_t out, int64_t k,
                        std::vector<int64_t> output_shape) {
  ir::Layer l = layer(name, ir::LayerKind::kConv2d, {from}, std::move(output_shape));
  l.in_features = in;
  l.out_features = out;
  l.kernel = {k, k};
  l.stride = {1, 1};
  l.padding = {0, 0};
  l.dilation = {1, 1};
  l.params = {param("weight", {out, in, k, k}), param("bias", {out})};
  return l;
}

inline ir::Layer dense(const std::string& name, const std::string& from, int64_t in, int64_t out) {
  ir::Layer l = layer(name, ir::LayerKind::kDense, {from}, {out});
  l.in_features = in;
  l.out_features = out;
  l.params = {param("weight", {out, in}), param("bias", {out})};
  return l;
}

// A GRU of h units over `steps` time steps of f features, with its four parameters.
inline ir::Layer gru(const std::string& name, const std::string& from, int64_t steps, int64_t f, int64_t h) {
  ir::Layer l = layer(name, ir::LayerKind::kGru, {from}, {steps, h});
  l.in_features = f;
  l.out_features = h;
  l.params = {param("weight_ih_l0", {3 * h, f}), param("weight_hh_l0", {3 * h, h}), param("bias_ih_l0", {3 * h}),
              param("bias_hh_l0", {3 * h})};
  return l;
}

inline ir::Layer max_pool2d(const std::string& name, const std::string& from, std::vector<int64_t> output_shape) {
  ir::Layer l = layer(name, ir::LayerKind::kMaxPool2d, {from}, std::move(output_shape));
  l.kernel = {2, 2};
  l.stride = {2, 2};
  return l;
}

// The Caffe LeNet-5 that DeepIoT compresses, on MNIST: conv1 20 (5×5) → pool → conv2 50
// (5×5) → pool → fc1 500 → ReLU → fc2 10, with its three prunable groups.
inline ir::Graph lenet5_graph() {
  using ir::LayerKind;
  ir::Graph g;
  g.model = "lenet5";
  g.input_shape = {1, 28, 28};
  g.num_classes = 10;
  g.layers = {
      layer("input", LayerKind::kInput, {}, {1, 28, 28}),
      conv2d("conv1", "input", 1, 20, 5, {20, 24, 24}),
      max_pool2d("pool1", "conv1", {20, 12, 12}),
      conv2d("conv2", "pool1", 20, 50, 5, {50, 8, 8}),
      max_pool2d("pool2", "conv2", {50, 4, 4}),
      layer("flatten", LayerKind::kFlatten, {"pool2"}, {800}),
      dense("fc1", "flatten", 800, 500),
      layer("relu1", LayerKind::kRelu, {"fc1"}, {500}),
      dense("fc2", "relu1", 500, 10),
  };
  g.groups = {
      {"conv1", "conv", 20, {{"conv1", "weight", 0}, {"conv1", "bias", 0}}, {{"conv2", "weight", 1}}},
      // Each conv2 channel owns 4·4 consecutive inputs of fc1 after the flatten.
      {"conv2", "conv", 50, {{"conv2", "weight", 0}, {"conv2", "bias", 0}}, {{"fc1", "weight", 1, 16}}},
      {"fc1", "dense", 500, {{"fc1", "weight", 0}, {"fc1", "bias", 0}}, {{"fc2", "weight", 1}}},
  };
  return g;
}

}  // namespace slimlab::test
