#pragma once
// What the ops' OpenCL glue (deploy/runtime/ops/opencl/<op>.cpp) shares: per op and
// precision a build function (device buffers, weight repacking and upload, kernel
// arguments, tuned work-group size — all at load), an io function (the op's host
// pointers for the per-run transfers) and a why-not function (shapes or device
// features the variant cannot handle, as a sentence for the fallback log line),
// registered with add<Args, build, io, why>(table, op, precision). Each file registers
// with SLIMRT_REGISTER_OPENCL_OPS(<file name>); the build lists the files
// (opencl_families.inc).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "kernels/detail.h"
#include "node_state.h"
#include "opencl_registry.h"

namespace slimrt::opencl {
namespace k = slimrt::kernels;
using k::Activation;
using k::Op;
using k::Precision;

template <class T> constexpr const char* suffix();
template <> constexpr const char* suffix<float>() { return "f32"; }
template <> constexpr const char* suffix<int8_t>() { return "i8"; }
template <> constexpr const char* suffix<int16_t>() { return "i16"; }
template <class T> constexpr bool kFloat = std::is_same_v<T, float>;

inline std::string kname(const char* base, const char* sfx) { return std::string(base) + "_" + sfx; }
uint16_t to_half(float f);  // round to nearest even

// Epilogue parameters for the uniform argument lists.
struct Epi {
  float flo = -INFINITY, fhi = INFINITY;
  int shift = 0;
  cl_long llo = 0, lhi = 0;
};
Epi float_epi(Activation act, float mn, float mx);
Epi fixed_epi(int fl_acc, const k::FixedFormats& q, Activation act, float mn, float mx);
template <class A>  // dense / conv args: the epilogue of the accumulator at fl_acc
Epi epi_of(const A& a, int fl_acc) {
  if constexpr (kFloat<std::remove_cv_t<std::remove_pointer_t<decltype(a.y)>>>) return float_epi(a.act, a.act_min, a.act_max);
  else return fixed_epi(fl_acc, a.q, a.act, a.act_min, a.act_max);
}

int log2_bucket(size_t n);
// Tunes dimension 0's work-group size of launch l (global0 = round_up(n0, local)).
void tune(NodeState& st, Launch& l, const std::string& key, size_t n0);
// BN + sign thresholds as exact integer comparisons: [threshold, direction, constant].
std::vector<int32_t> int_thresholds(const bits::SignThreshold* t, int n);
// Why the exact fixed-point mean (fx_mean in the .cl) would overflow 64 bits, or "".
std::string why_mean(int64_t max_abs_sum, int64_t n, int k);
// One copy_rows launch: y[r·ys + yo + c] = x[r·xs + xo + c] in units of `unit` bytes.
void copy_launch(NodeState& st, cl_mem x, cl_mem y, int64_t rows, int64_t cols, int64_t xs, int64_t xo, int64_t ys,
                 int64_t yo, int unit);
// One launch over `count` elements (dimension 0).
inline void launch_1d(Launch& l, int64_t count) { l.global[0] = size_t(std::max<int64_t>(count, 1)); }

// The common io and why functions: x in, y out; supported everywhere.
template <class A>
void io_xy(const A& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}
template <class A>
std::string why_none(const A&) { return ""; }
// Fixed-point conv / dense with a folded batch norm (kernels::ChannelRequant): the
// OpenCL kernels have no per-channel requantization, so those ops stay on the CPU.
template <class A>
std::string why_folded_bn(const A& a) {
  return a.rq.mult ? "a folded batch norm (per-channel requantization) runs on the CPU" : "";
}
// Where a BNN op writes (BnnOut).
void* bnn_y(const k::BnnOut& o);

// ---- registry thunks -------------------------------------------------------------------
NodeState* state_of(const void* packed);
void release_thunk(const void*, void* packed);
size_t packed_bytes_thunk(const void*);
std::shared_ptr<Device> installed_device();  // current_device(), or throws

template <class A, void (*Io)(const A&, NodeState&)>
void run_thunk(const void* args, void*) {
  const A& a = *static_cast<const A*>(args);
  NodeState* st = state_of(a.ws.packed);
  Io(a, *st);
  st->execute();
}
template <class A, void (*Build)(const A&, NodeState&)>
void pack_thunk(const void* args, void* dst) {
  auto st = std::make_unique<NodeState>();
  st->dev = installed_device();
  Build(*static_cast<const A*>(args), *st);
  *static_cast<NodeState**>(dst) = st.release();
}
template <class A, std::string (*Why)(const A&)>
bool supports_thunk(const void* args) { return Why(*static_cast<const A*>(args)).empty(); }
template <class A, std::string (*Why)(const A&)>
std::string why_thunk(const void* args) { return Why(*static_cast<const A*>(args)); }

Entry make_entry(Op op, Precision p, const char* variant);  // name, op, precision, isa, shared thunks

template <class A, void (*Build)(const A&, NodeState&), void (*Io)(const A&, NodeState&) = io_xy<A>,
          std::string (*Why)(const A&) = why_none<A>>
void add(std::vector<Entry>& t, Op op, Precision p, const char* variant = "opencl") {
  Entry e = make_entry(op, p, variant);
  e.kernel.run = &run_thunk<A, Io>;
  e.kernel.supports = &supports_thunk<A, Why>;
  e.kernel.pack = &pack_thunk<A, Build>;
  e.why = &why_thunk<A, Why>;
  t.push_back(e);
}

#define SLIMRT_REGISTER_OPENCL_OPS(file) void register_opencl_##file(std::vector<::slimrt::opencl::Entry>& t)
// In such a function: the file's add_typed<T>(t) for every element type.
#define SLIMRT_OPENCL_ADD_TYPED(t) (add_typed<float>(t), add_typed<int8_t>(t), add_typed<int16_t>(t))

// Why a fixed-point T op that evaluates `what` in double cannot run here ("" when it can:
// T is float, or the device has cl_khr_fp64).
template <class T>
std::string needs_fp64(const char* what) {
  if (kFloat<T>) return "";
  const auto dev = current_device();
  if (dev && !dev->info().fp64) return std::string("fixed-point ") + what + " in double and the device lacks cl_khr_fp64";
  return "";
}

}  // namespace slimrt::opencl
