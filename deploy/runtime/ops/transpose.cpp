// Transpose: output axis i is input axis perm[i] (up to 6 axes; not packed bits).
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  c.same_format_out("transposed");
  const std::vector<int>& perm = c.op.perm;
  const size_t rank = c.x().shape.size();
  if (perm.size() != rank) c.fail("perm has %lld entries for rank %lld", (long long)perm.size(), (long long)rank);
  std::vector<int64_t> want(rank);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < rank; ++i) {
    const int a = perm[i];
    if (a < 0 || size_t(a) >= rank || seen[size_t(a)]) c.fail("perm is not a permutation");
    seen[size_t(a)] = true;
    want[i] = c.x().shape[size_t(a)];
  }
  c.need_shape(c.y(), want, "output");
}

static NodePtr bind(Bind& b) {
  KernelNode<k::TransposeArgs> n;
  const auto& x = b.in(0);
  n.args.rank = int(x.shape.size());
  for (size_t i = 0; i < x.shape.size(); ++i) {
    n.args.shape[i] = x.shape[i];
    n.args.perm[i] = b.op().perm[i];
  }
  n.args.elem_bytes = elem_bytes(x.dtype);
  return b.finish_xy(n, k::Op::kTranspose, k::Precision::kAny);
}

SLIMRT_REGISTER_OPS(transpose) { t.add({OpId::Transpose}, {&check, &bind, 1, 1}); }

}  // namespace slimrt::ops
