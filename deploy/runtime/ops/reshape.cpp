// Reshape (also flatten): the same bytes under a new shape — a view (the output lives
// in the input's bytes, Bind::can_view), or a copy where it cannot be one.
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  c.same_format_out("reshaped");
  const TensorDesc &xt = c.x(), &yt = c.y();
  if (yt.numel != xt.numel)
    c.fail("output '%s' %s does not hold the %lld values of %s", yt.name.c_str(), shape_str(yt.shape).c_str(),
           (long long)xt.numel, shape_str(xt.shape).c_str());
}

namespace {
struct CopyNode : Node {
  const void* x = nullptr;
  void* y = nullptr;
  size_t bytes = 0;
  void run() override { std::memcpy(y, x, bytes); }
};
}  // namespace

static NodePtr bind(Bind& b) {
  const int x = b.op().inputs[0], y = b.op().outputs[0];
  if (b.can_view(y, x)) b.add_view(y, x, 0, "Reshape/any/view");
  auto n = std::make_unique<CopyNode>();
  n->bytes = b.in(0).bytes;
  return b.builtin(std::move(n), "Reshape/copy");
}

SLIMRT_REGISTER_OPS(reshape) { t.add({OpId::Reshape}, {&check, &bind, 1, 1}); }

}  // namespace slimrt::ops
