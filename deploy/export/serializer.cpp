#include "deploy/export/serializer.h"

#include <map>
#include <stdexcept>

#include "slimrt/bitpack.h"
#include "slimrt/writer.h"

namespace slimlab::deploy {

using slimrt::DType;

namespace {

std::vector<int> ints(const std::vector<int64_t>& v) { return std::vector<int>(v.begin(), v.end()); }

template <typename T>
int add_ints(slimrt::ModelWriter& w, const Constant& c) {
  const std::vector<T> q(c.ints.begin(), c.ints.end());
  return w.add_constant(c.name, c.dt, c.shape, q.data(), q.size() * sizeof(T), c.fl, c.wl);
}

int add_constant(slimrt::ModelWriter& w, const Constant& c) {
  switch (c.dt) {
    case DType::I8: return add_ints<int8_t>(w, c);
    case DType::I16: return add_ints<int16_t>(w, c);
    case DType::I32: return add_ints<int32_t>(w, c);
    case DType::BIN: {  // rows of ±1, packed as bitpack.h does
      const size_t rows = c.values.size() / c.per, words = slimrt::bits::words_for(c.per);
      std::vector<uint64_t> packed(rows * words, 0);
      for (size_t r = 0; r < rows; ++r) slimrt::bits::pack_row(c.values.data() + r * c.per, c.per, packed.data() + r * words);
      return w.add_constant(c.name, DType::BIN, c.shape, packed.data(), packed.size() * 8, c.fl, c.wl);
    }
    default: return w.add_constant(c.name, c.dt, c.shape, c.values.data(), c.values.size() * 4, c.fl, c.wl);
  }
}

// The layer's attributes, as the IR holds them (the passes made them what the op reads).
void copy_attributes(const ExportLayer& e, slimrt::OpDesc& op) {
  const ir::Layer& l = e.layer;
  op.kernel = ints(l.kernel);
  op.stride = ints(l.stride);
  op.padding = ints(l.padding);
  op.dilation = ints(l.dilation);
  op.perm = ints(l.perm);
  op.groups = int(l.groups);
  op.axis = int(l.axis);
  op.begin = int(l.begin);
  op.end = int(l.end);
  op.min_value = l.min_value;
  op.max_value = l.max_value;
  op.alpha = l.alpha;
  op.beta = l.beta;
  op.activation = e.ann.activation;
  op.pre_fl = e.ann.gate_pre.fl;
  op.pre_wl = e.ann.gate_pre.wl;
  op.gate_fl = e.ann.gate.fl;
  op.gate_wl = e.ann.gate.wl;
  op.cell_fl = e.ann.cell.fl;
  op.cell_wl = e.ann.cell.wl;
}

}  // namespace

Serialized serialize(const ExportGraph& g, const slimrt::Metadata& metadata) {
  slimrt::ModelWriter w;
  std::map<std::string, int> tensor;  // value → tensor index
  Serialized s;
  for (const ExportLayer& e : g.layers) {
    const ValueFormat& f = e.ann.out;
    if (e.ann.op == kNoOp) {  // the model's input
      tensor[e.layer.name] = w.add_tensor(tensor_name(e), f.dt, tensor_shape(e), f.fl, f.wl);
      w.inputs.push_back(tensor[e.layer.name]);
      continue;
    }
    std::vector<Operand> operands = e.ann.operands;
    if (operands.empty())
      for (const std::string& in : e.layer.inputs) operands.push_back(Operand::of(in));
    int out = e.ann.output_first ? w.add_tensor(tensor_name(e), f.dt, tensor_shape(e), f.fl, f.wl) : -1;
    std::vector<int> in;
    for (const Operand& o : operands) {
      if (o.kind == Operand::Kind::kConstant) {
        in.push_back(add_constant(w, o.constant));
      } else if (o.kind == Operand::Kind::kValue) {
        const auto it = tensor.find(o.value);
        if (it == tensor.end()) fail(e.layer, "its input '" + o.value + "' has no output tensor");
        in.push_back(it->second);
      } else {
        in.push_back(-1);
      }
    }
    if (out < 0) out = w.add_tensor(tensor_name(e), f.dt, tensor_shape(e), f.fl, f.wl);
    tensor[e.layer.name] = out;
    // The op id is the op's position in slimrt/op_list.h; so is the schema's OpType.
    copy_attributes(e, w.add_op(static_cast<slimrt::OpType>(static_cast<int>(e.ann.op)), op_name(e), std::move(in), {out}));
    ++s.ops;
  }
  w.outputs = {tensor.at(g.output)};
  if (!g.raw_output.empty()) s.raw_output_tensor = tensor.at(g.raw_output);
  w.metadata = metadata;
  s.bytes = w.finish();
  // The runtime's own verifier is the final check of what we wrote.
  try {
    slimrt::Model::from_memory(s.bytes.data(), s.bytes.size());
  } catch (const slimrt::Error& e) {
    throw std::invalid_argument(std::string("export: the written model fails slimrt's verifier: ") + e.what());
  }
  return s;
}

}  // namespace slimlab::deploy
