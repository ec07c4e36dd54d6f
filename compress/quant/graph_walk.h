#pragma once
// What the two evaluators of graph_eval.h share (internal to compress/quant): the
// walk over a validated graph (inputs by index, when each output is last read),
// parameter access with errors naming the layer, and the data-movement layers
// (transpose, slice, concat) through slimrt's reference kernels on elements of any
// size — doubles for the float reference, int16 for the fixed-point walker.
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "train/graph_ir.h"

namespace slimlab::compress::quant {

using Shape = std::vector<int64_t>;

int64_t numel(const Shape& s);

[[noreturn]] void fail(const std::string& who, const ir::Layer& l, const std::string& what);

// The values of parameter `name` (std::invalid_argument naming it when absent or empty).
const std::vector<float>& param_data(const std::string& who, const ir::Layer& l, const std::string& name);

// The order of evaluation: layer i reads the outputs of inputs[i]; after layer
// last_use[j] nothing reads layer j's output (the last layer's is the result).
struct GraphWalk {
  std::vector<std::vector<size_t>> inputs;
  std::vector<size_t> last_use;
  explicit GraphWalk(const ir::Graph& g);
};

// The sliding window of a conv or pooling layer over input [C, H, W] or [C, L] (1-d:
// height 1) as slimrt's ConvShape; an empty stride is 1 for a conv, the kernel for a pool.
slimrt::kernels::ConvShape window_shape(const ir::Layer& l, const Shape& in, bool pooling);

// Transpose, slice or concat of layer `l` on elements of `elem_bytes` bytes: x[k] has
// shape *in[k], y receives numel(l.output_shape) elements.
void move_values(const ir::Layer& l, const std::vector<const Shape*>& in, const std::vector<const void*>& x, void* y,
                 int elem_bytes);

}  // namespace slimlab::compress::quant
