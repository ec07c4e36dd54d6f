// The C API over the C++ core: exceptions become status codes and a thread-local message.
#include <cstring>
#include <new>
#include <type_traits>

#include "c_api_handles.h"
#include "kernels/kernels.h"
#include "slimrt/slimrt.h"

struct slimrt_interpreter {
  std::unique_ptr<slimrt::Interpreter> interp;
};

namespace {
thread_local std::string g_error;
}  // namespace

std::string& slimrt::detail::c_api_error() { return g_error; }

namespace {

slimrt_status fail(slimrt_status s, const std::string& msg) {
  g_error = msg;
  return s;
}

// One copy of the handlers for every entry point (not one per lambda: library size).
slimrt_status guarded_call(slimrt_status on_error, void (*call)(void*), void* f) {
  try {
    call(f);
    return SLIMRT_OK;
  } catch (const slimrt::Error& e) {
    return fail(on_error, e.what());
  } catch (const std::bad_alloc&) {
    return fail(SLIMRT_ERROR_RUNTIME, "out of memory");
  } catch (const std::exception& e) {
    return fail(SLIMRT_ERROR_RUNTIME, e.what());
  }
}

template <class F>
slimrt_status guarded(slimrt_status on_error, F&& f) {
  using L = std::remove_reference_t<F>;
  return guarded_call(on_error, [](void* p) { (*static_cast<L*>(p))(); }, const_cast<void*>(static_cast<const void*>(&f)));
}

void fill(const slimrt::TensorDesc& t, slimrt_tensor_info* info) {
  info->name = t.name.c_str();
  info->dtype = static_cast<slimrt_dtype>(t.dtype);
  info->rank = int(t.shape.size());
  for (int i = 0; i < 8; ++i) info->shape[i] = i < info->rank ? t.shape[size_t(i)] : 0;
  info->numel = t.numel;
  info->fractional_bits = t.fl;
}
}  // namespace

extern "C" {

const char* slimrt_version(void) { return "0.1.0"; }
const char* slimrt_kernel_library(void) {
  try {
    return slimrt::kernels::kernel_library();
  } catch (...) {
    return "unknown (out of memory while the kernel registry was filled)";
  }
}
const char* slimrt_last_error(void) { return g_error.c_str(); }

slimrt_status slimrt_model_load_file_ex(const char* path, unsigned flags, slimrt_model** out) {
  if (!path || !out) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_model_load_file: null argument");
  *out = nullptr;
  slimrt::LoadOptions o;
  o.verify_checksums = !(flags & SLIMRT_LOAD_SKIP_CHECKSUMS);
  return guarded(SLIMRT_ERROR_INVALID_MODEL, [&] { *out = new slimrt_model{slimrt::Model::from_file(path, o)}; });
}
slimrt_status slimrt_model_load_file(const char* path, slimrt_model** out) {
  return slimrt_model_load_file_ex(path, 0, out);
}

slimrt_status slimrt_model_load_memory_ex(const void* data, size_t size, int copy, unsigned flags, slimrt_model** out) {
  if (!data || !out) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_model_load_memory: null argument");
  *out = nullptr;
  slimrt::LoadOptions o;
  o.verify_checksums = !(flags & SLIMRT_LOAD_SKIP_CHECKSUMS);
  return guarded(SLIMRT_ERROR_INVALID_MODEL,
                 [&] { *out = new slimrt_model{slimrt::Model::from_memory(data, size, copy != 0, o)}; });
}
slimrt_status slimrt_model_load_memory(const void* data, size_t size, int copy, slimrt_model** out) {
  return slimrt_model_load_memory_ex(data, size, copy, 0, out);
}

unsigned slimrt_model_format_version(const slimrt_model* m) { return m ? m->model->format_version() : 0; }

void slimrt_model_free(slimrt_model* model) { delete model; }

const char* slimrt_model_metadata(const slimrt_model* m, const char* key) {
  if (!m || !key) return nullptr;
  const auto& md = m->model->metadata();
  if (!std::strcmp(key, "model")) return md.model.c_str();
  if (!std::strcmp(key, "precision")) return md.precision.c_str();
  if (!std::strcmp(key, "feature_type")) return md.feature_type.c_str();
  if (!std::strcmp(key, "source_run")) return md.source_run.c_str();
  if (!std::strcmp(key, "exporter")) return md.exporter.c_str();
  return nullptr;
}

int slimrt_model_num_classes(const slimrt_model* m) { return m ? int(m->model->metadata().class_names.size()) : 0; }

const char* slimrt_model_class_name(const slimrt_model* m, int i) {
  if (!m || i < 0 || size_t(i) >= m->model->metadata().class_names.size()) return nullptr;
  return m->model->metadata().class_names[size_t(i)].c_str();
}

slimrt_status slimrt_interpreter_create_ex(const slimrt_model* model, const slimrt_interpreter_options* options,
                                           slimrt_interpreter** out) {
  if (!model || !out) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_interpreter_create_ex: null argument");
  *out = nullptr;
  slimrt::InterpreterOptions o;
  if (options) {
    if (options->isa) o.isa = options->isa;
    if (options->device) o.device = options->device;
    o.threads = options->threads;
  }
  if (o.threads < 0 || o.threads > slimrt::kMaxThreads)
    return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_interpreter_create_ex: threads " + std::to_string(o.threads) +
                                                   " is out of range (0 to " + std::to_string(slimrt::kMaxThreads) + ")");
  return guarded(SLIMRT_ERROR_RUNTIME, [&] { *out = new slimrt_interpreter{std::make_unique<slimrt::Interpreter>(model->model, o)}; });
}

slimrt_status slimrt_interpreter_create(const slimrt_model* model, const char* isa, slimrt_interpreter** out) {
  slimrt_interpreter_options o{};
  o.isa = isa;
  return slimrt_interpreter_create_ex(model, &o, out);
}

slimrt_status slimrt_interpreter_create_device(const slimrt_model* model, const char* isa, const char* device,
                                               slimrt_interpreter** out) {
  slimrt_interpreter_options o{};
  o.isa = isa;
  o.device = device;
  return slimrt_interpreter_create_ex(model, &o, out);
}

void slimrt_interpreter_free(slimrt_interpreter* interp) { delete interp; }

int slimrt_num_inputs(const slimrt_interpreter* i) { return i ? int(i->interp->num_inputs()) : 0; }
int slimrt_num_outputs(const slimrt_interpreter* i) { return i ? int(i->interp->num_outputs()) : 0; }

slimrt_status slimrt_input_info(const slimrt_interpreter* i, int index, slimrt_tensor_info* info) {
  if (!i || !info) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_input_info: null argument");
  return guarded(SLIMRT_ERROR_INVALID_ARGUMENT, [&] { fill(i->interp->input(size_t(index < 0 ? SIZE_MAX : size_t(index))), info); });
}

slimrt_status slimrt_output_info(const slimrt_interpreter* i, int index, slimrt_tensor_info* info) {
  if (!i || !info) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_output_info: null argument");
  return guarded(SLIMRT_ERROR_INVALID_ARGUMENT, [&] { fill(i->interp->output(index < 0 ? SIZE_MAX : size_t(index)), info); });
}

slimrt_status slimrt_set_input(slimrt_interpreter* i, int index, const float* data, size_t count) {
  if (!i || !data) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_set_input: null argument");
  return guarded(SLIMRT_ERROR_INVALID_ARGUMENT,
                 [&] { i->interp->set_input(index < 0 ? SIZE_MAX : size_t(index), data, count); });
}

slimrt_status slimrt_run(slimrt_interpreter* i) {
  if (!i) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_run: null interpreter");
  return guarded(SLIMRT_ERROR_RUNTIME, [&] { i->interp->invoke(); });
}

slimrt_status slimrt_get_output(const slimrt_interpreter* i, int index, float* data, size_t count) {
  if (!i || !data) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_get_output: null argument");
  return guarded(SLIMRT_ERROR_INVALID_ARGUMENT,
                 [&] { i->interp->get_output(index < 0 ? SIZE_MAX : size_t(index), data, count); });
}

size_t slimrt_arena_bytes(const slimrt_interpreter* i) { return i ? i->interp->arena_bytes() : 0; }
const char* slimrt_op_kernel(const slimrt_interpreter* i, int index) {
  return i && index >= 0 ? i->interp->kernel_name(size_t(index)) : nullptr;
}

// ---- operating points (docs/ADAPTIVE.md) ----
int slimrt_model_num_points(const slimrt_model* m) { return m ? int(m->model->operating_points().size()) : 0; }

slimrt_status slimrt_model_point_info(const slimrt_model* m, int index, slimrt_point_info* info) {
  if (!m || !info) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_model_point_info: null argument");
  const auto& points = m->model->operating_points();
  if (index < 0 || size_t(index) >= points.size())
    return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_model_point_info: operating point " + std::to_string(index) +
                                                   " does not exist (the model has " + std::to_string(points.size()) + ")");
  const slimrt::OperatingPoint& p = points[size_t(index)];
  info->name = p.name.c_str();
  info->precision = p.precision.c_str();
  info->width = p.width;
  info->accuracy = p.accuracy;
  info->macs = p.macs;
  info->weight_bytes = p.weight_bytes;
  info->latency_us = p.latency_us;
  info->energy_uj = p.energy_uj;
  info->is_main = p.main ? 1 : 0;
  return SLIMRT_OK;
}

slimrt_status slimrt_set_point(slimrt_interpreter* i, int index) {
  if (!i) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_set_point: null interpreter");
  return guarded(SLIMRT_ERROR_INVALID_ARGUMENT, [&] { i->interp->set_operating_point(index < 0 ? SIZE_MAX : size_t(index)); });
}

int slimrt_get_point(const slimrt_interpreter* i) { return i ? int(i->interp->operating_point()) : -1; }

slimrt_status slimrt_choose_point(const slimrt_model* m, int kind, double budget, int current,
                                  double hysteresis, int* out) {
  if (!m || !out) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_choose_point: null argument");
  if (kind < SLIMRT_BUDGET_LATENCY_US || kind > SLIMRT_BUDGET_MACS)
    return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_choose_point: unknown budget kind " + std::to_string(kind));
  return guarded(SLIMRT_ERROR_INVALID_ARGUMENT, [&] {
    *out = int(slimrt::choose_point(m->model->operating_points(), static_cast<slimrt::BudgetKind>(kind), budget, current,
                                    hysteresis));
  });
}

slimrt_status slimrt_budget_for_level(const slimrt_model* m, int kind, double level, double* out) {
  if (!m || !out) return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_budget_for_level: null argument");
  if (kind < SLIMRT_BUDGET_LATENCY_US || kind > SLIMRT_BUDGET_MACS)
    return fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_budget_for_level: unknown budget kind " + std::to_string(kind));
  return guarded(SLIMRT_ERROR_INVALID_ARGUMENT, [&] {
    *out = slimrt::budget_for_level(m->model->operating_points(), static_cast<slimrt::BudgetKind>(kind), level);
  });
}

}  // extern "C"
