#include "compress/quant/op_rules.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace slimlab::compress::quant {

using slimrt::OpId;

namespace {

double relu(double v, const ir::Layer&) { return v > 0 ? v : 0.0; }
double relu6(double v, const ir::Layer&) { return std::min(std::max(v, 0.0), 6.0); }
double hard_tanh(double v, const ir::Layer& l) {
  return std::min(std::max(v, double(l.min_value)), double(l.max_value));
}
double sign(double v, const ir::Layer&) { return v >= 0 ? 1.0 : -1.0; }
double sigmoid(double v, const ir::Layer&) { return 1.0 / (1.0 + std::exp(-v)); }
double hard_swish(double v, const ir::Layer&) { return v * std::min(std::max(v + 3.0, 0.0), 6.0) / 6.0; }

// The unary element-wise activations. Sigmoid and HardSwish run wherever the IR has
// their layer kinds and slimrt registers their kernels (ActivationArgs, by name).
constexpr ElementwiseOp kElementwise[] = {
    {OpId::Relu, FormatRule::kKeepsInput, relu},
    {OpId::Relu6, FormatRule::kKeepsInput, relu6},
    {OpId::HardTanh, FormatRule::kKeepsInput, hard_tanh},
    {OpId::Sign, FormatRule::kUnitRange, sign},
    {OpId::Sigmoid, FormatRule::kUnitRange, sigmoid},
    {OpId::HardSwish, FormatRule::kObserved, hard_swish},
};

}  // namespace

OpId op_id(ir::LayerKind k) {
  const char* name = ir::to_string(k);
  for (int i = 0; i < slimrt::op_count(); ++i) {
    const slimrt::OpInfo& info = slimrt::kOpInfo[i];
    if ((info.where & SLIMRT_OP_IR) && std::strcmp(info.ir_name, name) == 0) return OpId(i);
  }
  throw std::invalid_argument(std::string("layer kind '") + name + "' is not in the op list (slimrt/op_list.h)");
}

const ElementwiseOp* elementwise_op(const ir::Layer& l) {
  const OpId id = op_id(l.kind);
  for (const ElementwiseOp& e : kElementwise)
    if (e.op == id) return &e;
  return nullptr;
}

FormatRule format_rule(const ir::Layer& l) {
  if (const ElementwiseOp* e = elementwise_op(l)) return e->format;
  switch (l.kind) {
    case ir::LayerKind::kMaxPool1d:
    case ir::LayerKind::kMaxPool2d:
    case ir::LayerKind::kDropout:
    case ir::LayerKind::kFlatten:
    case ir::LayerKind::kReshape:
    case ir::LayerKind::kTranspose:
    case ir::LayerKind::kSlice:
      return FormatRule::kKeepsInput;
    case ir::LayerKind::kSoftmax:
      return FormatRule::kUnitRange;
    default:
      return FormatRule::kObserved;
  }
}

}  // namespace slimlab::compress::quant
