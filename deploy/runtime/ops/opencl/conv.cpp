// Conv1d / Conv2d / DepthwiseConv2d on OpenCL: f32 (also fp16 weights), fixed point
// (weights staged in __local tiles, or direct, whichever is faster on the device),
// BinaryConnect, BNN.
#include "glue.h"

#include <algorithm>

namespace slimrt::opencl {
namespace {

constexpr size_t kLocalBudget = 16384;  // bytes of __local weights per work-group (≤ half of any device's)

size_t local_budget(const Device& d) { return std::min(kLocalBudget, d.info().local_mem_bytes / 2); }

template <class T>
std::string why_conv(const k::ConvArgs<T>& a) {
  if (a.rq.mult) return why_folded_bn(a);
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
  const Epi e = epi_of(a, a.q.fl_x + a.q.fl_w);
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
  const Epi e = epi_of(a, a.q.fl_x);
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
  st.out_host[0] = bnn_y(a.out);
}

constexpr Op kConvOps[] = {Op::kConv1d, Op::kConv2d, Op::kDepthwiseConv2d};

template <class T>
void add_typed(std::vector<Entry>& t) {
  constexpr Precision P = k::detail::Elem<T>::kPrecision;
  for (Op op : kConvOps) add<k::ConvArgs<T>, build_conv_plain<T>, io_xy<k::ConvArgs<T>>, why_conv<T>>(t, op, P);
  if constexpr (kFloat<T>)
    for (Op op : kConvOps) add<k::ConvArgs<float>, build_conv_f16, io_xy<k::ConvArgs<float>>, why_conv<float>>(t, op, P, "opencl-fp16");
}
template <class T, Precision P>
void add_bc(std::vector<Entry>& t) {
  for (Op op : {Op::kConv1d, Op::kConv2d}) add<k::ConvBcArgs<T>, build_conv_bc<T>, io_xy<k::ConvBcArgs<T>>, why_folded_bn<k::ConvBcArgs<T>>>(t, op, P);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(conv) {
  SLIMRT_OPENCL_ADD_TYPED(t);
  add_bc<float, Precision::kBcF32>(t);
  add_bc<int8_t, Precision::kBcI8>(t);
  add_bc<int16_t, Precision::kBcI16>(t);
  for (Op op : {Op::kConv1d, Op::kConv2d})
    add<k::ConvBnnArgs, build_conv_bnn, io_conv_bnn, why_conv_bnn>(t, op, Precision::kBnn);
}

}  // namespace slimrt::opencl
