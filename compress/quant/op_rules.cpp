#include "compress/quant/op_rules.h"

#include <cstring>
#include <vector>
#include <stdexcept>

namespace slimlab::compress::quant {

using slimrt::OpId;

OpId op_id(ir::LayerKind k) {
  const char* name = ir::to_string(k);
  for (int i = 0; i < slimrt::op_count(); ++i) {
    const slimrt::OpInfo& info = slimrt::kOpInfo[i];
    if ((info.where & SLIMRT_OP_IR) && std::strcmp(info.ir_name, name) == 0) return OpId(i);
  }
  throw std::invalid_argument(std::string("layer kind '") + name + "' is not in the op list (slimrt/op_list.h)");
}

const ElementwiseOp* elementwise_op(const ir::Layer& l) {
  // One row per op-list entry, built once from the op facts.
  static const std::vector<ElementwiseOp> rows = [] {
    std::vector<ElementwiseOp> out(size_t(slimrt::op_count()), ElementwiseOp{OpId::kCount, FormatRule::kObserved, nullptr});
    for (int i = 0; i < slimrt::op_count(); ++i) {
      const auto kind = ir::LayerKind(i);
      if (!ir::is_ir_kind(kind)) continue;
      const ir::OpFacts& f = ir::op_facts(kind);
      if (f.activation) out[size_t(i)] = ElementwiseOp{op_id(kind), f.format, f.activation};
    }
    return out;
  }();
  const ElementwiseOp& e = rows.at(size_t(l.kind));
  return e.reference ? &e : nullptr;
}

FormatRule format_rule(const ir::Layer& l) { return ir::op_facts(l.kind).format; }

}  // namespace slimlab::compress::quant
