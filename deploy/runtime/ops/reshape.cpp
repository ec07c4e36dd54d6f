// Reshape (also flatten): the same bytes under a new shape — a copy.
#include "op_registry.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(1, 1);
  const TensorDesc &xt = c.x(), &yt = c.y();
  if (xt.dtype == DType::BIN) c.fail("packed tensors cannot be reshaped");
  c.need_dtype(yt, xt.dtype, "output");
  c.same_fl(xt, yt);
  if (yt.numel != xt.numel)
    c.fail("output '%s' %s does not hold the %lld values of %s", yt.name.c_str(), shape_str(yt.shape).c_str(),
           (long long)xt.numel, shape_str(xt.shape).c_str());
}

struct CopyNode : Node {
  const void* x = nullptr;
  void* y = nullptr;
  size_t bytes = 0;
  void run() override { std::memcpy(y, x, bytes); }
};

NodePtr bind(Bind& b) {
  auto n = std::make_unique<CopyNode>();
  n->bytes = b.in(0).bytes;
  n->bind(&n->x, b.op().inputs[0]);
  n->bind(&n->y, b.op().outputs[0]);
  n->kernel_name = "Reshape/copy";
  return n;
}

const OpDef kReshape{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(reshape) { t.add(OpId::Reshape, kReshape); }

}  // namespace slimrt::ops
