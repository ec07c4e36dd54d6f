// Add on OpenCL (fused activation; fixed point: exact aligned sum, one requantize).
#include "glue.h"

namespace slimrt::opencl {
namespace {

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
  launch_1d(l, a.count);
}
template <class T>
void io_add(const k::AddArgs<T>& a, NodeState& st) {
  st.in_host[0] = a.x;
  st.in_host[1] = a.x2;
  st.out_host[0] = a.y;
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(add) {
  add<k::AddArgs<float>, build_add<float>, io_add<float>>(t, Op::kAdd, Precision::kF32);
  add<k::AddArgs<int8_t>, build_add<int8_t>, io_add<int8_t>>(t, Op::kAdd, Precision::kI8);
  add<k::AddArgs<int16_t>, build_add<int16_t>, io_add<int16_t>>(t, Op::kAdd, Precision::kI16);
}

}  // namespace slimrt::opencl
