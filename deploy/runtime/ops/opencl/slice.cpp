// Slice and Reverse on OpenCL: copy_rows launches. A reverse reads its rows with a
// negative stride (copy_rows' index arithmetic is unsigned: it wraps to the right row).
#include "glue.h"

namespace slimrt::opencl {
namespace {

void build_slice(const k::SliceArgs& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.outer * a.axis * a.inner) * a.elem_bytes);
  const int64_t cols = (a.end - a.begin) * a.inner;
  cl_mem y = st.output(size_t(a.outer * cols) * a.elem_bytes);
  copy_launch(st, x, y, a.outer, cols, a.axis * a.inner, a.begin * a.inner, cols, 0, a.elem_bytes);
}

// y[o][j] = x[o][end − 1 − j]: one launch per outer index, rows j of `inner` elements.
void build_reverse(const k::SliceArgs& a, NodeState& st) {
  cl_mem x = st.input(size_t(a.outer * a.axis * a.inner) * a.elem_bytes);
  const int64_t n = a.end - a.begin;
  cl_mem y = st.output(size_t(a.outer * n * a.inner) * a.elem_bytes);
  for (int64_t o = 0; o < a.outer; ++o)
    copy_launch(st, x, y, n, a.inner, -a.inner, (o * a.axis + a.end - 1) * a.inner, a.inner, o * n * a.inner,
                a.elem_bytes);
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(slice) {
  add<k::SliceArgs, build_slice>(t, Op::kSlice, Precision::kAny);
  add<k::SliceArgs, build_reverse>(t, Op::kReverse, Precision::kAny);
}

}  // namespace slimrt::opencl
