// The OpenCL glue's shared parts (glue.h): NodeState, epilogues, work-group tuning,
// the registry thunks, and the table of every op's OpenCL variants, assembled from the
// files of deploy/runtime/ops/opencl (opencl_families.inc, written by the build).
#include "glue.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace slimrt::opencl {

// ---- NodeState -------------------------------------------------------------------------
NodeState::~NodeState() {
  for (Launch& l : launches)
    if (l.kernel) clReleaseKernel(l.kernel);
  for (cl_mem m : mems) clReleaseMemObject(m);
}
cl_mem NodeState::constant(size_t bytes, const void* host) {
  mems.push_back(dev->buffer(bytes, host));
  return mems.back();
}
cl_mem NodeState::scratch(size_t bytes) { return constant(bytes, nullptr); }
cl_mem NodeState::input(size_t bytes) {
  cl_mem m = scratch(bytes);
  in.push_back({m, bytes});
  in_host.push_back(nullptr);
  return m;
}
cl_mem NodeState::output(size_t bytes) {
  cl_mem m = scratch(bytes);
  out.push_back({m, bytes});
  out_host.push_back(nullptr);
  return m;
}
cl_mem NodeState::dummy() {
  if (!dummy_) dummy_ = scratch(64);
  return dummy_;
}
Launch& NodeState::launch(const char* kernel_name) {
  launches.emplace_back();
  launches.back().kernel = dev->create_kernel(kernel_name);
  return launches.back();
}
void NodeState::execute() {
  cl_command_queue q = dev->queue();
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].bytes) check(clEnqueueWriteBuffer(q, in[i].mem, CL_FALSE, 0, in[i].bytes, in_host[i], 0, nullptr, nullptr),
                           "clEnqueueWriteBuffer");
  for (const Launch& l : launches)
    check(clEnqueueNDRangeKernel(q, l.kernel, l.dims, nullptr, l.global, l.has_local ? l.local : nullptr, 0, nullptr,
                                 nullptr),
          "clEnqueueNDRangeKernel");
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i].bytes)
      check(clEnqueueReadBuffer(q, out[i].mem, i + 1 == out.size() ? CL_TRUE : CL_FALSE, 0, out[i].bytes, out_host[i],
                                0, nullptr, nullptr),
            "clEnqueueReadBuffer");
}

uint16_t to_half(float f) {  // round to nearest even
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int e8 = int((x >> 23) & 0xff);
  uint32_t mant = x & 0x7fffffu;
  if (e8 == 0xff) return uint16_t(sign | 0x7c00u | (mant ? 0x200u : 0));
  const int exp = e8 - 127 + 15;
  if (exp >= 31) return uint16_t(sign | 0x7c00u);
  if (exp <= 0) {
    if (exp < -10) return uint16_t(sign);
    mant |= 0x800000u;
    const int shift = 14 - exp;
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) ++h;
    return uint16_t(sign | h);
  }
  uint32_t h = (uint32_t(exp) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;
  return uint16_t(sign | h);
}

Epi float_epi(Activation act, float mn, float mx) {
  const k::detail::FloatEpilogue e(act, mn, mx);
  Epi r;
  r.flo = e.lo;
  r.fhi = e.hi;
  return r;
}
Epi fixed_epi(int fl_acc, const k::FixedFormats& q, Activation act, float mn, float mx) {
  const k::detail::FixedEpilogue e(fl_acc, q, act, mn, mx);
  Epi r;
  r.shift = fl_acc - q.fl_y;
  r.llo = e.lo;
  r.lhi = e.hi;
  return r;
}

namespace {
std::vector<size_t> candidates(const Device& d, cl_kernel kern) {
  const size_t mx = std::min(d.max_local_size(kern), d.info().max_work_group);
  std::vector<size_t> c;
  for (size_t v : {16, 32, 64, 128, 256})
    if (v <= mx) c.push_back(v);
  if (c.empty()) c.push_back(1);
  return c;
}
}  // namespace

int log2_bucket(size_t n) {
  int b = 0;
  while ((size_t(1) << b) < n) ++b;
  return b;
}

// Tunes dimension 0's work-group size of launch l (global0 = round_up(n0, local)).
void tune(NodeState& st, Launch& l, const std::string& key, size_t n0) {
  Device& d = *st.dev;
  auto enqueue = [&](size_t local) {
    size_t g[3] = {round_up(n0, local), l.global[1], l.global[2]};
    size_t lc[3] = {local, 1, 1};
    check(clEnqueueNDRangeKernel(d.queue(), l.kernel, l.dims, nullptr, g, lc, 0, nullptr, nullptr), "clEnqueueNDRangeKernel");
  };
  const size_t local = d.tuned_local_size(key + "/n" + std::to_string(log2_bucket(n0)), candidates(d, l.kernel), enqueue);
  l.has_local = true;
  l.local[0] = local;
  l.local[1] = l.local[2] = 1;
  l.global[0] = round_up(n0, local);
}


// BN + sign thresholds as exact integer comparisons: [threshold, direction, constant].
std::vector<int32_t> int_thresholds(const bits::SignThreshold* t, int n) {
  std::vector<int32_t> v(size_t(3) * n);
  for (int o = 0; o < n; ++o) {
    const double th = t[o].threshold;
    double b = t[o].direction > 0 ? std::ceil(th) : std::floor(th);  // acc ≥ t ⇔ acc ≥ ⌈t⌉; acc ≤ t ⇔ acc ≤ ⌊t⌋
    if (std::isnan(th)) b = t[o].direction > 0 ? double(INT_MAX) : double(INT_MIN);  // never true, as on the CPU
    b = std::min(std::max(b, double(INT_MIN)), double(INT_MAX));
    v[size_t(o)] = int32_t(b);
    v[size_t(n + o)] = t[o].direction;
    v[size_t(2 * n + o)] = t[o].constant;
  }
  return v;
}

namespace {
int bits_of(int64_t v) {
  int b = 0;
  while (b < 63 && (int64_t(1) << b) <= v) ++b;
  return b;
}
}  // namespace

// fx_mean's int64 terms: 2·(sum·2^k) + n (k ≥ 0) or 2·(n·2^−k) (k < 0).
std::string why_mean(int64_t max_abs_sum, int64_t n, int k) {
  const int need = k >= 0 ? bits_of(max_abs_sum) + k + 2 : bits_of(n) - k + 2;
  if (need > 62) return "the fixed-point mean's exact rounding would overflow 64 bits (fl_y − fl_x = " + std::to_string(k) + ")";
  return "";
}

void copy_launch(NodeState& st, cl_mem x, cl_mem y, int64_t rows, int64_t cols, int64_t xs, int64_t xo, int64_t ys,
                 int64_t yo, int unit) {
  Launch& l = st.launch("copy_rows");
  set_args(l.kernel, x, y, cl_long(rows), cl_long(cols), cl_long(xs), cl_long(xo), cl_long(ys), cl_long(yo), unit);
  l.dims = 2;
  l.global[0] = size_t(std::max<int64_t>(cols, 1));
  l.global[1] = size_t(std::max<int64_t>(rows, 1));
}
void* bnn_y(const k::BnnOut& o) {
  return o.kind == k::BnnOutput::kBits    ? static_cast<void*>(o.y_bits)
         : o.kind == k::BnnOutput::kInt32 ? static_cast<void*>(o.y_i32)
                                          : static_cast<void*>(o.y_f32);
}

// ---- registry thunks -------------------------------------------------------------------------------------
NodeState* state_of(const void* packed) { return *static_cast<NodeState* const*>(packed); }
void release_thunk(const void*, void* packed) {
  if (packed) {
    delete *static_cast<NodeState**>(packed);
    *static_cast<NodeState**>(packed) = nullptr;
  }
}
size_t packed_bytes_thunk(const void*) { return k::kAlignment; }
std::shared_ptr<Device> installed_device() {
  auto dev = current_device();
  if (!dev) throw Error("OpenCL: no device installed (slimrt::opencl::install)");
  return dev;
}

Entry make_entry(Op op, Precision p, const char* variant) {
  Entry e;
  e.kernel.name = std::string(k::to_string(op)) + "/" + k::to_string(p) + "/" + variant;
  e.kernel.op = op;
  e.kernel.precision = p;
  e.kernel.isa = k::Isa::kOpenCL;
  e.kernel.priority = 0;
  e.kernel.packed_bytes = &packed_bytes_thunk;
  e.kernel.release = &release_thunk;
  return e;
}

#define SLIMRT_OPENCL_FAMILY(file) SLIMRT_REGISTER_OPENCL_OPS(file);
#include "opencl_families.inc"
#undef SLIMRT_OPENCL_FAMILY

const std::vector<Entry>& opencl_kernels() {
  static const std::vector<Entry> table = [] {
    std::vector<Entry> t;
#define SLIMRT_OPENCL_FAMILY(file) register_opencl_##file(t);
#include "opencl_families.inc"
#undef SLIMRT_OPENCL_FAMILY
    return t;
  }();
  return table;
}

}  // namespace slimrt::opencl
