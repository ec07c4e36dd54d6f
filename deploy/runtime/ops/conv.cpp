// Conv1d, Conv2d, DepthwiseConv2d: x CHW (packed BNN maps HWC), weight input 1
// [out][in/groups][kh][kw] (BinaryConnect [out][words], BNN [out][kh][kw][in]), zero padding.
#include "ops/weighted.h"

namespace slimrt::ops {
namespace {

void check(Check& c) {
  c.inputs_between(2, 4);
  OpDesc& op = c.op;
  const bool one_d = op.type == OpType::Conv1d;
  const size_t axes = one_d ? 1 : 2;
  const TensorDesc &xt = c.x(), &w = *c.in(1);
  c.need_const(w, "weight");
  const OpPrecision p = c.precision();
  const bool bnn = p == OpPrecision::kBnn;
  const bool bc = p == OpPrecision::kBcF32 || p == OpPrecision::kBcI8 || p == OpPrecision::kBcI16;
  if (bnn && one_d) c.fail("binary (BNN) convolutions are 2-D only");
  c.need_rank(xt, axes + 1, "input");
  // Input extents: CHW (packed BNN maps are HWC).
  const int64_t C = bnn ? xt.shape[2] : xt.shape[0];
  const int64_t H = one_d ? 1 : (bnn ? xt.shape[0] : xt.shape[1]);
  const int64_t W = one_d ? xt.shape[1] : (bnn ? xt.shape[1] : xt.shape[2]);
  if (op.groups < 1 || op.groups > C || C % op.groups != 0)
    c.fail("groups %d does not divide %lld input channels", op.groups, (long long)C);
  if (op.type == OpType::DepthwiseConv2d && op.groups != C)
    c.fail("a depthwise convolution needs groups == input channels (%lld)", (long long)C);
  if (bnn && op.groups != 1) c.fail("binary (BNN) convolutions need groups = 1");
  c.attr(op.kernel, axes, 1, 1, 1 << 16, "kernel");
  c.attr(op.stride, axes, 1, 1, 1 << 16, "stride");
  c.attr(op.padding, axes, 0, 0, 1 << 16, "padding");
  c.attr(op.dilation, axes, 1, 1, 1 << 16, "dilation");
  const int kh = one_d ? 1 : op.kernel[0], kw = op.kernel[axes - 1];
  const int64_t cg = C / op.groups;
  c.need_rank(w, bnn ? 4 : bc ? 2 : axes + 2, "weight");
  const int64_t O = w.shape[0];
  if (bnn) c.need_shape(w, {O, kh, kw, C}, "weight");
  else if (bc) c.need_shape(w, {O, cg * kh * kw}, "weight");
  else if (one_d) c.need_shape(w, {O, cg, kw}, "weight");
  else c.need_shape(w, {O, cg, kh, kw}, "weight");
  if (O % op.groups != 0) c.fail("%lld output channels are not a multiple of groups %d", (long long)O, op.groups);
  const int64_t OH = one_d ? 1 : c.window_out(H, kh, op.stride[0], op.padding[0], op.dilation[0], "height");
  const int64_t OW = c.window_out(W, kw, op.stride[axes - 1], op.padding[axes - 1], op.dilation[axes - 1],
                                  one_d ? "length" : "width");
  std::vector<int64_t> want = one_d ? std::vector<int64_t>{O, OW} : std::vector<int64_t>{O, OH, OW};
  if (bnn && c.y().dtype == DType::BIN) want = {OH, OW, O};
  c.need_shape(c.y(), want, "output");
  c.check_weighted_tail(p, O, true);
  op.macs = O * OH * OW * cg * kh * kw;
}

k::ConvShape shape(const Bind& b, bool hwc) {
  const auto& x = b.in(0);
  const OpDesc& op = b.op();
  const bool one_d = x.shape.size() == 2;
  k::ConvShape s;
  s.in_c = int(hwc ? x.shape[2] : x.shape[0]);
  s.in_h = one_d ? 1 : int(hwc ? x.shape[0] : x.shape[1]);
  s.in_w = int(one_d ? x.shape[1] : (hwc ? x.shape[1] : x.shape[2]));
  s.out_c = int(b.in(1).shape[0]);
  const size_t last = op.kernel.size() - 1;
  s.kernel_h = one_d ? 1 : op.kernel[0];
  s.kernel_w = op.kernel[last];
  s.stride_h = one_d ? 1 : op.stride[0];
  s.stride_w = op.stride[last];
  s.pad_top = s.pad_bottom = one_d ? 0 : op.padding[0];
  s.pad_left = s.pad_right = op.padding[last];
  s.dilation_h = one_d ? 1 : op.dilation[0];
  s.dilation_w = op.dilation[last];
  s.groups = op.groups;
  return s;
}

struct ConvTraits {
  template <class T> using Args = k::ConvArgs<T>;
  template <class T> using BcArgs = k::ConvBcArgs<T>;
  using BnnArgs = k::ConvBnnArgs;
  template <class A> static void set_shape(A& a, Bind& b) { a.s = shape(b, std::is_same_v<A, BnnArgs>); }
};

NodePtr bind(Bind& b) { return bind_weighted<ConvTraits>(b, k::to_kernel_op(OpId(b.op().type))); }

const OpDef kConv{&check, &bind, true};

}  // namespace

SLIMRT_REGISTER_OPS(conv) {
  for (OpId id : {OpId::Conv1d, OpId::Conv2d, OpId::DepthwiseConv2d}) t.add(id, kConv);
}

}  // namespace slimrt::ops
