// Softmax on OpenCL (fixed point evaluates exp in double: needs cl_khr_fp64).
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
  if (kFloat<T>) set_args(l.kernel, x, y, a.rows, a.cols);
  else set_args(l.kernel, x, y, a.rows, a.cols, a.q.fl_x, a.q.wl_y, a.q.fl_y);
  l.global[0] = size_t(std::max(a.rows, 1));
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(softmax) {
  add<k::SoftmaxArgsT<float>, build_softmax<float>, io_xy<k::SoftmaxArgsT<float>>, why_softmax<float>>(t, Op::kSoftmax, Precision::kF32);
  add<k::SoftmaxArgsT<int8_t>, build_softmax<int8_t>, io_xy<k::SoftmaxArgsT<int8_t>>, why_softmax<int8_t>>(t, Op::kSoftmax, Precision::kI8);
  add<k::SoftmaxArgsT<int16_t>, build_softmax<int16_t>, io_xy<k::SoftmaxArgsT<int16_t>>, why_softmax<int16_t>>(t, Op::kSoftmax, Precision::kI16);
}

}  // namespace slimrt::opencl
