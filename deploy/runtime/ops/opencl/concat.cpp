// Concat on OpenCL: one copy_rows launch per input.
#include "glue.h"

namespace slimrt::opencl {
namespace {

void build_concat(const k::ConcatArgs& a, NodeState& st) {
  int64_t total = 0;
  for (int i = 0; i < a.inputs; ++i) total += a.inner[i];
  std::vector<cl_mem> xs;
  for (int i = 0; i < a.inputs; ++i) xs.push_back(st.input(size_t(a.outer * a.inner[i]) * a.elem_bytes));
  cl_mem y = st.output(size_t(a.outer * total) * a.elem_bytes);
  int64_t at = 0;
  for (int i = 0; i < a.inputs; ++i) {
    copy_launch(st, xs[size_t(i)], y, a.outer, a.inner[i], a.inner[i], 0, total, at, a.elem_bytes);
    at += a.inner[i];
  }
}
void io_concat(const k::ConcatArgs& a, NodeState& st) {
  for (int i = 0; i < a.inputs; ++i) st.in_host[size_t(i)] = a.x[i];
  st.out_host[0] = a.y;
}

}  // namespace

SLIMRT_REGISTER_OPENCL_OPS(concat) {
  add<k::ConcatArgs, build_concat, io_concat>(t, Op::kConcat, Precision::kAny);
}

}  // namespace slimrt::opencl
