// Max / average pooling on OpenCL (f32, fixed point; packed BNN maps: max).
#include "glue.h"

namespace slimrt::opencl {
namespace {

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


template <class T>
void add_typed(std::vector<Entry>& t) {
  constexpr Precision P = k::detail::Elem<T>::kPrecision;
  add<k::PoolArgs<T>, build_max_pool<T>>(t, Op::kMaxPool1d, P);
  add<k::PoolArgs<T>, build_max_pool<T>>(t, Op::kMaxPool2d, P);
  add<k::PoolArgs<T>, build_avg_pool<T>, io_xy<k::PoolArgs<T>>, why_pool_avg<T>>(t, Op::kAvgPool2d, P);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(pool) {
  SLIMRT_OPENCL_ADD_TYPED(t);
  add<k::PoolBitsArgs, build_pool_bits>(t, Op::kMaxPool1d, Precision::kBnn);
  add<k::PoolBitsArgs, build_pool_bits>(t, Op::kMaxPool2d, Precision::kBnn);
}

}  // namespace slimrt::opencl
