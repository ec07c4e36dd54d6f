// Max / average pooling, 1-D and 2-D, over CHW maps (packed BNN maps HWC: 2-D max only).
// AvgPool1d runs the AvgPool2d kernels with height 1.
#include "op_registry.h"

namespace slimrt::ops {
namespace {

bool is_max(OpType t) { return t == OpType::MaxPool1d || t == OpType::MaxPool2d; }
bool is_1d(OpType t) { return t == OpType::MaxPool1d || t == OpType::AvgPool1d; }

void check(Check& c) {
  c.inputs_between(1, 1);
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
  const int64_t C = bits ? xt.shape[2] : xt.shape[0];
  const int64_t H = one_d ? 1 : (bits ? xt.shape[0] : xt.shape[1]);
  const int64_t W = one_d ? xt.shape[1] : (bits ? xt.shape[1] : xt.shape[2]);
  const int64_t OH = one_d ? 1 : c.window_out(H, op.kernel[0], op.stride[0], op.padding[0], 1, "height");
  const int64_t OW = c.window_out(W, op.kernel[axes - 1], op.stride[axes - 1], op.padding[axes - 1], 1,
                                  one_d ? "length" : "width");
  if (bits) c.need_shape(c.y(), {OH, OW, C}, "output");
  else if (one_d) c.need_shape(c.y(), {C, OW}, "output");
  else c.need_shape(c.y(), {C, OH, OW}, "output");
  op.macs = C * OH * OW * op.kernel[0] * op.kernel[axes - 1];
}

k::PoolShape shape(const Bind& b, bool hwc) {
  const auto& x = b.in(0);
  const auto& y = b.out();
  const OpDesc& op = b.op();
  const bool one_d = x.shape.size() == 2;
  k::PoolShape s;
  s.channels = int(hwc ? x.shape[2] : x.shape[0]);
  s.in_h = one_d ? 1 : int(hwc ? x.shape[0] : x.shape[1]);
  s.in_w = int(one_d ? x.shape[1] : (hwc ? x.shape[1] : x.shape[2]));
  s.out_h = one_d ? 1 : int(hwc ? y.shape[0] : y.shape[1]);
  s.out_w = int(one_d ? y.shape[1] : (hwc ? y.shape[1] : y.shape[2]));
  const size_t last = op.kernel.size() - 1;
  s.kernel_h = one_d ? 1 : op.kernel[0];
  s.kernel_w = op.kernel[last];
  s.stride_h = one_d ? 1 : op.stride[0];
  s.stride_w = op.stride[last];
  s.pad_top = s.pad_bottom = one_d ? 0 : op.padding[0];
  s.pad_left = s.pad_right = op.padding[last];
  s.count_include_pad = true;
  return s;
}

k::Op kernel_op(OpType t) {
  return t == OpType::AvgPool1d ? k::Op::kAvgPool2d : k::to_kernel_op(OpId(t));
}

NodePtr bind(Bind& b) {
  if (b.in(0).dtype == DType::BIN) {
    KernelNode<k::PoolBitsArgs> n;
    n.args.s = shape(b, true);
    b.bind_xy(n);
    return b.finish(n, kernel_op(b.op().type), k::Precision::kBnn);
  }
  return b.by_element_type([&](auto tag) {
    using T = decltype(tag);
    KernelNode<k::PoolArgs<T>> n;
    n.args.s = shape(b, false);
    n.args.q = b.formats(0);
    b.bind_xy(n);
    return b.finish(n, kernel_op(b.op().type), elem_precision(b.in(0).dtype));
  });
}

const OpDef kPool{&check, &bind};

}  // namespace

SLIMRT_REGISTER_OPS(pool) {
  for (OpId id : {OpId::MaxPool1d, OpId::MaxPool2d, OpId::AvgPool2d, OpId::AvgPool1d}) t.add(id, kPool);
}

}  // namespace slimrt::ops
