// Element-wise activations on OpenCL: the clamps (Relu, HardTanh, the constant clamps) and Sign
// (also into packed bits: PackBits), and the unary ops of kernels/unary.inc — float by
// the `<ir_name>_f32` kernel of opencl/cl/elementwise.cl, fixed point through a table
// of F::fixed over every input integer computed here (bit-exact by construction).
#include <limits>

#include "glue.h"

namespace slimrt::opencl {
namespace unary {
using namespace slimrt::kernels;
#include "kernels/unary.inc"
}  // namespace unary
namespace {

template <class T, Op O>
void build_act(const k::ActivationArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * sizeof(T));
  cl_mem y = st.output(size_t(a.count) * sizeof(T));
  const bool sign = O == Op::kSign;
  const std::string name = kname(sign ? "sign" : "clamp", suffix<T>());
  Launch& l = st.launch(name.c_str());
  float min_value = a.min_value, max_value = a.max_value;
  const bool bounded = k::const_clamp_bounds(O, &min_value, &max_value) || O == Op::kHardTanh;
  if constexpr (kFloat<T>) {
    float lo = 0, hi = INFINITY;
    if (bounded) { lo = min_value; hi = max_value; }
    if (sign) { lo = -1; hi = 1; }
    set_args(l.kernel, x, y, cl_long(a.count), lo, hi);
  } else {
    cl_long lo = 0, hi = std::numeric_limits<T>::max();
    if (bounded) {
      lo = fixed::quantize(min_value, a.q.wl_y, a.q.fl_y);
      hi = fixed::quantize(max_value, a.q.wl_y, a.q.fl_y);
    }
    if (sign) {
      lo = fixed::quantize(-1.0, a.q.wl_y, a.q.fl_y);
      hi = fixed::quantize(1.0, a.q.wl_y, a.q.fl_y);
    }
    set_args(l.kernel, x, y, cl_long(a.count), lo, hi);
  }
  launch_1d(l, a.count);
}

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

template <class F, class T>
void build_unary(const k::ActivationArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * sizeof(T));
  cl_mem y = st.output(size_t(a.count) * sizeof(T));
  if constexpr (kFloat<T>) {
    const std::string name = kname(op_info(k::to_op_id(F::kOp)).ir_name, "f32");
    Launch& l = st.launch(name.c_str());
    set_args(l.kernel, x, y, cl_long(a.count), a.p.alpha, a.p.beta);
    launch_1d(l, a.count);
  } else {
    const int64_t lo = std::numeric_limits<T>::min(), entries = int64_t(1) << (8 * sizeof(T));
    std::vector<T> table(static_cast<size_t>(entries));
    for (int64_t v = 0; v < entries; ++v) table[size_t(v)] = T(F::fixed(lo + v, a.q, a.p));
    cl_mem tab = st.constant(table.size() * sizeof(T), table.data());
    const std::string name = kname("lookup", suffix<T>());
    Launch& l = st.launch(name.c_str());
    set_args(l.kernel, x, y, tab, cl_long(a.count));
    launch_1d(l, a.count);
  }
}

template <class T>
void add_typed(std::vector<Entry>& t) {
  constexpr Precision P = k::detail::Elem<T>::kPrecision;
  using A = k::ActivationArgs<T>;
  add<A, build_act<T, Op::kRelu>>(t, Op::kRelu, P);
#define SLIMRT_ADD_CLAMP_(Name, lo, hi) add<A, build_act<T, Op::k##Name>>(t, Op::k##Name, P);
  SLIMRT_CONST_CLAMP_OPS(SLIMRT_ADD_CLAMP_)
#undef SLIMRT_ADD_CLAMP_
  add<A, build_act<T, Op::kHardTanh>>(t, Op::kHardTanh, P);
  add<A, build_act<T, Op::kSign>>(t, Op::kSign, P);
  add<k::PackBitsArgs<T>, build_pack<T>>(t, Op::kPackBits, P);
#define SLIMRT_ADD_UNARY_(Name) add<A, build_unary<unary::Name##Fn, T>>(t, Op::k##Name, P);
  SLIMRT_UNARY_OPS(SLIMRT_ADD_UNARY_)
#undef SLIMRT_ADD_UNARY_
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(activation) { SLIMRT_OPENCL_ADD_TYPED(t); }

}  // namespace slimrt::opencl
