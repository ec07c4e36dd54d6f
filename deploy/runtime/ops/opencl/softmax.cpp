// Softmax and LogSoftmax on OpenCL (fixed point evaluates exp in double: needs cl_khr_fp64).
#include "glue.h"

namespace slimrt::opencl {
namespace {

template <class T>
std::string why_softmax(const k::SoftmaxArgsT<T>&) {
  return needs_fp64<T>("softmax evaluates exp");
}
template <class T>
void build_softmax(const k::SoftmaxArgsT<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.rows) * a.cols * sizeof(T));
  cl_mem y = st.output(size_t(a.rows) * a.cols * sizeof(T));
  const std::string name = kname("softmax", suffix<T>());
  Launch& l = st.launch(name.c_str());
  const cl_int log_out = a.log ? 1 : 0;
  if (kFloat<T>) set_args(l.kernel, x, y, a.rows, a.cols, log_out);
  else set_args(l.kernel, x, y, a.rows, a.cols, a.q.fl_x, a.q.wl_y, a.q.fl_y, log_out);
  l.global[0] = size_t(std::max(a.rows, 1));
}

template <class T>
void add_typed(std::vector<Entry>& t, Precision p) {
  using A = k::SoftmaxArgsT<T>;
  for (Op op : {Op::kSoftmax, Op::kLogSoftmax}) add<A, build_softmax<T>, io_xy<A>, why_softmax<T>>(t, op, p);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(softmax) {
  add_typed<float>(t, Precision::kF32);
  add_typed<int8_t>(t, Precision::kI8);
  add_typed<int16_t>(t, Precision::kI16);
}

}  // namespace slimrt::opencl
