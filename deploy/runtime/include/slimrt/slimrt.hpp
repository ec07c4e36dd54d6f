#pragma once
// A thin C++ wrapper over the C API (slimrt.h): RAII handles, exceptions on error.
// For code inside the project slimrt/runtime.h is the richer interface.
#include <stdexcept>
#include <string>
#include <vector>

#include "slimrt/slimrt.h"

namespace slimrt::api {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(slimrt_status s) {
  if (s != SLIMRT_OK) throw Failure(slimrt_last_error());
}

class ModelHandle {
 public:
  // flags: 0 or SLIMRT_LOAD_SKIP_CHECKSUMS (slimrt.h).
  static ModelHandle load(const std::string& path, unsigned flags = 0) {
    slimrt_model* m = nullptr;
    check(slimrt_model_load_file_ex(path.c_str(), flags, &m));
    return ModelHandle(m);
  }
  static ModelHandle load(const void* data, size_t size, bool copy = true, unsigned flags = 0) {
    slimrt_model* m = nullptr;
    check(slimrt_model_load_memory_ex(data, size, copy ? 1 : 0, flags, &m));
    return ModelHandle(m);
  }
  unsigned format_version() const { return slimrt_model_format_version(m_); }
  ModelHandle(ModelHandle&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
  ModelHandle& operator=(ModelHandle&& o) noexcept { std::swap(m_, o.m_); return *this; }
  ModelHandle(const ModelHandle&) = delete;
  ModelHandle& operator=(const ModelHandle&) = delete;
  ~ModelHandle() { slimrt_model_free(m_); }
  const slimrt_model* get() const { return m_; }
  std::string metadata(const char* key) const {
    const char* v = slimrt_model_metadata(m_, key);
    return v ? v : "";
  }
  std::vector<std::string> class_names() const {
    std::vector<std::string> out;
    for (int i = 0; i < slimrt_model_num_classes(m_); ++i) out.emplace_back(slimrt_model_class_name(m_, i));
    return out;
  }
  // Operating points (slimrt.h): count, info, and the point for a budget.
  int num_points() const { return slimrt_model_num_points(m_); }
  slimrt_point_info point_info(int i) const {
    slimrt_point_info p{};
    check(slimrt_model_point_info(m_, i, &p));
    return p;
  }
  int choose_point(slimrt_budget_kind kind, double budget, int current = -1, double hysteresis = 0) const {
    int out = 0;
    check(slimrt_choose_point(m_, kind, budget, current, hysteresis, &out));
    return out;
  }

 private:
  explicit ModelHandle(slimrt_model* m) : m_(m) {}
  slimrt_model* m_ = nullptr;
};

class InterpreterHandle {
 public:
  explicit InterpreterHandle(const ModelHandle& model, const char* isa = nullptr, int threads = 1) {
    slimrt_interpreter_options o{};
    o.isa = isa;
    o.threads = threads;
    check(slimrt_interpreter_create_ex(model.get(), &o, &i_));
  }
  InterpreterHandle(const InterpreterHandle&) = delete;
  InterpreterHandle& operator=(const InterpreterHandle&) = delete;
  ~InterpreterHandle() { slimrt_interpreter_free(i_); }
  slimrt_tensor_info input_info(int i = 0) const {
    slimrt_tensor_info t{};
    check(slimrt_input_info(i_, i, &t));
    return t;
  }
  slimrt_tensor_info output_info(int i = 0) const {
    slimrt_tensor_info t{};
    check(slimrt_output_info(i_, i, &t));
    return t;
  }
  void set_input(const std::vector<float>& x, int i = 0) { check(slimrt_set_input(i_, i, x.data(), x.size())); }
  void run() { check(slimrt_run(i_)); }
  std::vector<float> output(int i = 0) const {
    std::vector<float> y(size_t(output_info(i).numel));
    check(slimrt_get_output(i_, i, y.data(), y.size()));
    return y;
  }
  size_t arena_bytes() const { return slimrt_arena_bytes(i_); }
  void set_point(int index) { check(slimrt_set_point(i_, index)); }
  int point() const { return slimrt_get_point(i_); }

 private:
  slimrt_interpreter* i_ = nullptr;
};

}  // namespace slimrt::api
