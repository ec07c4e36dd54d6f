// The OpenCL variants of the kernel registry ("Op/precision/opencl"): per op, a build
// function (device buffers, weight repacking and upload, kernel arguments, tuned
// work-group size — all at load), an io function (the op's host pointers for the
// per-run transfers) and a why-not function (shapes or device features this variant
// cannot handle, as a sentence for the fallback log line).
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <map>

#include "kernels/detail.h"
#include "node_state.h"
#include "opencl_registry.h"

namespace slimrt::opencl {
namespace k = slimrt::kernels;
using k::Activation;
using k::Op;
using k::Precision;

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

namespace {

// ---- helpers -----------------------------------------------------------------------------
template <class T> constexpr const char* suffix();
template <> constexpr const char* suffix<float>() { return "f32"; }
template <> constexpr const char* suffix<int8_t>() { return "i8"; }
template <> constexpr const char* suffix<int16_t>() { return "i16"; }
template <class T> constexpr bool kFloat = std::is_same_v<T, float>;

std::string kname(const char* base, const char* sfx) { return std::string(base) + "_" + sfx; }

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

// Epilogue parameters for the uniform argument lists.
struct Epi {
  float flo = -INFINITY, fhi = INFINITY;
  int shift = 0;
  cl_long llo = 0, lhi = 0;
};
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

std::vector<size_t> candidates(const Device& d, cl_kernel kern) {
  const size_t mx = std::min(d.max_local_size(kern), d.info().max_work_group);
  std::vector<size_t> c;
  for (size_t v : {16, 32, 64, 128, 256})
    if (v <= mx) c.push_back(v);
  if (c.empty()) c.push_back(1);
  return c;
}
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

// ---- dense ------------------------------------------------------------------------------
template <class T>
std::string why_dense(const k::DenseArgs<T>& a) {
  if (std::is_same_v<T, int8_t> && a.s.in >= (1 << 17))
    return "int8 dot products over 2^17 or more inputs need 64-bit accumulators (this kernel sums in int32)";
  return "";
}
template <class T>
void build_dense(const k::DenseArgs<T>& a, NodeState& st, bool f16) {
  const k::DenseShape& s = a.s;
  cl_mem x = st.input(size_t(s.batch) * s.in * sizeof(T));
  cl_mem w;
  if (f16) {
    std::vector<uint16_t> h(size_t(s.out) * s.in);
    for (size_t i = 0; i < h.size(); ++i) h[i] = to_half(reinterpret_cast<const float*>(a.w)[i]);
    w = st.constant(h.size() * 2, h.data());
  } else {
    w = st.constant(size_t(s.out) * s.in * sizeof(T), a.w);
  }
  cl_mem fb = st.dummy(), ib = st.dummy();
  if (a.bias) (kFloat<T> ? fb : ib) = st.constant(size_t(s.out) * 4, a.bias);
  cl_mem y = st.output(size_t(s.batch) * s.out * sizeof(T));
  const Epi e = kFloat<T> ? float_epi(a.act, a.act_min, a.act_max)
                          : fixed_epi(a.q.fl_x + a.q.fl_w, a.q, a.act, a.act_min, a.act_max);
  const std::string name = f16 ? "dense_f16" : kname("dense", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, w, fb, ib, st.dummy(), y, s.in, s.out, 0, a.bias ? 1 : 0, 0, e.shift, e.flo, e.fhi, e.llo, e.lhi);
  l.dims = 2;
  l.global[1] = size_t(s.batch);
  tune(st, l, name, size_t(s.out));
}
template <class T> void build_dense_plain(const k::DenseArgs<T>& a, NodeState& st) { build_dense(a, st, false); }
void build_dense_f16(const k::DenseArgs<float>& a, NodeState& st) { build_dense(a, st, true); }
template <class T>
void io_dense(const k::DenseArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

template <class T>
std::string why_dense_bc(const k::DenseBcArgs<T>&) { return ""; }
template <class T>
void build_dense_bc(const k::DenseBcArgs<T>& a, NodeState& st) {
  const k::DenseShape& s = a.s;
  const int words = int(bits::words_for(size_t(s.in)));
  cl_mem x = st.input(size_t(s.batch) * s.in * sizeof(T));
  cl_mem w = st.constant(size_t(s.out) * words * 8, a.w);
  cl_mem fb = st.dummy(), ib = st.dummy(), sc = st.dummy();
  if (a.bias) (kFloat<T> ? fb : ib) = st.constant(size_t(s.out) * 4, a.bias);
  if (kFloat<T> && a.scale) sc = st.constant(size_t(s.out) * 4, a.scale);
  cl_mem y = st.output(size_t(s.batch) * s.out * sizeof(T));
  const Epi e = kFloat<T> ? float_epi(a.act, a.act_min, a.act_max) : fixed_epi(a.q.fl_x, a.q, a.act, a.act_min, a.act_max);
  const std::string name = kname("dense_bc", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, w, fb, ib, sc, y, s.in, s.out, words, a.bias ? 1 : 0, (kFloat<T> && a.scale) ? 1 : 0, e.shift,
           e.flo, e.fhi, e.llo, e.lhi);
  l.dims = 2;
  l.global[1] = size_t(s.batch);
  tune(st, l, name, size_t(s.out));
}
template <class T>
void io_dense_bc(const k::DenseBcArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

std::string why_dense_bnn(const k::DenseBnnArgs&) { return ""; }
void build_dense_bnn(const k::DenseBnnArgs& a, NodeState& st) {
  const k::DenseShape& s = a.s;
  const int iw = a.in_words > 0 ? a.in_words : int(bits::words_for(size_t(s.in)));
  cl_mem x = st.input(size_t(s.batch) * iw * 8);
  cl_mem w = st.constant(size_t(s.out) * iw * 8, a.w);
  const k::BnnOut& o = a.out;
  if (o.kind == k::BnnOutput::kBits) {
    const auto th = int_thresholds(o.thresholds, s.out);
    cl_mem t = st.constant(th.size() * 4, th.data());
    const int ow = int(bits::words_for(size_t(s.out)));
    cl_mem y = st.output(size_t(s.batch) * ow * 8);
    Launch& l = st.launch("dense_bnn_bits");
    set_args(l.kernel, x, w, t, y, s.in, s.out, iw);
    l.dims = 2;
    l.global[0] = size_t(ow);
    l.global[1] = size_t(s.batch);
  } else if (o.kind == k::BnnOutput::kInt32) {
    cl_mem y = st.output(size_t(s.batch) * s.out * 4);
    Launch& l = st.launch("dense_bnn_i32");
    set_args(l.kernel, x, w, y, s.in, s.out, iw);
    l.dims = 2;
    l.global[0] = size_t(s.out);
    l.global[1] = size_t(s.batch);
  } else {
    cl_mem sc = o.scale ? st.constant(size_t(s.out) * 4, o.scale) : st.dummy();
    cl_mem bi = o.bias ? st.constant(size_t(s.out) * 4, o.bias) : st.dummy();
    cl_mem y = st.output(size_t(s.batch) * s.out * 4);
    Launch& l = st.launch("dense_bnn_f32");
    set_args(l.kernel, x, w, sc, bi, y, s.in, s.out, iw, o.scale ? 1 : 0, o.bias ? 1 : 0);
    l.dims = 2;
    l.global[0] = size_t(s.out);
    l.global[1] = size_t(s.batch);
  }
}
void io_dense_bnn(const k::DenseBnnArgs& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.out.kind == k::BnnOutput::kBits ? static_cast<void*>(a.out.y_bits)
                   : a.out.kind == k::BnnOutput::kInt32 ? static_cast<void*>(a.out.y_i32)
                                                        : static_cast<void*>(a.out.y_f32);
}

// ---- conv ---------------------------------------------------------------------------------
constexpr size_t kLocalBudget = 16384;  // bytes of __local weights per work-group (≤ half of any device's)

size_t local_budget(const Device& d) { return std::min(kLocalBudget, d.info().local_mem_bytes / 2); }

template <class T>
bool is_tiled(const k::ConvShape& s) { return s.groups == 1; }

template <class T>
std::string why_conv(const k::ConvArgs<T>& a) {
  const k::ConvShape& s = a.s;
  if (std::is_same_v<T, int8_t> && int64_t(s.in_c / s.groups) * s.kernel_h * s.kernel_w >= (1 << 17))
    return "int8 sums over 2^17 or more taps need 64-bit accumulators (this kernel sums in int32)";
  const auto dev = current_device();
  if (dev && s.groups == 1 && size_t(s.kernel_h) * s.kernel_w * 4 * sizeof(T) > local_budget(*dev))
    return "one input channel's 4-filter weight tile (" + std::to_string(size_t(s.kernel_h) * s.kernel_w * 4 * sizeof(T)) +
           " bytes) exceeds the device's local memory budget";
  return "";
}

// Shared by every conv variant: the uniform argument list.
void set_conv_args(Launch& l, cl_mem x, cl_mem w, cl_mem fb, cl_mem ib, cl_mem sc, cl_mem y, size_t local_bytes,
                   const k::ConvShape& s, int ct_or_groups, int in_words, bool has_bias, bool has_scale, const Epi& e) {
  set_args(l.kernel, x, w, fb, ib, sc, y, LocalBytes{std::max<size_t>(local_bytes, 16)}, s.in_c, s.in_h, s.in_w,
           s.out_c, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.pad_top, s.pad_left, s.dilation_h, s.dilation_w,
           s.out_h(), s.out_w(), ct_or_groups, in_words, has_bias ? 1 : 0, has_scale ? 1 : 0, e.shift, e.flo, e.fhi,
           e.llo, e.lhi);
}

// Weights [out][in_c][kh][kw] → [ceil(out/4)][in_c][kh][kw][4] (missing channels 0).
template <class W, class F>
std::vector<W> tile4(const k::ConvShape& s, F&& weight) {
  const int blocks = (s.out_c + 3) / 4, taps = s.kernel_h * s.kernel_w;
  std::vector<W> v(size_t(blocks) * s.in_c * taps * 4, W(0));
  for (int o = 0; o < s.out_c; ++o)
    for (int c = 0; c < s.in_c; ++c)
      for (int t = 0; t < taps; ++t)
        v[((size_t(o / 4) * s.in_c + c) * taps + t) * 4 + o % 4] = weight((size_t(o) * s.in_c + c) * taps + t);
  return v;
}

void conv_launch_dims(NodeState& st, Launch& l, const k::ConvShape& s, size_t dim1, const std::string& name) {
  l.dims = 3;
  l.global[1] = dim1;
  l.global[2] = size_t(s.batch);
  tune(st, l, name, size_t(s.out_h()) * s.out_w());
}

// Tiled (weights staged in __local, DeepMon) or direct (weights from global memory)?
// Both launches are built; the faster one on this device and shape class is kept — timed
// once and cached with the work-group sizes, or by device type when tuning is off
// (GPU: tiled, CPU: direct).
void keep_faster(NodeState& st, const std::string& key, size_t npix) {
  Device& d = *st.dev;
  const size_t n = st.launches.size();  // the last two: [tiled, direct]
  size_t choice = d.info().gpu ? 1 : 2;
  if (d.options().conv == "tiled") choice = 1;
  else if (d.options().conv == "direct") choice = 2;
  else if (d.options().tune) {
    auto enqueue = [&](size_t c) {
      const Launch& l = st.launches[n - 3 + c];
      check(clEnqueueNDRangeKernel(d.queue(), l.kernel, l.dims, nullptr, l.global, l.has_local ? l.local : nullptr, 0,
                                   nullptr, nullptr),
            "clEnqueueNDRangeKernel");
    };
    choice = d.tuned_local_size(key + "/n" + std::to_string(log2_bucket(npix)), {1, 2}, enqueue);
  }
  const size_t drop = n - 3 + (choice == 1 ? 2 : 1);
  clReleaseKernel(st.launches[drop].kernel);
  st.launches.erase(st.launches.begin() + long(drop));
}

template <class T>
void build_conv(const k::ConvArgs<T>& a, NodeState& st, bool f16) {
  const k::ConvShape& s = a.s;
  const size_t npix = size_t(s.out_h()) * s.out_w(), taps = size_t(s.kernel_h) * s.kernel_w;
  cl_mem x = st.input(size_t(s.batch) * s.in_c * s.in_h * s.in_w * sizeof(T));
  cl_mem fb = st.dummy(), ib = st.dummy();
  if (a.bias) (kFloat<T> ? fb : ib) = st.constant(size_t(s.out_c) * 4, a.bias);
  cl_mem y = st.output(size_t(s.batch) * s.out_c * npix * sizeof(T));
  const Epi e = kFloat<T> ? float_epi(a.act, a.act_min, a.act_max)
                          : fixed_epi(a.q.fl_x + a.q.fl_w, a.q, a.act, a.act_min, a.act_max);
  const char* sfx = f16 ? "f16" : suffix<T>();
  const size_t wcount = size_t(s.out_c) * (s.in_c / s.groups) * taps;
  if (s.groups == 1) {
    cl_mem w;
    if (f16) {
      auto v = tile4<uint16_t>(s, [&](size_t i) { return to_half(reinterpret_cast<const float*>(a.w)[i]); });
      w = st.constant(v.size() * 2, v.data());
    } else {
      auto v = tile4<T>(s, [&](size_t i) { return a.w[i]; });
      w = st.constant(v.size() * sizeof(T), v.data());
    }
    const size_t lelem = kFloat<T> ? 4 : sizeof(T);  // local tiles are float for f32 and f16
    const int ct = int(std::max<size_t>(1, std::min<size_t>(size_t(s.in_c), local_budget(*st.dev) / (taps * 4 * lelem))));
    const std::string name = kname("conv_tiled", sfx);
    Launch& l = st.launch(name.c_str());
    set_conv_args(l, x, w, fb, ib, st.dummy(), y, size_t(ct) * taps * 4 * lelem, s, ct, 0, a.bias, false, e);
    conv_launch_dims(st, l, s, size_t((s.out_c + 3) / 4), name);
    const std::string direct = kname("conv_direct", sfx);
    Launch& l2 = st.launch(direct.c_str());
    set_conv_args(l2, x, w, fb, ib, st.dummy(), y, 16, s, ct, 0, a.bias, false, e);
    conv_launch_dims(st, l2, s, size_t((s.out_c + 3) / 4), direct);
    keep_faster(st, kname("conv_variant", sfx), npix);
  } else {
    cl_mem w;
    if (f16) {
      std::vector<uint16_t> h(wcount);
      for (size_t i = 0; i < wcount; ++i) h[i] = to_half(reinterpret_cast<const float*>(a.w)[i]);
      w = st.constant(h.size() * 2, h.data());
    } else {
      w = st.constant(wcount * sizeof(T), a.w);
    }
    const std::string name = kname("conv_grouped", sfx);
    Launch& l = st.launch(name.c_str());
    set_conv_args(l, x, w, fb, ib, st.dummy(), y, 0, s, s.groups, 0, a.bias, false, e);
    conv_launch_dims(st, l, s, size_t(s.out_c), name);
  }
}
template <class T> void build_conv_plain(const k::ConvArgs<T>& a, NodeState& st) { build_conv(a, st, false); }
void build_conv_f16(const k::ConvArgs<float>& a, NodeState& st) { build_conv(a, st, true); }
template <class T>
void io_conv(const k::ConvArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

template <class T>
std::string why_conv_bc(const k::ConvBcArgs<T>& a) { return ""; }
template <class T>
void build_conv_bc(const k::ConvBcArgs<T>& a, NodeState& st) {
  const k::ConvShape& s = a.s;
  const size_t npix = size_t(s.out_h()) * s.out_w(), taps = size_t(s.kernel_h) * s.kernel_w;
  const size_t row = size_t(s.in_c / s.groups) * taps;
  const int words = int(bits::words_for(row));
  cl_mem x = st.input(size_t(s.batch) * s.in_c * s.in_h * s.in_w * sizeof(T));
  cl_mem fb = st.dummy(), ib = st.dummy(), sc = st.dummy();
  if (a.bias) (kFloat<T> ? fb : ib) = st.constant(size_t(s.out_c) * 4, a.bias);
  const bool has_scale = kFloat<T> && a.scale;
  if (has_scale) sc = st.constant(size_t(s.out_c) * 4, a.scale);
  cl_mem y = st.output(size_t(s.batch) * s.out_c * npix * sizeof(T));
  const Epi e = kFloat<T> ? float_epi(a.act, a.act_min, a.act_max) : fixed_epi(a.q.fl_x, a.q, a.act, a.act_min, a.act_max);
  if (s.groups == 1) {
    // One byte per tap: bit j = sign bit of output channel 4·block + j.
    const int blocks = (s.out_c + 3) / 4;
    std::vector<uint8_t> m(size_t(blocks) * s.in_c * taps, 0);
    for (int o = 0; o < s.out_c; ++o)
      for (size_t kk = 0; kk < row; ++kk)
        if ((a.w[size_t(o) * words + kk / 64] >> (kk % 64)) & 1u) m[size_t(o / 4) * row + kk] |= uint8_t(1u << (o % 4));
    cl_mem w = st.constant(m.size(), m.data());
    const int ct = int(std::max<size_t>(1, std::min<size_t>(size_t(s.in_c), local_budget(*st.dev) / taps)));
    const std::string name = kname("conv_tiled_bc", suffix<T>());
    Launch& l = st.launch(name.c_str());
    set_conv_args(l, x, w, fb, ib, sc, y, size_t(ct) * taps, s, ct, words, a.bias, has_scale, e);
    conv_launch_dims(st, l, s, size_t(blocks), name);
    const std::string direct = kname("conv_direct_bc", suffix<T>());
    Launch& l2 = st.launch(direct.c_str());
    set_conv_args(l2, x, w, fb, ib, sc, y, 16, s, ct, words, a.bias, has_scale, e);
    conv_launch_dims(st, l2, s, size_t(blocks), direct);
    keep_faster(st, kname("conv_variant_bc", suffix<T>()), npix);
  } else {
    cl_mem w = st.constant(size_t(s.out_c) * words * 8, a.w);
    const std::string name = kname("conv_grouped_bc", suffix<T>());
    Launch& l = st.launch(name.c_str());
    set_conv_args(l, x, w, fb, ib, sc, y, 0, s, s.groups, words, a.bias, has_scale, e);
    conv_launch_dims(st, l, s, size_t(s.out_c), name);
  }
}
template <class T>
void io_conv_bc(const k::ConvBcArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

std::string why_conv_bnn(const k::ConvBnnArgs& a) {
  return a.s.groups == 1 ? "" : "BNN convolution with groups > 1 has no OpenCL kernel";
}
void build_conv_bnn(const k::ConvBnnArgs& a, NodeState& st) {
  const k::ConvShape& s = a.s;
  const size_t npix = size_t(s.out_h()) * s.out_w();
  const size_t cw = bits::words_for(size_t(s.in_c)), ow = bits::words_for(size_t(s.out_c));
  cl_mem x = st.input(size_t(s.batch) * s.in_h * s.in_w * cw * 8);
  cl_mem w = st.constant(size_t(s.out_c) * s.kernel_h * s.kernel_w * cw * 8, a.w);
  const k::BnnOut& o = a.out;
  cl_mem th = st.dummy(), sc = st.dummy(), bi = st.dummy();
  if (o.kind == k::BnnOutput::kBits) {
    const auto t = int_thresholds(o.thresholds, s.out_c);
    th = st.constant(t.size() * 4, t.data());
  }
  if (o.kind == k::BnnOutput::kFloat && o.scale) sc = st.constant(size_t(s.out_c) * 4, o.scale);
  if (o.kind == k::BnnOutput::kFloat && o.bias) bi = st.constant(size_t(s.out_c) * 4, o.bias);
  const char* name = o.kind == k::BnnOutput::kBits ? "conv_bnn_bits" : o.kind == k::BnnOutput::kInt32 ? "conv_bnn_i32" : "conv_bnn_f32";
  cl_mem y = st.output(o.kind == k::BnnOutput::kBits ? size_t(s.batch) * npix * ow * 8 : size_t(s.batch) * s.out_c * npix * 4);
  Launch& l = st.launch(name);
  set_args(l.kernel, x, w, th, sc, bi, s.in_c, s.in_h, s.in_w, s.out_c, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w,
           s.pad_top, s.pad_left, s.dilation_h, s.dilation_w, s.out_h(), s.out_w(), o.scale ? 1 : 0, o.bias ? 1 : 0, y);
  l.dims = 3;
  l.global[0] = npix;
  l.global[1] = o.kind == k::BnnOutput::kBits ? ow : size_t(s.out_c);
  l.global[2] = size_t(s.batch);
}
void io_conv_bnn(const k::ConvBnnArgs& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.out.kind == k::BnnOutput::kBits ? static_cast<void*>(a.out.y_bits)
                   : a.out.kind == k::BnnOutput::kInt32 ? static_cast<void*>(a.out.y_i32)
                                                        : static_cast<void*>(a.out.y_f32);
}

// ---- pooling and reductions -------------------------------------------------------------------
int bits_of(int64_t v) {
  int b = 0;
  while (b < 63 && (int64_t(1) << b) <= v) ++b;
  return b;
}
// fx_mean's int64 terms: 2·(sum·2^k) + n (k ≥ 0) or 2·(n·2^−k) (k < 0).
std::string why_mean(int64_t max_abs_sum, int64_t n, int k) {
  const int need = k >= 0 ? bits_of(max_abs_sum) + k + 2 : bits_of(n) - k + 2;
  if (need > 62) return "the fixed-point mean's exact rounding would overflow 64 bits (fl_y − fl_x = " + std::to_string(k) + ")";
  return "";
}

template <class T>
std::string why_pool_max(const k::PoolArgs<T>&) { return ""; }
template <class T>
std::string why_pool_avg(const k::PoolArgs<T>& a) {
  if (kFloat<T>) return "";
  const int64_t window = int64_t(a.s.kernel_h) * a.s.kernel_w;
  return why_mean(window << (sizeof(T) * 8 - 1), window, a.q.fl_y - a.q.fl_x);
}
template <class T, bool Avg>
void build_pool(const k::PoolArgs<T>& a, NodeState& st) {
  const k::PoolShape& s = a.s;
  cl_mem x = st.input(size_t(s.batch) * s.channels * s.in_h * s.in_w * sizeof(T));
  cl_mem y = st.output(size_t(s.batch) * s.channels * s.out_h * s.out_w * sizeof(T));
  const std::string name = kname(Avg ? "avg_pool" : "max_pool", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, s.channels, s.in_h, s.in_w, s.out_h, s.out_w, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w,
           s.pad_top, s.pad_left, s.pad_bottom, s.pad_right, s.count_include_pad ? 1 : 0, a.q.fl_y - a.q.fl_x, a.q.wl_y);
  l.dims = 3;
  l.global[0] = size_t(s.out_h) * s.out_w;
  l.global[1] = size_t(s.channels);
  l.global[2] = size_t(s.batch);
}
template <class T> void build_max_pool(const k::PoolArgs<T>& a, NodeState& st) { build_pool<T, false>(a, st); }
template <class T> void build_avg_pool(const k::PoolArgs<T>& a, NodeState& st) { build_pool<T, true>(a, st); }
template <class T>
void io_pool(const k::PoolArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

std::string why_pool_bits(const k::PoolBitsArgs&) { return ""; }
void build_pool_bits(const k::PoolBitsArgs& a, NodeState& st) {
  const k::PoolShape& s = a.s;
  const size_t cw = bits::words_for(size_t(s.channels));
  cl_mem x = st.input(size_t(s.batch) * s.in_h * s.in_w * cw * 8);
  cl_mem y = st.output(size_t(s.batch) * s.out_h * s.out_w * cw * 8);
  Launch& l = st.launch("max_pool_bits");
  set_args(l.kernel, x, y, s.channels, s.in_h, s.in_w, s.out_h, s.out_w, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w,
           s.pad_top, s.pad_left, s.pad_bottom, s.pad_right, 0, 0, 0);
  l.dims = 3;
  l.global[0] = size_t(s.out_h) * s.out_w;
  l.global[1] = cw;
  l.global[2] = size_t(s.batch);
}
void io_pool_bits(const k::PoolBitsArgs& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

template <class T, bool OverInner>
std::string why_reduce(const k::ReduceMeanArgs<T>& a) {
  if (kFloat<T>) return "";
  const int64_t n = OverInner ? a.inner : a.outer;
  return why_mean(n << (sizeof(T) * 8 - 1), n, a.q.fl_y - a.q.fl_x);
}
template <class T, bool OverInner>
void build_reduce(const k::ReduceMeanArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.batch) * a.outer * a.inner * sizeof(T));
  const int n_out = OverInner ? a.outer : a.inner;
  cl_mem y = st.output(size_t(a.batch) * n_out * sizeof(T));
  const std::string name = kname("reduce_mean", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, a.outer, a.inner, OverInner ? 1 : 0, a.q.fl_y - a.q.fl_x, a.q.wl_y);
  l.dims = 2;
  l.global[0] = size_t(n_out);
  l.global[1] = size_t(a.batch);
}
template <class T>
void io_reduce(const k::ReduceMeanArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

// ---- recurrent ------------------------------------------------------------------------------
template <class T>
std::string why_rnn(const k::RnnArgs<T>&) {
  if (kFloat<T>) return "";
  const auto dev = current_device();
  if (dev && !dev->info().fp64)
    return "fixed-point GRU/LSTM gates evaluate sigmoid/tanh in double and the device lacks cl_khr_fp64";
  return "";
}
template <class T, bool Lstm>
void build_rnn(const k::RnnArgs<T>& a, NodeState& st) {
  const int G = Lstm ? 4 : 3, H = a.hidden, F = a.input;
  cl_mem x = st.input(size_t(a.batch) * a.steps * F * sizeof(T));
  cl_mem wih = st.constant(size_t(G) * H * F * sizeof(T), a.w_ih);
  cl_mem whh = st.constant(size_t(G) * H * H * sizeof(T), a.w_hh);
  cl_mem bih = a.b_ih ? st.constant(size_t(G) * H * 4, a.b_ih) : st.dummy();
  cl_mem bhh = a.b_hh ? st.constant(size_t(G) * H * 4, a.b_hh) : st.dummy();
  cl_mem h0 = a.h0 ? st.constant(size_t(a.batch) * H * sizeof(T), a.h0) : st.dummy();
  cl_mem c0 = a.c0 ? st.constant(size_t(a.batch) * H * sizeof(T), a.c0) : st.dummy();
  cl_mem y = st.output(size_t(a.batch) * a.steps * H * sizeof(T));
  cl_mem cs = st.scratch(size_t(a.batch) * H * 4);
  const std::string name = kname(Lstm ? "lstm" : "gru", suffix<T>());
  Launch& l = st.launch(name.c_str());
  const auto& q = a.q;
  set_args(l.kernel, x, wih, whh, bih, bhh, h0, c0, y, cs, a.steps, F, H, a.b_ih ? 1 : 0, a.b_hh ? 1 : 0, a.h0 ? 1 : 0,
           a.c0 ? 1 : 0, q.fl_x, q.fl_w_ih, q.fl_w_hh, q.fl_h, q.wl_h, q.fl_c, q.wl_c, q.fl_gate, q.wl_gate, q.fl_pre,
           q.wl_pre);
  // One work-group per sequence; its size covers the hidden units (or loops over them).
  size_t local = 1;
  const size_t mx = std::min<size_t>(st.dev->max_local_size(l.kernel), 256);
  while (local < size_t(H) && local * 2 <= mx) local *= 2;
  l.dims = 1;
  l.has_local = true;
  l.local[0] = local;
  l.global[0] = local * size_t(a.batch);
}
template <class T> void build_gru(const k::RnnArgs<T>& a, NodeState& st) { build_rnn<T, false>(a, st); }
template <class T> void build_lstm(const k::RnnArgs<T>& a, NodeState& st) { build_rnn<T, true>(a, st); }
template <class T>
void io_rnn(const k::RnnArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

// ---- element-wise -------------------------------------------------------------------------------
template <class T>
std::string why_act(const k::ActivationArgs<T>&) { return ""; }
template <class T, Op O>
void build_act(const k::ActivationArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * sizeof(T));
  cl_mem y = st.output(size_t(a.count) * sizeof(T));
  const bool sign = O == Op::kSign;
  const std::string name = kname(sign ? "sign" : "clamp", suffix<T>());
  Launch& l = st.launch(name.c_str());
  if constexpr (kFloat<T>) {
    float lo = 0, hi = INFINITY;
    if (O == Op::kRelu6) hi = 6;
    if (O == Op::kHardTanh) { lo = a.min_value; hi = a.max_value; }
    if (sign) { lo = -1; hi = 1; }
    set_args(l.kernel, x, y, cl_long(a.count), lo, hi);
  } else {
    cl_long lo = 0, hi = std::numeric_limits<T>::max();
    if (O == Op::kRelu6) hi = fixed::quantize(6.0, a.q.wl_y, a.q.fl_y);
    if (O == Op::kHardTanh) {
      lo = fixed::quantize(a.min_value, a.q.wl_y, a.q.fl_y);
      hi = fixed::quantize(a.max_value, a.q.wl_y, a.q.fl_y);
    }
    if (sign) {
      lo = fixed::quantize(-1.0, a.q.wl_y, a.q.fl_y);
      hi = fixed::quantize(1.0, a.q.wl_y, a.q.fl_y);
    }
    set_args(l.kernel, x, y, cl_long(a.count), lo, hi);
  }
  l.global[0] = size_t(std::max<int64_t>(a.count, 1));
}
template <class T>
void io_act(const k::ActivationArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

template <class T>
std::string why_add(const k::AddArgs<T>&) { return ""; }
template <class T>
void build_add(const k::AddArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * sizeof(T));
  cl_mem x2 = st.input(size_t(a.count) * sizeof(T));
  cl_mem y = st.output(size_t(a.count) * sizeof(T));
  const std::string name = kname("add", suffix<T>());
  Launch& l = st.launch(name.c_str());
  Epi e;
  int s1 = 0, s2 = 0;
  if constexpr (kFloat<T>) {
    e = float_epi(a.act, a.act_min, a.act_max);
  } else {
    const int f = std::max(a.q.fl_x, a.q.fl_x2);
    e = fixed_epi(f, a.q, a.act, a.act_min, a.act_max);
    s1 = f - a.q.fl_x;
    s2 = f - a.q.fl_x2;
  }
  set_args(l.kernel, x, x2, y, cl_long(a.count), e.flo, e.fhi, s1, s2, e.shift, e.llo, e.lhi);
  l.global[0] = size_t(std::max<int64_t>(a.count, 1));
}
template <class T>
void io_add(const k::AddArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.in_host[1] = a.x2;
  st.out_host[0] = a.y;
}

template <class T>
std::string why_softmax(const k::SoftmaxArgsT<T>&) {
  if (kFloat<T>) return "";
  const auto dev = current_device();
  if (dev && !dev->info().fp64) return "fixed-point softmax evaluates exp in double and the device lacks cl_khr_fp64";
  return "";
}
template <class T>
void build_softmax(const k::SoftmaxArgsT<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.rows) * a.cols * sizeof(T));
  cl_mem y = st.output(size_t(a.rows) * a.cols * sizeof(T));
  const std::string name = kname("softmax", suffix<T>());
  Launch& l = st.launch(name.c_str());
  if (kFloat<T>) set_args(l.kernel, x, y, a.rows, a.cols);
  else set_args(l.kernel, x, y, a.rows, a.cols, a.q.fl_x, a.q.wl_y, a.q.fl_y);
  l.global[0] = size_t(std::max(a.rows, 1));
}
template <class T>
void io_softmax(const k::SoftmaxArgsT<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

// ---- conversions ------------------------------------------------------------------------------------
template <class T>
std::string why_quantize(const k::QuantizeArgs<T>&) { return ""; }
template <class T>
void build_quantize(const k::QuantizeArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * 4);
  cl_mem y = st.output(size_t(a.count) * sizeof(T));
  const std::string name = kname("quantize", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, cl_long(a.count), a.q.wl_y, a.q.fl_y);
  l.global[0] = size_t(std::max<int64_t>(a.count, 1));
}
template <class T>
void io_quantize(const k::QuantizeArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}
template <class T>
std::string why_dequantize(const k::DequantizeArgs<T>&) { return ""; }
template <class T>
void build_dequantize(const k::DequantizeArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * sizeof(T));
  cl_mem y = st.output(size_t(a.count) * 4);
  const std::string name = kname("dequantize", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, cl_long(a.count), float(std::ldexp(1.0, -a.q.fl_x)));
  l.global[0] = size_t(std::max<int64_t>(a.count, 1));
}
template <class T>
void io_dequantize(const k::DequantizeArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}
std::string why_requantize(const k::RequantizeArgs& a) {
  return (a.x_bits == 8 || a.x_bits == 16) && (a.y_bits == 8 || a.y_bits == 16) ? "" : "storage other than int8/int16";
}
void build_requantize(const k::RequantizeArgs& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * size_t(a.x_bits / 8));
  cl_mem y = st.output(size_t(a.count) * size_t(a.y_bits / 8));
  const std::string name = "requantize_i" + std::to_string(a.x_bits) + "_i" + std::to_string(a.y_bits);
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, cl_long(a.count), a.q.fl_x, a.q.wl_y, a.q.fl_y);
  l.global[0] = size_t(std::max<int64_t>(a.count, 1));
}
void io_requantize(const k::RequantizeArgs& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}
template <class T>
std::string why_pack(const k::PackBitsArgs<T>&) { return ""; }
template <class T>
void build_pack(const k::PackBitsArgs<T>& a, NodeState& st) {
  const size_t cw = bits::words_for(size_t(a.channels));
  cl_mem x = st.input(size_t(a.batch) * a.channels * a.spatial * sizeof(T));
  cl_mem y = st.output(size_t(a.batch) * a.spatial * cw * 8);
  const std::string name = kname("pack_bits", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, a.channels, a.spatial);
  l.dims = 3;
  l.global[0] = size_t(a.spatial);
  l.global[1] = cw;
  l.global[2] = size_t(a.batch);
}
template <class T>
void io_pack(const k::PackBitsArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}
std::string why_unpack(const k::UnpackBitsArgs&) { return ""; }
void build_unpack(const k::UnpackBitsArgs& a, NodeState& st) {
  const size_t cw = bits::words_for(size_t(a.channels));
  cl_mem x = st.input(size_t(a.batch) * a.spatial * cw * 8);
  cl_mem y = st.output(size_t(a.batch) * a.channels * a.spatial * 4);
  Launch& l = st.launch("unpack_bits");
  set_args(l.kernel, x, y, a.channels, a.spatial);
  l.dims = 3;
  l.global[0] = size_t(a.spatial);
  l.global[1] = size_t(a.channels);
  l.global[2] = size_t(a.batch);
}
void io_unpack(const k::UnpackBitsArgs& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

// ---- data movement ----------------------------------------------------------------------------------
void copy_launch(NodeState& st, cl_mem x, cl_mem y, int64_t rows, int64_t cols, int64_t xs, int64_t xo, int64_t ys,
                 int64_t yo, int unit) {
  Launch& l = st.launch("copy_rows");
  set_args(l.kernel, x, y, cl_long(rows), cl_long(cols), cl_long(xs), cl_long(xo), cl_long(ys), cl_long(yo), unit);
  l.dims = 2;
  l.global[0] = size_t(std::max<int64_t>(cols, 1));
  l.global[1] = size_t(std::max<int64_t>(rows, 1));
}
std::string why_concat(const k::ConcatArgs&) { return ""; }
void build_concat(const k::ConcatArgs& a, NodeState& st) {
  int64_t total = 0;
  for (int i = 0; i < a.inputs; ++i) total += a.inner[i];
  std::vector<cl_mem> xs;
  for (int i = 0; i < a.inputs; ++i) xs.push_back(st.input(size_t(a.outer * a.inner[i]) * a.elem_bytes));
  cl_mem y = st.output(size_t(a.outer * total) * a.elem_bytes);
  int64_t at = 0;
  for (int i = 0; i < a.inputs; ++i) {
    copy_launch(st, xs[size_t(i)], y, a.outer, a.inner[i], a.inner[i], 0, total, at, a.elem_bytes);
    at += a.inner[i];
  }
}
void io_concat(const k::ConcatArgs& a, NodeState& st) {
  for (int i = 0; i < a.inputs; ++i) st.in_host[size_t(i)] = a.x[i];
  st.out_host[0] = a.y;
}
std::string why_slice(const k::SliceArgs&) { return ""; }
void build_slice(const k::SliceArgs& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.outer * a.axis * a.inner) * a.elem_bytes);
  const int64_t cols = (a.end - a.begin) * a.inner;
  cl_mem y = st.output(size_t(a.outer * cols) * a.elem_bytes);
  copy_launch(st, x, y, a.outer, cols, a.axis * a.inner, a.begin * a.inner, cols, 0, a.elem_bytes);
}
void io_slice(const k::SliceArgs& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}
std::string why_transpose(const k::TransposeArgs& a) { return a.rank <= 6 ? "" : "more than 6 axes"; }
void build_transpose(const k::TransposeArgs& a, NodeState& st) {
  int64_t stride[6] = {}, count = 1;
  for (int i = a.rank - 1, s = 1; i >= 0; --i) {
    stride[i] = s;
    s *= int(a.shape[i]);
  }
  cl_long d[6] = {1, 1, 1, 1, 1, 1}, sd[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < a.rank; ++i) {
    d[6 - a.rank + i] = a.shape[a.perm[i]];
    sd[6 - a.rank + i] = stride[a.perm[i]];
    count *= a.shape[i];
  }
  cl_mem x = st.input(size_t(count) * a.elem_bytes);
  cl_mem y = st.output(size_t(count) * a.elem_bytes);
  Launch& l = st.launch("transpose_gather");
  set_args(l.kernel, x, y, cl_long(count), a.elem_bytes, d[0], d[1], d[2], d[3], d[4], d[5], sd[0], sd[1], sd[2], sd[3],
           sd[4], sd[5]);
  l.global[0] = size_t(std::max<int64_t>(count, 1));
}
void io_transpose(const k::TransposeArgs& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = a.y;
}

// ---- registry thunks -------------------------------------------------------------------------------------
NodeState* state_of(const void* packed) { return *static_cast<NodeState* const*>(packed); }

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
  st->dev = current_device();
  if (!st->dev) throw Error("OpenCL: no device installed (slimrt::opencl::install)");
  Build(*static_cast<const A*>(args), *st);
  *static_cast<NodeState**>(dst) = st.release();
}
void release_thunk(const void*, void* packed) {
  if (packed) {
    delete *static_cast<NodeState**>(packed);
    *static_cast<NodeState**>(packed) = nullptr;
  }
}
size_t packed_bytes_thunk(const void*) { return k::kAlignment; }
template <class A, std::string (*Why)(const A&)>
bool supports_thunk(const void* args) { return Why(*static_cast<const A*>(args)).empty(); }
template <class A, std::string (*Why)(const A&)>
std::string why_thunk(const void* args) { return Why(*static_cast<const A*>(args)); }

std::vector<Entry>& table() {
  static std::vector<Entry> t;
  return t;
}

template <class A, void (*Build)(const A&, NodeState&), void (*Io)(const A&, NodeState&), std::string (*Why)(const A&)>
void add(Op op, Precision p, const char* variant = "opencl") {
  Entry e;
  e.kernel.name = std::string(k::to_string(op)) + "/" + k::to_string(p) + "/" + variant;
  e.kernel.op = op;
  e.kernel.precision = p;
  e.kernel.isa = k::Isa::kOpenCL;
  e.kernel.priority = 0;
  e.kernel.run = &run_thunk<A, Io>;
  e.kernel.supports = &supports_thunk<A, Why>;
  e.kernel.packed_bytes = &packed_bytes_thunk;
  e.kernel.pack = &pack_thunk<A, Build>;
  e.kernel.release = &release_thunk;
  e.why = &why_thunk<A, Why>;
  table().push_back(e);
}

template <class T>
void add_typed() {
  constexpr Precision P = k::detail::Elem<T>::kPrecision;
  add<k::DenseArgs<T>, build_dense_plain<T>, io_dense<T>, why_dense<T>>(Op::kDense, P);
  for (Op op : {Op::kConv1d, Op::kConv2d, Op::kDepthwiseConv2d}) add<k::ConvArgs<T>, build_conv_plain<T>, io_conv<T>, why_conv<T>>(op, P);
  add<k::PoolArgs<T>, build_max_pool<T>, io_pool<T>, why_pool_max<T>>(Op::kMaxPool1d, P);
  add<k::PoolArgs<T>, build_max_pool<T>, io_pool<T>, why_pool_max<T>>(Op::kMaxPool2d, P);
  add<k::PoolArgs<T>, build_avg_pool<T>, io_pool<T>, why_pool_avg<T>>(Op::kAvgPool2d, P);
  add<k::ReduceMeanArgs<T>, build_reduce<T, true>, io_reduce<T>, why_reduce<T, true>>(Op::kGlobalAvgPool, P);
  add<k::ReduceMeanArgs<T>, build_reduce<T, false>, io_reduce<T>, why_reduce<T, false>>(Op::kMeanOverTime, P);
  add<k::RnnArgs<T>, build_gru<T>, io_rnn<T>, why_rnn<T>>(Op::kGru, P);
  add<k::RnnArgs<T>, build_lstm<T>, io_rnn<T>, why_rnn<T>>(Op::kLstm, P);
  add<k::ActivationArgs<T>, build_act<T, Op::kRelu>, io_act<T>, why_act<T>>(Op::kRelu, P);
  add<k::ActivationArgs<T>, build_act<T, Op::kRelu6>, io_act<T>, why_act<T>>(Op::kRelu6, P);
  add<k::ActivationArgs<T>, build_act<T, Op::kHardTanh>, io_act<T>, why_act<T>>(Op::kHardTanh, P);
  add<k::ActivationArgs<T>, build_act<T, Op::kSign>, io_act<T>, why_act<T>>(Op::kSign, P);
  add<k::AddArgs<T>, build_add<T>, io_add<T>, why_add<T>>(Op::kAdd, P);
  add<k::PackBitsArgs<T>, build_pack<T>, io_pack<T>, why_pack<T>>(Op::kPackBits, P);
  add<k::SoftmaxArgsT<T>, build_softmax<T>, io_softmax<T>, why_softmax<T>>(Op::kSoftmax, P);
  if constexpr (kFloat<T>) {
    add<k::DenseArgs<float>, build_dense_f16, io_dense<float>, why_dense<float>>(Op::kDense, P, "opencl-fp16");
    for (Op op : {Op::kConv1d, Op::kConv2d, Op::kDepthwiseConv2d})
      add<k::ConvArgs<float>, build_conv_f16, io_conv<float>, why_conv<float>>(op, P, "opencl-fp16");
  } else {
    add<k::QuantizeArgs<T>, build_quantize<T>, io_quantize<T>, why_quantize<T>>(Op::kQuantize, P);
    add<k::DequantizeArgs<T>, build_dequantize<T>, io_dequantize<T>, why_dequantize<T>>(Op::kDequantize, P);
  }
}
template <class T, Precision P>
void add_bc() {
  add<k::DenseBcArgs<T>, build_dense_bc<T>, io_dense_bc<T>, why_dense_bc<T>>(Op::kDense, P);
  for (Op op : {Op::kConv1d, Op::kConv2d}) add<k::ConvBcArgs<T>, build_conv_bc<T>, io_conv_bc<T>, why_conv_bc<T>>(op, P);
}

}  // namespace

const std::vector<Entry>& opencl_kernels() {
  if (table().empty()) {
    add_typed<float>();
    add_typed<int8_t>();
    add_typed<int16_t>();
    add_bc<float, Precision::kBcF32>();
    add_bc<int8_t, Precision::kBcI8>();
    add_bc<int16_t, Precision::kBcI16>();
    add<k::DenseBnnArgs, build_dense_bnn, io_dense_bnn, why_dense_bnn>(Op::kDense, Precision::kBnn);
    for (Op op : {Op::kConv1d, Op::kConv2d}) add<k::ConvBnnArgs, build_conv_bnn, io_conv_bnn, why_conv_bnn>(op, Precision::kBnn);
    add<k::PoolBitsArgs, build_pool_bits, io_pool_bits, why_pool_bits>(Op::kMaxPool1d, Precision::kBnn);
    add<k::PoolBitsArgs, build_pool_bits, io_pool_bits, why_pool_bits>(Op::kMaxPool2d, Precision::kBnn);
    add<k::UnpackBitsArgs, build_unpack, io_unpack, why_unpack>(Op::kUnpackBits, Precision::kBnn);
    add<k::ConcatArgs, build_concat, io_concat, why_concat>(Op::kConcat, Precision::kAny);
    add<k::SliceArgs, build_slice, io_slice, why_slice>(Op::kSlice, Precision::kAny);
    add<k::TransposeArgs, build_transpose, io_transpose, why_transpose>(Op::kTranspose, Precision::kAny);
    add<k::RequantizeArgs, build_requantize, io_requantize, why_requantize>(Op::kRequantize, Precision::kAny);
  }
  return table();
}

}  // namespace slimrt::opencl
