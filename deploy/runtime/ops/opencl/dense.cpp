// Dense on OpenCL: f32 (also with fp16 weights), fixed point, BinaryConnect, BNN.
#include "glue.h"

namespace slimrt::opencl {
namespace {

template <class T>
std::string why_dense(const k::DenseArgs<T>& a) {
  if (a.rq.mult) return why_folded_bn(a);
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
  const Epi e = epi_of(a, a.q.fl_x + a.q.fl_w);
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
void build_dense_bc(const k::DenseBcArgs<T>& a, NodeState& st) {
  const k::DenseShape& s = a.s;
  const int words = int(bits::words_for(size_t(s.in)));
  cl_mem x = st.input(size_t(s.batch) * s.in * sizeof(T));
  cl_mem w = st.constant(size_t(s.out) * words * 8, a.w);
  cl_mem fb = st.dummy(), ib = st.dummy(), sc = st.dummy();
  if (a.bias) (kFloat<T> ? fb : ib) = st.constant(size_t(s.out) * 4, a.bias);
  if (kFloat<T> && a.scale) sc = st.constant(size_t(s.out) * 4, a.scale);
  cl_mem y = st.output(size_t(s.batch) * s.out * sizeof(T));
  const Epi e = epi_of(a, a.q.fl_x);
  const std::string name = kname("dense_bc", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, w, fb, ib, sc, y, s.in, s.out, words, a.bias ? 1 : 0, (kFloat<T> && a.scale) ? 1 : 0, e.shift,
           e.flo, e.fhi, e.llo, e.lhi);
  l.dims = 2;
  l.global[1] = size_t(s.batch);
  tune(st, l, name, size_t(s.out));
}

void build_dense_bnn(const k::DenseBnnArgs& a, NodeState& st) {
  const k::DenseShape& s = a.s;
  const int iw = a.in_words > 0 ? a.in_words : int(bits::words_for(size_t(s.in)));
  cl_mem x = st.input(size_t(s.batch) * iw * 8);
  cl_mem w = st.constant(size_t(s.out) * iw * 8, a.w);
  const k::BnnOut& o = a.out;
  Launch* l = nullptr;
  if (o.kind == k::BnnOutput::kBits) {
    const auto th = int_thresholds(o.thresholds, s.out);
    cl_mem t = st.constant(th.size() * 4, th.data());
    const int ow = int(bits::words_for(size_t(s.out)));
    cl_mem y = st.output(size_t(s.batch) * ow * 8);
    l = &st.launch("dense_bnn_bits");
    set_args(l->kernel, x, w, t, y, s.in, s.out, iw);
    l->global[0] = size_t(ow);
  } else if (o.kind == k::BnnOutput::kInt32) {
    cl_mem y = st.output(size_t(s.batch) * s.out * 4);
    l = &st.launch("dense_bnn_i32");
    set_args(l->kernel, x, w, y, s.in, s.out, iw);
    l->global[0] = size_t(s.out);
  } else {
    cl_mem sc = o.scale ? st.constant(size_t(s.out) * 4, o.scale) : st.dummy();
    cl_mem bi = o.bias ? st.constant(size_t(s.out) * 4, o.bias) : st.dummy();
    cl_mem y = st.output(size_t(s.batch) * s.out * 4);
    l = &st.launch("dense_bnn_f32");
    set_args(l->kernel, x, w, sc, bi, y, s.in, s.out, iw, o.scale ? 1 : 0, o.bias ? 1 : 0);
    l->global[0] = size_t(s.out);
  }
  l->dims = 2;
  l->global[1] = size_t(s.batch);
}
void io_dense_bnn(const k::DenseBnnArgs& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.out_host[0] = bnn_y(a.out);
}

template <class T>
void add_typed(std::vector<Entry>& t) {
  constexpr Precision P = k::detail::Elem<T>::kPrecision;
  add<k::DenseArgs<T>, build_dense_plain<T>, io_xy<k::DenseArgs<T>>, why_dense<T>>(t, Op::kDense, P);
  if constexpr (kFloat<T>) add<k::DenseArgs<float>, build_dense_f16, io_xy<k::DenseArgs<float>>, why_dense<float>>(t, Op::kDense, P, "opencl-fp16");
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(dense) {
  SLIMRT_OPENCL_ADD_TYPED(t);
  add<k::DenseBcArgs<float>, build_dense_bc<float>, io_xy<k::DenseBcArgs<float>>, why_folded_bn<k::DenseBcArgs<float>>>(t, Op::kDense, Precision::kBcF32);
  add<k::DenseBcArgs<int8_t>, build_dense_bc<int8_t>, io_xy<k::DenseBcArgs<int8_t>>, why_folded_bn<k::DenseBcArgs<int8_t>>>(t, Op::kDense, Precision::kBcI8);
  add<k::DenseBcArgs<int16_t>, build_dense_bc<int16_t>, io_xy<k::DenseBcArgs<int16_t>>, why_folded_bn<k::DenseBcArgs<int16_t>>>(t, Op::kDense, Precision::kBcI16);
  add<k::DenseBnnArgs, build_dense_bnn, io_dense_bnn>(t, Op::kDense, Precision::kBnn);
}

}  // namespace slimrt::opencl
