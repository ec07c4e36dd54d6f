#pragma once
// Op facts of the quantized workbench, once: which op of the one op list
// (slimrt/op_list.h) a layer is, how its fixed-point output format relates to its
// input's (calibration and the bit-exact evaluator read the same rule), and, for the
// unary element-wise activations, their double-precision function (the float
// reference that calibration observes).
//
// Adding a unary element-wise activation is its row in train/op_facts.cpp (format
// rule and double-precision function); nothing here. The reference evaluates the
// function, calibration gives its output the format rule, and FixedPointEvaluator
// runs slimrt's reference kernel of the same name
// (kernels::parse_op of the op list's name) with kernels::ActivationArgs — a
// kKeepsInput op in its input's format (as ReLU), any other from the input's format
// to the layer's own (fl_x → ⟨wl_y, fl_y⟩, as Sign).
#include "slimrt/op_list.h"
#include "train/graph_ir.h"
#include "train/op_facts.h"

namespace slimlab::compress::quant {

// How a layer's fixed-point output format is chosen: the op facts' rule
// (train/op_facts.h); kKeepsInput and kUnitRange are special, every other rule is
// an observed range.
using FormatRule = ir::FormatRule;

struct ElementwiseOp {
  slimrt::OpId op;
  FormatRule format;
  double (*reference)(double v, const ir::Layer& l);  // the function in double precision
};

// The op list's entry of a layer kind (matched by its workbench name).
slimrt::OpId op_id(ir::LayerKind k);
// The table row of a unary element-wise activation; null for any other layer.
const ElementwiseOp* elementwise_op(const ir::Layer& l);
FormatRule format_rule(const ir::Layer& l);

}  // namespace slimlab::compress::quant
