// The interpreter: prepare once (choose each op's kernel from the registry, repack
// weights, size scratch, plan the arena, bind every pointer), then invoke() only
// calls kernels on fixed pointers — no allocation, no lookup.
#include <algorithm>
#include <cstring>
#include <map>

#include "op_registry.h"

namespace slimrt {

using detail::throw_fmt;

std::map<std::string, DeviceBackendFactory>& device_backends() {
  static std::map<std::string, DeviceBackendFactory> m;
  return m;
}

void register_device_backend(const std::string& name, DeviceBackendFactory factory) {
  device_backends()[name] = factory;
}

struct InterpreterStorage {
  std::shared_ptr<DeviceBackend> backend;
  std::vector<AlignedBytes> owned;
  std::vector<std::vector<bits::SignThreshold>> thresholds;
  AlignedBytes arena;
};

Interpreter::Interpreter(std::shared_ptr<const Model> model, InterpreterOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  if (!model_) throw Error("Interpreter: no model");
  const auto& tensors = model_->tensors();
  const auto& ops = model_->ops();
  std::shared_ptr<DeviceBackend> backend;
  if (!options_.device.empty() && options_.device != "cpu") {
    const std::string name = options_.device.substr(0, options_.device.find_first_of(":,"));
    const auto it = device_backends().find(name);
    if (it == device_backends().end())
      throw_fmt("device '%s': no '%s' backend in this program (link slimrt_opencl and call slimrt_opencl_install())",
              options_.device.c_str(), name.c_str());
    backend = it->second(options_.device);
  }
  ops::Bind b(*model_, options_);
  b.backend = backend.get();
  for (size_t i = 0; i < ops.size(); ++i) {
    nodes_.push_back(b.build(i, ops[i]));
    if (backend && nodes_.back()->kernel_name.find("builtin") != std::string::npos)
      b.log("op " + std::to_string(i) + " '" + ops[i].name + "' (" + op_name(ops[i].type) +
            ") runs on the CPU: no device kernel for " + nodes_.back()->kernel_name);
  }
  packed_bytes_ = b.packed_total;

  // Lifetimes: activations from the op that writes them (inputs: step 0) to the last
  // op that reads them (outputs: the end); each node's scratch lives for its step.
  const int n_ops = int(ops.size());
  std::vector<size_t> sizes;
  std::vector<std::pair<int, int>> life;
  std::vector<int> tensor_buffer(tensors.size(), -1);
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (tensors[t].constant()) continue;
    tensor_buffer[t] = int(sizes.size());
    sizes.push_back(tensors[t].bytes);
    life.emplace_back(INT32_MAX, -1);
  }
  auto touch = [&](int t, int step) {
    if (t < 0 || tensor_buffer[size_t(t)] < 0) return;
    auto& l = life[size_t(tensor_buffer[size_t(t)])];
    l.first = std::min(l.first, step);
    l.second = std::max(l.second, step);
  };
  for (int in : model_->inputs()) touch(in, 0);
  for (int s = 0; s < n_ops; ++s) {
    for (int in : ops[size_t(s)].inputs) touch(in, s);
    for (int o : ops[size_t(s)].outputs) touch(o, s);
  }
  for (int o : model_->outputs()) touch(o, n_ops - 1);
  for (size_t i = 0; i < life.size(); ++i)
    if (life[i].second < 0) {  // never used: no bytes
      sizes[i] = 0;
      life[i] = {0, 0};
    }
  std::vector<int> scratch_buffer(nodes_.size(), -1);
  for (size_t s = 0; s < nodes_.size(); ++s)
    if (nodes_[s]->scratch_bytes > 0) {
      scratch_buffer[s] = int(sizes.size());
      sizes.push_back(nodes_[s]->scratch_bytes);
      life.emplace_back(int(s), int(s));
    }
  plan_ = plan_arena(sizes, life, kAlign);

  auto storage = std::make_unique<InterpreterStorage>();
  storage->backend = std::move(backend);
  storage->owned = std::move(b.owned_);
  storage->thresholds = std::move(b.thresholds_);
  storage->arena = aligned_alloc_bytes(plan_.arena_bytes);
  arena_ = storage->arena.get();

  tensor_offset_.assign(tensors.size(), SIZE_MAX);
  for (size_t t = 0; t < tensors.size(); ++t)
    if (tensor_buffer[t] >= 0) tensor_offset_[t] = plan_.offsets[size_t(tensor_buffer[t])];
  for (size_t s = 0; s < nodes_.size(); ++s)
    for (auto& [field, tensor] : nodes_[s]->slots) {
      void* p = tensor < 0 ? arena_ + plan_.offsets[size_t(scratch_buffer[s])] : arena_ + tensor_offset_[size_t(tensor)];
      std::memcpy(field, &p, sizeof p);
    }
  storage_ = std::move(storage);
}

Interpreter::~Interpreter() = default;

const TensorDesc& Interpreter::input(size_t i) const {
  if (i >= num_inputs()) throw_fmt("input %zu does not exist", i);
  return model_->tensors()[size_t(model_->inputs()[i])];
}
const TensorDesc& Interpreter::output(size_t i) const {
  if (i >= num_outputs()) throw_fmt("output %zu does not exist", i);
  return model_->tensors()[size_t(model_->outputs()[i])];
}

void Interpreter::set_input(size_t i, const float* data, size_t count) {
  const TensorDesc& t = input(i);
  if (count != size_t(t.numel))
    throw_fmt("input '%s' takes %lld values, got %zu", t.name.c_str(), (long long)t.numel, count);
  std::memcpy(arena_ + tensor_offset_[size_t(model_->inputs()[i])], data, count * sizeof(float));
}

void Interpreter::invoke() {
  for (auto& n : nodes_) n->run();
}

void Interpreter::get_output(size_t i, float* data, size_t count) const {
  const TensorDesc& t = output(i);
  if (count != size_t(t.numel))
    throw_fmt("output '%s' holds %lld values, asked for %zu", t.name.c_str(), (long long)t.numel, count);
  std::memcpy(data, arena_ + tensor_offset_[size_t(model_->outputs()[i])], count * sizeof(float));
}

const void* Interpreter::tensor_data(int tensor) const {
  if (tensor < 0 || size_t(tensor) >= tensor_offset_.size() || tensor_offset_[size_t(tensor)] == SIZE_MAX)
    return nullptr;
  return arena_ + tensor_offset_[size_t(tensor)];
}

std::vector<std::string> Interpreter::kernel_names() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back(n->kernel_name);
  return out;
}

}  // namespace slimrt
