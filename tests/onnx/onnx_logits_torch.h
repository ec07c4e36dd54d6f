#pragma once
// Logits of an imported ONNX model on make_models.py's inputs: in the GraphModule
// (LibTorch) and in slimrt from a .slim file's bytes. Shared by the ONNX parity tests.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "onnx_test_util.h"
#include "slimrt/runtime.h"
#include "train/graph_module.h"

namespace slimlab::test {

inline std::vector<float> torch_logits(const ir::Graph& g, const OnnxReference& r) {
  train::GraphModule gm(g);
  gm->eval();
  torch::NoGradGuard ng;
  std::vector<int64_t> shape{r.n};
  shape.insert(shape.end(), g.input_shape.begin(), g.input_shape.end());
  const torch::Tensor x = torch::from_blob(const_cast<float*>(r.x.data()), shape, torch::kFloat32);
  const torch::Tensor y = gm->forward(x).contiguous();
  return {y.data_ptr<float>(), y.data_ptr<float>() + y.numel()};
}

inline std::vector<float> slimrt_logits(const std::vector<uint8_t>& bytes, const OnnxReference& r) {
  auto model = slimrt::Model::from_memory(bytes.data(), bytes.size());
  slimrt::Interpreter in(model);
  std::vector<float> out, y(size_t(r.classes));
  for (int64_t i = 0; i < r.n; ++i) {
    in.set_input(0, r.x.data() + i * r.input_numel, size_t(r.input_numel));
    in.invoke();
    in.get_output(0, y.data(), y.size());
    out.insert(out.end(), y.begin(), y.end());
  }
  return out;
}

}  // namespace slimlab::test
