// Dequantize (fixed → f32) and UnpackBits (packed signs → ±1) on OpenCL.
#include "glue.h"

namespace slimrt::opencl {
namespace {

template <class T>
void build_dequantize(const k::DequantizeArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * sizeof(T));
  cl_mem y = st.output(size_t(a.count) * 4);
  const std::string name = kname("dequantize", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, cl_long(a.count), float(std::ldexp(1.0, -a.q.fl_x)));
  launch_1d(l, a.count);
}
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

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(dequantize) {
  add<k::DequantizeArgs<int8_t>, build_dequantize<int8_t>>(t, Op::kDequantize, Precision::kI8);
  add<k::DequantizeArgs<int16_t>, build_dequantize<int16_t>>(t, Op::kDequantize, Precision::kI16);
  add<k::UnpackBitsArgs, build_unpack>(t, Op::kUnpackBits, Precision::kBnn);
}

}  // namespace slimrt::opencl
