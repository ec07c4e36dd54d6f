// Transpose on OpenCL: a gather over up to 6 axes.
#include "glue.h"

namespace slimrt::opencl {
namespace {

std::string why_transpose(const k::TransposeArgs& a) { return a.rank <= 6 ? "" : "more than 6 axes"; }
void build_transpose(const k::TransposeArgs& a, NodeState& st) {
  int64_t stride[6] = {}, count = 1;
  for (int i = a.rank - 1, s = 1; i >= 0; --i) {
    stride[i] = s;
    s *= int(a.shape[i]);
  }
  cl_long d[6] = {1, 1, 1, 1, 1, 1}, sd[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < a.rank; ++i) {
    d[6 - a.rank + i] = a.shape[a.perm[i]];
    sd[6 - a.rank + i] = stride[a.perm[i]];
    count *= a.shape[i];
  }
  cl_mem x = st.input(size_t(count) * a.elem_bytes);
  cl_mem y = st.output(size_t(count) * a.elem_bytes);
  Launch& l = st.launch("transpose_gather");
  set_args(l.kernel, x, y, cl_long(count), a.elem_bytes, d[0], d[1], d[2], d[3], d[4], d[5], sd[0], sd[1], sd[2], sd[3],
           sd[4], sd[5]);
  launch_1d(l, count);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(transpose) {
  add<k::TransposeArgs, build_transpose, io_xy<k::TransposeArgs>, why_transpose>(t, Op::kTranspose, Precision::kAny);
}

}  // namespace slimrt::opencl
