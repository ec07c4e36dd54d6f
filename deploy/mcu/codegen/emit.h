#pragma once
// Internals of the C generator: the plan (which ops run on the device, where each
// activation lives in the arena) and the emitter the per-op writers (ops.cpp) use.
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "slimrt/runtime.h"

namespace slimrt::mcu {

struct Plan {
  std::vector<int> ops;                  // indices of the ops the device runs, in order
  int input = -1, output = -1;           // the device's input / output tensors
  std::map<int, size_t> offset;          // activation tensor → arena offset
  std::map<int, size_t> scratch;         // op index → arena offset of its scratch (LSTM cell state)
  size_t arena_bytes = 0;
  // The model starts with a fixed-point AudioFeatures on its raw input: the device input
  // is int16 PCM (slimrt's pcm16 of the float samples), not the f32 tensor.
  bool pcm_input = false;
  size_t input_bytes = 0;  // the device input's bytes
};
// The fixed-point front end's scratch (fixed_log_mel_features' s32 then s64 words): the
// int32 part's bytes, 8-aligned, and the whole.
inline size_t log_mel_s32_bytes(const FrontEndParams& p) { return (size_t(p.n_fft + p.n_mels) * 4 + 7) / 8 * 8; }
inline size_t log_mel_scratch_bytes(const FrontEndParams& p) { return log_mel_s32_bytes(p) + size_t(p.n_fft / 2 + 1) * 8; }
bool is_fixed(DType d);
// Plans `model`: drops a leading Quantize of the model input and a trailing Dequantize of
// its output (the caller's integer interface), aliases Reshape outputs to their inputs and
// places every activation with slimrt's arena planner (8-byte alignment).
Plan plan_model(const Model& model, const std::string& origin);

class Emitter {
 public:
  Emitter(const Model& model, const Plan& plan, const std::string& origin) : m_(model), plan_(plan), origin_(origin) {}

  // "arena + offset" of op `op`'s scratch (+ `at` bytes), as ctype*.
  std::string scratch(int op, size_t at = 0, const char* ctype = "int32_t") const;
  // "arena + offset" cast to the tensor's C element type.
  std::string act(int tensor) const;
  // The name of a const array holding constant tensor `tensor` (written once), or "0"
  // for an absent optional input (-1).
  std::string weight(int tensor);
  // A const array of raw values, named after `base`; returns its name.
  std::string table(const std::string& base, const char* ctype, const std::vector<long long>& values);
  std::string float_table(const std::string& base, const std::vector<float>& values);
  // A fresh identifier for op `index`'s parameter block.
  std::string param_name(size_t index) const { return "p" + std::to_string(index); }

  [[noreturn]] void fail(size_t op_index, const std::string& what) const;
  const TensorDesc& t(int i) const { return m_.tensors()[size_t(i)]; }
  const Model& model() const { return m_; }
  const Plan& plan() const { return plan_; }

  std::ostringstream data;    // weights, thresholds, tables (flash)
  std::ostringstream consts;  // parameter blocks (flash), after `data`
  std::ostringstream body;    // slim_model_run()'s statements
  size_t const_bytes = 0;

 private:
  std::string unique(const std::string& base);
  const Model& m_;
  const Plan& plan_;
  std::string origin_;
  std::map<int, std::string> weights_;
  std::map<std::string, int> used_names_;
};

// C element type of a tensor's storage: int8_t, int16_t, int32_t, float, uint32_t (BIN).
const char* c_type(DType d);
// Writes op `index` (model op) as a parameter block and a kernel call.
void emit_op(Emitter& e, size_t index);

}  // namespace slimrt::mcu
