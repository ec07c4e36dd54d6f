// Slice on OpenCL: one copy_rows launch.
#include "glue.h"

namespace slimrt::opencl {
namespace {

void build_slice(const k::SliceArgs& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.outer * a.axis * a.inner) * a.elem_bytes);
  const int64_t cols = (a.end - a.begin) * a.inner;
  cl_mem y = st.output(size_t(a.outer * cols) * a.elem_bytes);
  copy_launch(st, x, y, a.outer, cols, a.axis * a.inner, a.begin * a.inner, cols, 0, a.elem_bytes);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(slice) {
  add<k::SliceArgs, build_slice>(t, Op::kSlice, Precision::kAny);
}

}  // namespace slimrt::opencl
