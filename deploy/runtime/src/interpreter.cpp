// The interpreter: prepare once (choose each op's kernel from the registry, repack
// weights, size scratch, plan the arena, bind every pointer), then invoke() only
// calls kernels on fixed pointers — no allocation, no lookup.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

#include "op_registry.h"
#include "thread_pool.h"

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
  std::unique_ptr<ThreadPool> pool;
  std::vector<AlignedBytes> owned;
  std::vector<std::vector<bits::SignThreshold>> thresholds;
  AlignedBytes arena;
};

namespace {

// Where each activation tensor lives: views (Bind::aliases) resolved to the tensor
// that owns the bytes (its root) and a byte offset into it.
struct Placement {
  std::vector<int> root;
  std::vector<size_t> offset;
};

Placement resolve_views(size_t n_tensors, const std::vector<TensorAlias>& aliases) {
  Placement p;
  p.root.resize(n_tensors);
  p.offset.assign(n_tensors, 0);
  std::vector<int> target(n_tensors, -1);
  std::vector<size_t> step(n_tensors, 0);
  for (size_t t = 0; t < n_tensors; ++t) p.root[t] = int(t);
  for (const auto& a : aliases) {
    target[size_t(a.tensor)] = a.target;
    step[size_t(a.tensor)] = a.offset;
  }
  // Chains are short (a reshape of a slice of a concat input …) and acyclic: every
  // alias points at a tensor that was not aliased when it was recorded, or later.
  for (size_t t = 0; t < n_tensors; ++t)
    for (int u = int(t); target[size_t(u)] >= 0; u = target[size_t(u)]) {
      p.offset[t] += step[size_t(u)];
      p.root[t] = target[size_t(u)];
    }
  return p;
}

}  // namespace

// Lifetimes: activations from the op that writes them (inputs: step 0) to the last op
// that reads them (outputs: the end), a view's bytes living as long as any tensor in
// them; each node's scratch lives for its step. Then the arena plan.
void Interpreter::plan_memory(const std::vector<TensorAlias>& aliases) {
  const auto& tensors = model_->tensors();
  const auto& ops = model_->ops();
  const Placement place = resolve_views(tensors.size(), aliases);
  const int n_ops = int(ops.size());
  std::vector<size_t> sizes;
  std::vector<std::pair<int, int>> life;
  std::vector<int> tensor_buffer(tensors.size(), -1);
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (tensors[t].constant() || place.root[t] != int(t)) continue;
    tensor_buffer[t] = int(sizes.size());
    sizes.push_back(tensors[t].bytes);
    life.emplace_back(INT32_MAX, -1);
  }
  auto touch = [&](int t, int step) {
    if (t < 0 || tensors[size_t(t)].constant()) return;
    auto& l = life[size_t(tensor_buffer[size_t(place.root[size_t(t)])])];
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
  tensor_offset_.assign(tensors.size(), SIZE_MAX);
  for (size_t t = 0; t < tensors.size(); ++t)
    if (!tensors[t].constant())
      tensor_offset_[t] = plan_.offsets[size_t(tensor_buffer[size_t(place.root[t])])] + place.offset[t];
  scratch_offset_.assign(nodes_.size(), 0);
  for (size_t s = 0; s < nodes_.size(); ++s)
    if (scratch_buffer[s] >= 0) scratch_offset_[s] = plan_.offsets[size_t(scratch_buffer[s])];
}

// Every node's pointers into the arena (fixed from here on). A constant read where an
// activation is expected (a data input) points at an aligned copy of its bytes: it has
// no place in the arena.
void Interpreter::bind_arena(uint8_t* arena) {
  arena_ = arena;
  const auto& tensors = model_->tensors();
  std::map<int, uint8_t*> constants;
  for (size_t s = 0; s < nodes_.size(); ++s)
    for (const auto& slot : nodes_[s]->slots) {
      void* p = nullptr;
      if (slot.tensor >= 0 && tensors[size_t(slot.tensor)].constant()) {
        uint8_t*& copy = constants[slot.tensor];
        if (!copy) {
          const TensorDesc& t = tensors[size_t(slot.tensor)];
          storage_->owned.push_back(aligned_alloc_bytes(t.bytes));
          copy = storage_->owned.back().get();
          std::memcpy(copy, t.data, t.bytes);
        }
        p = copy + slot.offset;
      } else {
        p = arena_ + (slot.tensor < 0 ? scratch_offset_[s] : tensor_offset_[size_t(slot.tensor)]) + slot.offset;
      }
      std::memcpy(slot.field, &p, sizeof p);
    }
}

Interpreter::Interpreter(std::shared_ptr<const Model> model, InterpreterOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  if (!model_) throw Error("Interpreter: no model");
  if (options_.threads < 0 || options_.threads > kMaxThreads)
    throw_fmt("threads %d is out of range (0 or 1: the calling thread only; at most %d)", options_.threads,
              kMaxThreads);
  storage_ = std::make_unique<InterpreterStorage>();
  if (!options_.device.empty() && options_.device != "cpu") {
    const std::string name = options_.device.substr(0, options_.device.find_first_of(":,"));
    const auto it = device_backends().find(name);
    if (it == device_backends().end())
      throw_fmt("device '%s': no '%s' backend in this program (link slimrt_opencl and call slimrt_opencl_install())",
              options_.device.c_str(), name.c_str());
    storage_->backend = it->second(options_.device);
  }
  if (options_.threads > 1 && !storage_->backend) storage_->pool = std::make_unique<ThreadPool>(options_.threads);
  prepare(storage_.get());
  // The other operating points: prepared alike (the same backend and thread pool), one
  // arena for all, planned for the largest.
  const auto& points = model_->operating_points();
  point_ = model_->main_point();
  size_t arena = plan_.arena_bytes;
  points_.resize(points.size());
  for (size_t i = 0; i < points.size(); ++i)
    if (const Model* g = model_->point_graph(i)) {
      points_[i].reset(new Interpreter(std::shared_ptr<const Model>(model_, g), options_, storage_.get()));
      arena = std::max(arena, points_[i]->plan_.arena_bytes);
      packed_bytes_ += points_[i]->packed_bytes_;
    }
  storage_->arena = aligned_alloc_bytes(arena);
  arena_bytes_ = arena;
  bind_arena(storage_->arena.get());
  for (auto& p : points_)
    if (p) {
      p->bind_arena(storage_->arena.get());
      p->arena_bytes_ = arena;
    }
}

// A point's graph: the owner's backend and pool, its own nodes and plan.
Interpreter::Interpreter(std::shared_ptr<const Model> graph, InterpreterOptions options, InterpreterStorage* shared)
    : model_(std::move(graph)), options_(std::move(options)) {
  storage_ = std::make_unique<InterpreterStorage>();
  prepare(shared);
}

void Interpreter::prepare(InterpreterStorage* shared) {
  const auto& ops = model_->ops();
  DeviceBackend* backend = shared->backend.get();
  ops::Bind b(*model_, options_);
  b.backend = backend;
  b.pool = shared->pool.get();
  b.views = options_.views && !backend;
  for (size_t i = 0; i < ops.size(); ++i) {
    nodes_.push_back(b.build(i, ops[i]));
    if (backend && nodes_.back()->kernel_name.find("builtin") != std::string::npos)
      b.log("op " + std::to_string(i) + " '" + ops[i].name + "' (" + op_name(ops[i].type) +
            ") runs on the CPU: no device kernel for " + nodes_.back()->kernel_name);
  }
  packed_bytes_ = b.packed_total;
  storage_->owned = std::move(b.owned_);
  storage_->thresholds = std::move(b.thresholds_);
  choose_views(b.aliases);
}

void Interpreter::set_operating_point(size_t i) {
  if (i >= points_.size())
    throw_fmt("operating point %zu does not exist (the model has %zu)", i, points_.size());
  active_ = points_[i] ? points_[i].get() : this;
  point_ = i;
}

namespace {
struct ViewNode : Interpreter::Node {
  void run() override {}
};
}  // namespace

// Views save copies but make their bytes live longer (a concat's output from its first
// input's producer on): they are taken only where the arena does not grow.
void Interpreter::choose_views(const std::vector<TensorAlias>& aliases) {
  if (!aliases.empty()) {
    plan_memory({});
    const size_t copies = plan_.arena_bytes;
    plan_memory(aliases);
    if (plan_.arena_bytes <= copies) {
      for (const auto& a : aliases) {
        auto& n = nodes_[size_t(a.op)];
        if (n->kernel_name == a.kernel) continue;
        n = std::make_unique<ViewNode>();
        n->kernel_name = a.kernel;
      }
      plan_memory(aliases);  // without the copies' scratch
      return;
    }
  }
  plan_memory({});
}

Interpreter::~Interpreter() { points_.clear(); }  // before the storage they share

const TensorDesc& Interpreter::input(size_t i) const {
  if (i >= num_inputs()) throw_fmt("input %zu does not exist", i);
  const Model& m = *active_->model_;
  return m.tensors()[size_t(m.inputs()[i])];
}
const TensorDesc& Interpreter::output(size_t i) const {
  if (i >= num_outputs()) throw_fmt("output %zu does not exist", i);
  const Model& m = *active_->model_;
  return m.tensors()[size_t(m.outputs()[i])];
}

void Interpreter::set_input(size_t i, const float* data, size_t count) {
  const TensorDesc& t = input(i);
  if (count != size_t(t.numel))
    throw_fmt("input '%s' takes %lld values, got %zu", t.name.c_str(), (long long)t.numel, count);
  const Interpreter& a = *active_;
  std::memcpy(arena_ + a.tensor_offset_[size_t(a.model_->inputs()[i])], data, count * sizeof(float));
}

void Interpreter::invoke() {
  for (auto& n : active_->nodes_) n->run();
}

void Interpreter::invoke_timed(double* seconds) {
  const auto& nodes = active_->nodes_;
  for (size_t s = 0; s < nodes.size(); ++s) {
    const auto t0 = std::chrono::steady_clock::now();
    nodes[s]->run();
    seconds[s] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
}

void Interpreter::get_output(size_t i, float* data, size_t count) const {
  const TensorDesc& t = output(i);
  if (count != size_t(t.numel))
    throw_fmt("output '%s' holds %lld values, asked for %zu", t.name.c_str(), (long long)t.numel, count);
  const Interpreter& a = *active_;
  std::memcpy(data, arena_ + a.tensor_offset_[size_t(a.model_->outputs()[i])], count * sizeof(float));
}

const void* Interpreter::tensor_data(int tensor) const {
  const std::vector<size_t>& off = active_->tensor_offset_;
  if (tensor < 0 || size_t(tensor) >= off.size() || off[size_t(tensor)] == SIZE_MAX) return nullptr;
  return arena_ + off[size_t(tensor)];
}

std::vector<std::string> Interpreter::kernel_names() const {
  std::vector<std::string> out;
  for (const auto& n : active_->nodes_) out.push_back(n->kernel_name);
  return out;
}

const char* Interpreter::kernel_name(size_t i) const {
  return i < active_->nodes_.size() ? active_->nodes_[i]->kernel_name.c_str() : nullptr;
}

std::vector<int> Interpreter::node_parts() const {
  std::vector<int> out;
  for (const auto& n : active_->nodes_) out.push_back(n->parts);
  return out;
}

}  // namespace slimrt
