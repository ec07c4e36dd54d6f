// Transpose: output axis i is input axis perm[i] (up to 6 axes; not packed bits).
#include "op_registry.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(1, 1);
  const OpDesc& op = c.op;
  const TensorDesc &xt = c.x(), &yt = c.y();
  if (xt.dtype == DType::BIN) c.fail("packed tensors cannot be transposed");
  c.need_dtype(yt, xt.dtype, "output");
  c.same_fl(xt, yt);
  const size_t rank = xt.shape.size();
  if (op.perm.size() != rank) c.fail("perm has %lld entries for rank %lld", (long long)op.perm.size(), (long long)rank);
  std::vector<int64_t> want(rank);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < rank; ++i) {
    const int a = op.perm[i];
    if (a < 0 || size_t(a) >= rank || seen[size_t(a)]) c.fail("perm is not a permutation");
    seen[size_t(a)] = true;
    want[i] = xt.shape[size_t(a)];
  }
  c.need_shape(yt, want, "output");
}

NodePtr bind(Bind& b) {
  KernelNode<k::TransposeArgs> n;
  const auto& x = b.in(0);
  n.args.rank = int(x.shape.size());
  for (size_t i = 0; i < x.shape.size(); ++i) {
    n.args.shape[i] = x.shape[i];
    n.args.perm[i] = b.op().perm[i];
  }
  n.args.elem_bytes = elem_bytes(x.dtype);
  b.bind_xy(n);
  return b.finish(n, k::Op::kTranspose, k::Precision::kAny);
}

const OpDef kTranspose{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(transpose) { t.add(OpId::Transpose, kTranspose); }

}  // namespace slimrt::ops
