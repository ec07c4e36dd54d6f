#pragma once
// GraphModule: the LibTorch module that executes any ir::Graph (with weights). It is
// the only executable form of a network: the models are graph builders
// (train/models/models.h), make_model() wraps their graph in a GraphModule, the
// trainer trains it and every compression stage works on it. Every LayerKind is
// implemented with plain LibTorch ops. GRU and LSTM run LibTorch's fused
// torch::gru / torch::lstm when the layer has no state hook, and otherwise an
// explicit time loop (gates r, z, n / i, f, g, o exactly as torch::nn::GRU / LSTM
// compute them), so a hook can reach the recurrent state after every step —
// fixed-point GRU state, DeepIoT unit masks.
//
// Parameters are registered under the IR's names, with the layer name's dots
// becoming nested modules: layer "sensor0.conv1", param "weight" is the tensor
// "sensor0.conv1.weight" (the names torch::nn::Conv2d & co. would give), so
// checkpoints and restore_weights() address them by name. IR params with
// trainable == false (BN running statistics) are buffers. BatchNorm keeps no
// num_batches_tracked counter (momentum is always 0.1, so LibTorch never reads it).
//
// Semantics that match LibTorch: BatchNorm uses batch statistics in training
// mode (and updates the running ones with momentum 0.1), running statistics in
// eval mode, eps 1e-5; Dropout zeroes with probability `dropout` (the IR carries
// no rate: it is ModelConfig::dropout, given to the constructor) in training
// mode only; Sign is sign(x) with sign(0) = +1 and in training the straight-
// through gradient 1{|x| ≤ 1} (BNN); Softmax over the last axis.
//
// Hooks (per layer, each list applied in order) let compression stages change
// what a layer computes without touching the graph:
//   param  — each parameter before use (fake quantization, binarization)
//   input  — each of the layer's inputs before compute (BNN sign of inputs)
//   output — the layer's output (activation quantization, unit masks [B, units, ...])
//   state  — RNN only: h_t (and c_t) after every step (state quantization, masks)
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "train/model.h"

namespace slimlab::train {

using TensorHook = std::function<torch::Tensor(const torch::Tensor&)>;
using ParamHook = std::function<torch::Tensor(const std::string& param, const torch::Tensor&)>;

struct LayerHooks {
  std::vector<ParamHook> param;
  std::vector<TensorHook> input;
  std::vector<TensorHook> output;
  std::vector<TensorHook> state;
  bool empty() const { return param.empty() && input.empty() && output.empty() && state.empty(); }
};

class GraphModuleImpl : public SlimModelImpl {
 public:
  // `g` with weights (every Param::data filled); they are copied into parameters.
  // Throws std::invalid_argument naming the layer / parameter when the graph does
  // not validate, a parameter has no data, or a layer name cannot be a module path
  // (an empty segment such as "a..b").
  explicit GraphModuleImpl(const ir::Graph& g, double dropout = 0.0);

  torch::Tensor forward(torch::Tensor x) override;  // [B, ...input_shape] → [B, classes]
  // The structure (with the formats annotated on ir()) and, with weights, the
  // current parameter values (the real-valued ones, hooks not applied).
  ir::Graph graph(bool with_weights = false) const override;

  // Hooks of a layer; std::invalid_argument naming an unknown layer.
  LayerHooks& hooks(const std::string& layer);
  void clear_hooks();
  // The parameter / buffer tensor of `layer`.`param` (shares storage with the
  // module's: modify it in place, under torch::NoGradGuard). std::invalid_argument
  // naming an unknown one.
  torch::Tensor& parameter(const std::string& layer, const std::string& param);
  // The structure; precision formats can be annotated here (weights in it are not kept).
  ir::Graph& ir() { return graph_; }
  const ir::Graph& ir() const { return graph_; }
  double dropout() const { return dropout_; }

  // Outputs of every layer of the last forward() when set (debugging, calibration):
  // called with (layer, output after output hooks).
  std::function<void(const std::string&, const torch::Tensor&)> on_layer_output;

 private:
  torch::Tensor run_layer(size_t i, const std::vector<torch::Tensor>& inputs);
  torch::Tensor weight(size_t layer, size_t param);  // param hooks applied
  torch::Tensor recurrent(size_t i, const torch::Tensor& x, bool lstm);
  torch::Tensor recurrent_loop(size_t i, const torch::Tensor& x, bool lstm, const std::vector<torch::Tensor>& w);

  ir::Graph graph_;  // structure only (Param::data cleared)
  double dropout_;
  std::vector<std::vector<size_t>> input_index_;  // layer → indices of its input layers
  std::vector<size_t> last_use_;                  // layer → last layer reading its output
  std::vector<std::vector<torch::Tensor>> tensors_;  // layer → its parameters / buffers, in IR order
  std::vector<LayerHooks> hooks_;                 // per layer
  std::map<std::string, size_t> layer_index_;
};
TORCH_MODULE(GraphModule);

// Fills every parameter of `g` with LibTorch's default initialization for its layer
// kind (dense / conv: Kaiming-uniform(a = √5) weight, U(±1/√fan_in) bias; BN: γ = 1,
// β = 0, mean 0, var 1; GRU / LSTM: U(±1/√hidden) everywhere), drawing from LibTorch's
// generator layer by layer in graph order — the draws torch::nn::Linear, Conv*d,
// BatchNorm*d and GRU modules constructed in that order make, so a seed gives the
// same initial weights. std::invalid_argument naming a parameter it cannot initialize.
void init_parameters(ir::Graph& g);

// std::invalid_argument unless x is [B, ...sample_shape] with B ≥ 1 (`who` names the model).
void check_batch(const torch::Tensor& x, const std::vector<int64_t>& sample_shape, const std::string& who);

}  // namespace slimlab::train
