// Add, Sub, Mul, Div on OpenCL (fused activation; fixed point: Add / Sub the exact aligned
// sum or difference, Mul the exact product, each requantized once; Div the quotient rounded
// once as fixed::divide, in 64-bit integers where its scale allows). Inputs of different
// shapes (a broadcast) take the CPU path: why_binary says so.
#include <cstdlib>

#include "glue.h"

namespace slimrt::opencl {
namespace {

// Div's fixed-point scale: y·2^fl_y = (q / q2)·2^s.
template <class T>
int div_scale(const k::AddArgs<T>& a) {
  return a.q.fl_y - a.q.fl_x + a.q.fl_x2;
}

template <class T, Op O>
std::string why_binary(const k::AddArgs<T>& a) {
  if (a.bc.rank > 0) return "broadcasting inputs run on the CPU (the OpenCL kernels take two inputs of the output's shape)";
  if constexpr (!kFloat<T> && O == Op::kDiv)
    if (std::abs(div_scale(a)) > 45) return "the quotient's scale 2^" + std::to_string(div_scale(a)) + " needs 128-bit integers";
  return "";
}

template <class T, Op O>
void build_binary(const k::AddArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * sizeof(T));
  cl_mem x2 = st.input(size_t(a.count) * sizeof(T));
  cl_mem y = st.output(size_t(a.count) * sizeof(T));
  const std::string name = kname(op_info(k::to_op_id(O)).ir_name, suffix<T>());
  Launch& l = st.launch(name.c_str());
  Epi e;
  int s1 = 0, s2 = 0;
  if constexpr (kFloat<T>) {
    e = float_epi(a.act, a.act_min, a.act_max);
  } else if constexpr (O == Op::kMul) {
    e = fixed_epi(a.q.fl_x + a.q.fl_x2, a.q, a.act, a.act_min, a.act_max);
  } else if constexpr (O == Op::kDiv) {
    e = fixed_epi(a.q.fl_y, a.q, a.act, a.act_min, a.act_max);  // the quotient is at fl_y
    s1 = div_scale(a);
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

template <class T>
void add_typed(std::vector<Entry>& t, Precision p) {
  using A = k::AddArgs<T>;
  add<A, build_binary<T, Op::kAdd>, io_add<T>, why_binary<T, Op::kAdd>>(t, Op::kAdd, p);
  add<A, build_binary<T, Op::kSub>, io_add<T>, why_binary<T, Op::kSub>>(t, Op::kSub, p);
  add<A, build_binary<T, Op::kMul>, io_add<T>, why_binary<T, Op::kMul>>(t, Op::kMul, p);
  add<A, build_binary<T, Op::kDiv>, io_add<T>, why_binary<T, Op::kDiv>>(t, Op::kDiv, p);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(add) {
  add_typed<float>(t, Precision::kF32);
  add_typed<int8_t>(t, Precision::kI8);
  add_typed<int16_t>(t, Precision::kI16);
}

}  // namespace slimrt::opencl
