#include "train/models/model_support.h"

#include <map>
#include <stdexcept>

#include "train/models/graph_builder.h"

namespace slimlab::train {

void copy_weights(const torch::nn::Module& module, ir::Graph& graph) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) tensors[p.key()] = p.value();
  for (const auto& b : module.named_buffers(/*recurse=*/true)) tensors[b.key()] = b.value();
  for (ir::Layer& l : graph.layers) {
    for (ir::Param& p : l.params) {
      const std::string name = l.name + "." + p.name;
      auto it = tensors.find(name);
      if (it == tensors.end())
        throw std::logic_error(graph.model + ": the graph's parameter '" + name + "' is not a tensor of the module");
      const torch::Tensor t = it->second.detach().to(torch::kCPU, torch::kFloat32).contiguous();
      if (t.sizes().vec() != p.shape)
        throw std::logic_error(graph.model + ": tensor '" + name + "' is " + shape_string(t.sizes().vec()) +
                               " but the graph says " + shape_string(p.shape));
      p.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    }
  }
}

void check_batch(const torch::Tensor& x, const std::vector<int64_t>& sample_shape, const std::string& model) {
  const std::vector<int64_t> got = x.sizes().vec();
  bool ok = got.size() == sample_shape.size() + 1 && got[0] >= 1;
  for (size_t i = 0; ok && i < sample_shape.size(); ++i) ok = got[i + 1] == sample_shape[i];
  if (!ok)
    throw std::invalid_argument(model + ": expects a batch [B, " + shape_string(sample_shape).substr(1) + ", got " +
                                shape_string(got));
}

}  // namespace slimlab::train
