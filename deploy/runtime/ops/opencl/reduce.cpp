// GlobalAvgPool / MeanOverTime on OpenCL (f32, exact fixed-point means).
#include "glue.h"

namespace slimrt::opencl {
namespace {

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
void add_typed(std::vector<Entry>& t) {
  constexpr Precision P = k::detail::Elem<T>::kPrecision;
  using A = k::ReduceMeanArgs<T>;
  add<A, build_reduce<T, true>, io_xy<A>, why_reduce<T, true>>(t, Op::kGlobalAvgPool, P);
  add<A, build_reduce<T, false>, io_xy<A>, why_reduce<T, false>>(t, Op::kMeanOverTime, P);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(reduce) { SLIMRT_OPENCL_ADD_TYPED(t); }

}  // namespace slimrt::opencl
