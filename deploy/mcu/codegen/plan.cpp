// The device plan (which ops, where each activation lives) and the emitter's helpers.
#include <cstdio>
#include <cstring>
#include <functional>

#include "codegen/emit.h"

namespace slimrt::mcu {

const char* c_type(DType d) {
  switch (d) {
    case DType::I8: return "int8_t";
    case DType::I16: return "int16_t";
    case DType::I32: return "int32_t";
    case DType::F32: return "float";
    case DType::BIN: return "uint32_t";
    default: return nullptr;
  }
}

namespace {
void fail_model(const std::string& origin, const std::string& what) {
  throw Error(origin + ": " + what + " (microcontroller export, docs/MCU.md)");
}
}  // namespace

Plan plan_model(const Model& m, const std::string& origin) {
  if (m.inputs().size() != 1 || m.outputs().size() != 1)
    fail_model(origin, "the device export takes models with one input and one output, this one has " +
                           std::to_string(m.inputs().size()) + " and " + std::to_string(m.outputs().size()));
  Plan plan;
  plan.input = m.inputs()[0];
  plan.output = m.outputs()[0];
  const auto& ops = m.ops();
  size_t first = 0, last = ops.size();
  // The caller's interface is integer: a leading Quantize and a trailing Dequantize stay on
  // the caller's side (it quantizes its input and reads the integer logits).
  if (!ops.empty() && ops[0].type == OpType::Quantize && ops[0].inputs[0] == plan.input) {
    plan.input = ops[0].outputs[0];
    first = 1;
  }
  if (last > first && ops[last - 1].type == OpType::Dequantize && ops[last - 1].outputs[0] == plan.output) {
    plan.output = ops[last - 1].inputs[0];
    --last;
  }
  for (size_t i = first; i < last; ++i) plan.ops.push_back(int(i));
  if (plan.ops.empty()) fail_model(origin, "no op left to run on the device");
  const TensorDesc& in = m.tensors()[size_t(plan.input)];
  plan.pcm_input = first == 0 && ops[0].type == OpType::AudioFeatures && ops[0].inputs[0] == plan.input &&
                   is_fixed(m.tensors()[size_t(ops[0].outputs[0])].dtype);
  plan.input_bytes = plan.pcm_input ? size_t(in.numel) * 2 : in.bytes;
  for (size_t i = 1; plan.pcm_input && i < last; ++i)
    for (int t : ops[i].inputs)
      if (t == plan.input)
        fail_model(origin, "op " + std::to_string(i) + " '" + ops[i].name +
                               "' reads the raw samples too: the device front end takes them as int16 PCM");

  // Alias groups: a Reshape's output is its input's bytes.
  const size_t nt = m.tensors().size();
  std::vector<int> root(nt);
  for (size_t i = 0; i < nt; ++i) root[i] = int(i);
  std::function<int(int)> find = [&](int i) { return root[size_t(i)] == i ? i : root[size_t(i)] = find(root[size_t(i)]); };
  for (int i : plan.ops)
    if (ops[size_t(i)].type == OpType::Reshape) root[size_t(find(ops[size_t(i)].outputs[0]))] = find(ops[size_t(i)].inputs[0]);

  // Lifetimes per group, in device steps.
  std::vector<std::pair<int, int>> life(nt, {INT32_MAX, -1});
  auto touch = [&](int t, int step) {
    if (m.tensors()[size_t(t)].constant()) return;
    auto& l = life[size_t(find(t))];
    l.first = std::min(l.first, step);
    l.second = std::max(l.second, step);
  };
  const int steps = int(plan.ops.size());
  touch(plan.input, 0);
  for (int s = 0; s < steps; ++s) {
    const OpDesc& op = ops[size_t(plan.ops[size_t(s)])];
    for (int t : op.inputs)
      if (t >= 0) touch(t, s);
    for (int t : op.outputs) touch(t, s);
  }
  touch(plan.output, steps - 1);
  std::vector<size_t> sizes(nt, 0);
  for (size_t i = 0; i < nt; ++i)
    if (life[i].second >= 0) {
      for (size_t j = 0; j < nt; ++j)
        if (size_t(find(int(j))) == i && !m.tensors()[j].constant())
          sizes[i] = std::max(sizes[i], int(j) == plan.input ? plan.input_bytes : m.tensors()[j].bytes);
    } else {
      life[i] = {0, 0};
    }
  // Scratch, alive during its own op's step only: an LSTM's cell state (hidden int32), the
  // fixed-point front end's working words.
  std::vector<int> scratch_ops;
  for (int s = 0; s < steps; ++s) {
    const OpDesc& op = ops[size_t(plan.ops[size_t(s)])];
    size_t bytes = 0;
    if (op.type == OpType::Lstm) bytes = size_t(m.tensors()[size_t(op.inputs[2])].shape[1]) * 4;
    if (op.type == OpType::AudioFeatures && plan.pcm_input && s == 0) bytes = log_mel_scratch_bytes(op.frontend);
    if (bytes == 0) continue;
    scratch_ops.push_back(plan.ops[size_t(s)]);
    sizes.push_back(bytes);
    life.push_back({s, s});
  }
  const ArenaPlan ap = plan_arena(sizes, life, 8);
  for (size_t k = 0; k < scratch_ops.size(); ++k) plan.scratch[scratch_ops[k]] = ap.offsets[nt + k];
  plan.arena_bytes = ap.arena_bytes;
  for (size_t i = 0; i < nt; ++i)
    if (!m.tensors()[i].constant() && life[size_t(find(int(i)))].second >= 0 && sizes[size_t(find(int(i)))] > 0)
      plan.offset[int(i)] = ap.offsets[size_t(find(int(i)))];
  return plan;
}

// ---- the emitter ------------------------------------------------------------------------

std::string Emitter::act(int tensor) const {
  auto it = plan_.offset.find(tensor);
  if (it == plan_.offset.end()) throw Error(origin_ + ": tensor '" + t(tensor).name + "' has no arena slot");
  const char* ct = plan_.pcm_input && tensor == plan_.input ? "int16_t" : c_type(t(tensor).dtype);
  if (!ct) throw Error(origin_ + ": tensor '" + t(tensor).name + "' is " + dtype_name(t(tensor).dtype) +
                       ", which the device export does not store");
  return std::string("((") + ct + "*)(slim_arena + " + std::to_string(it->second) + "))";
}

std::string Emitter::scratch(int op, size_t at, const char* ctype) const {
  auto it = plan_.scratch.find(op);
  if (it == plan_.scratch.end()) throw Error(origin_ + ": op " + std::to_string(op) + " has no scratch");
  return std::string("((") + ctype + "*)(slim_arena + " + std::to_string(it->second + at) + "))";
}

std::string Emitter::unique(const std::string& base) {
  std::string s = "w_";
  for (char c : base) s += (isalnum(static_cast<unsigned char>(c)) ? c : '_');
  const int n = used_names_[s]++;
  return n == 0 ? s : s + "_" + std::to_string(n);
}

std::string Emitter::weight(int tensor) {
  if (tensor < 0) return "0";
  auto it = weights_.find(tensor);
  if (it != weights_.end()) return it->second;
  const TensorDesc& d = t(tensor);
  if (!d.constant()) throw Error(origin_ + ": tensor '" + d.name + "' should be a constant");
  const char* ct = c_type(d.dtype);
  if (!ct) throw Error(origin_ + ": constant '" + d.name + "' is " + dtype_name(d.dtype) + ", not exportable");
  const std::string name = unique(d.name);
  const size_t elem = d.dtype == DType::I8 ? 1 : d.dtype == DType::I16 ? 2 : 4;
  const size_t n = d.bytes / elem;
  data << "static const " << ct << " " << name << "[" << (n ? n : 1) << "] = {";
  for (size_t i = 0; i < n; ++i) {
    if (i % 16 == 0) data << "\n ";
    const uint8_t* p = d.data + i * elem;
    char buf[48];
    if (d.dtype == DType::I8) std::snprintf(buf, sizeof buf, " %d,", int(int8_t(p[0])));
    else if (d.dtype == DType::I16) {
      int16_t v;
      std::memcpy(&v, p, 2);
      std::snprintf(buf, sizeof buf, " %d,", int(v));
    } else if (d.dtype == DType::F32) {
      float v;
      std::memcpy(&v, p, 4);
      std::snprintf(buf, sizeof buf, " %af,", double(v));
    } else if (d.dtype == DType::I32) {
      int32_t v;
      std::memcpy(&v, p, 4);
      std::snprintf(buf, sizeof buf, " %ld,", long(v));
      if (v == INT32_MIN) std::snprintf(buf, sizeof buf, " INT32_MIN,");
    } else {
      uint32_t v;
      std::memcpy(&v, p, 4);
      std::snprintf(buf, sizeof buf, " 0x%08lxu,", static_cast<unsigned long>(v));
    }
    data << buf;
  }
  data << "\n};\n";
  const_bytes += d.bytes;
  weights_[tensor] = name;
  return name;
}

std::string Emitter::table(const std::string& base, const char* ctype, const std::vector<long long>& values) {
  const std::string name = unique(base);
  data << "static const " << ctype << " " << name << "[" << (values.empty() ? 1 : values.size()) << "] = {";
  for (size_t i = 0; i < values.size(); ++i) data << (i % 16 == 0 ? "\n " : " ") << values[i] << ",";
  data << "\n};\n";
  const size_t elem = std::strcmp(ctype, "int8_t") == 0 ? 1 : std::strstr(ctype, "int16_t") ? 2 : 4;
  const_bytes += values.size() * elem;
  return name;
}

std::string Emitter::float_table(const std::string& base, const std::vector<float>& values) {
  const std::string name = unique(base);
  data << "static const float " << name << "[" << (values.empty() ? 1 : values.size()) << "] = {";
  for (size_t i = 0; i < values.size(); ++i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s%af,", i % 8 == 0 ? "\n " : " ", double(values[i]));
    data << buf;
  }
  data << "\n};\n";
  const_bytes += values.size() * 4;
  return name;
}

void Emitter::fail(size_t op_index, const std::string& what) const {
  const OpDesc& op = m_.ops()[op_index];
  throw Error(origin_ + ": op " + std::to_string(op_index) + " '" + op.name + "' (" + op_name(op.type) + "): " + what +
              " (microcontroller export, docs/MCU.md)");
}

}  // namespace slimrt::mcu
