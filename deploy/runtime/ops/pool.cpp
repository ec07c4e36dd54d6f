// Max / average pooling, 1-D and 2-D, over CHW maps (packed BNN maps HWC: 2-D max only).
// AvgPool1d runs the AvgPool2d kernels with height 1.
#include "op_registry.h"

namespace slimrt::ops {

static bool is_max(OpType t) { return t == OpType::MaxPool1d || t == OpType::MaxPool2d; }
static bool is_1d(OpType t) { return t == OpType::MaxPool1d || t == OpType::AvgPool1d; }

static void check(Check& c) {
  OpDesc& op = c.op;
  const bool one_d = is_1d(op.type);
  const size_t axes = one_d ? 1 : 2;
  const TensorDesc& xt = c.x();
  c.need_rank(xt, axes + 1, "input");
  const bool bits = xt.dtype == DType::BIN;
  if (bits && op.type != OpType::MaxPool2d) c.fail("packed (BNN) maps support 2-D max pooling only");
  if (xt.dtype != DType::F32 && !is_fixed(xt.dtype) && !bits)
    c.fail("input '%s' is %s, pooling takes f32, i8, i16 or bin", xt.name.c_str(), dtype_name(xt.dtype));
  c.need_dtype(c.y(), xt.dtype, "output");
  // Max pooling selects values (same format); fixed-point average pooling rounds the
  // mean once into the output's own format.
  if (is_max(op.type)) c.same_fl(xt, c.y());
  c.attr(op.kernel, axes, 1, 1, 1 << 16, "kernel");
  const std::vector<int> kernel = op.kernel;
  c.attr(op.stride, axes, 1, 1, 1 << 16, "stride");
  if (op.stride.empty()) op.stride = kernel;
  c.attr(op.padding, axes, 0, 0, 1 << 16, "padding");
  for (size_t a = 0; a < axes; ++a)
    if (op.padding[a] * 2 > op.kernel[a]) c.fail("padding must be at most half the kernel");
  const Check::Extents in = Check::extents(xt, one_d, bits);
  const int64_t OH = one_d ? 1 : c.window_out(in.h, op.kernel[0], op.stride[0], op.padding[0], 1, "height");
  const int64_t OW = c.window_out(in.w, op.kernel[axes - 1], op.stride[axes - 1], op.padding[axes - 1], 1,
                                  one_d ? "length" : "width");
  if (bits) c.need_shape(c.y(), {OH, OW, in.c}, "output");
  else if (one_d) c.need_shape(c.y(), {in.c, OW}, "output");
  else c.need_shape(c.y(), {in.c, OH, OW}, "output");
  op.macs = in.c * OH * OW * op.kernel[0] * op.kernel[axes - 1];
}

static k::PoolShape shape(const Bind& b, bool hwc) {
  const bool one_d = b.in(0).shape.size() == 2;
  const Check::Extents in = Check::extents(b.in(0), one_d, hwc), out = Check::extents(b.out(), one_d, hwc);
  k::PoolShape s;
  s.channels = int(in.c);
  s.in_h = int(in.h);
  s.in_w = int(in.w);
  s.out_h = int(out.h);
  s.out_w = int(out.w);
  b.set_window(s, one_d);
  s.count_include_pad = true;
  return s;
}

static k::Op kernel_op(OpType t) { return t == OpType::AvgPool1d ? k::Op::kAvgPool2d : k::to_kernel_op(OpId(t)); }

static NodePtr bind(Bind& b) {
  if (b.in(0).dtype == DType::BIN) {
    KernelNode<k::PoolBitsArgs> n;
    n.args.s = shape(b, true);
    return b.finish_xy(n, kernel_op(b.op().type), k::Precision::kBnn);
  }
  return b.by_element_type([&](auto tag) {
    KernelNode<k::PoolArgs<decltype(tag)>> n;
    n.args.s = shape(b, false);
    n.args.q = b.formats(0);
    return b.finish_xy(n, kernel_op(b.op().type), elem_precision(b.in(0).dtype));
  });
}

SLIMRT_REGISTER_OPS(pool) {
  t.add({OpId::MaxPool1d, OpId::MaxPool2d, OpId::AvgPool2d, OpId::AvgPool1d}, {&check, &bind, 1, 1});
}

}  // namespace slimrt::ops
