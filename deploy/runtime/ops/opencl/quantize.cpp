// Quantize (f32 → fixed) and Requantize (fixed → fixed) on OpenCL.
#include "glue.h"

namespace slimrt::opencl {
namespace {

template <class T>
void build_quantize(const k::QuantizeArgs<T>& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * 4);
  cl_mem y = st.output(size_t(a.count) * sizeof(T));
  const std::string name = kname("quantize", suffix<T>());
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, cl_long(a.count), a.q.wl_y, a.q.fl_y);
  launch_1d(l, a.count);
}
std::string why_requantize(const k::RequantizeArgs& a) {
  return (a.x_bits == 8 || a.x_bits == 16) && (a.y_bits == 8 || a.y_bits == 16) ? "" : "storage other than int8/int16";
}
void build_requantize(const k::RequantizeArgs& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.count) * size_t(a.x_bits / 8));
  cl_mem y = st.output(size_t(a.count) * size_t(a.y_bits / 8));
  const std::string name = "requantize_i" + std::to_string(a.x_bits) + "_i" + std::to_string(a.y_bits);
  Launch& l = st.launch(name.c_str());
  set_args(l.kernel, x, y, cl_long(a.count), a.q.fl_x, a.q.wl_y, a.q.fl_y);
  launch_1d(l, a.count);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(quantize) {
  add<k::QuantizeArgs<int8_t>, build_quantize<int8_t>>(t, Op::kQuantize, Precision::kI8);
  add<k::QuantizeArgs<int16_t>, build_quantize<int16_t>>(t, Op::kQuantize, Precision::kI16);
  add<k::RequantizeArgs, build_requantize, io_xy<k::RequantizeArgs>, why_requantize>(t, Op::kRequantize, Precision::kAny);
}

}  // namespace slimrt::opencl
