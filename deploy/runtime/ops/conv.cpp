// Conv1d, Conv2d, DepthwiseConv2d: x CHW (packed BNN maps HWC), weight input 1
// [out][in/groups][kh][kw] (BinaryConnect [out][words], BNN [out][kh][kw][in]), zero padding.
#include "ops/weighted.h"

namespace slimrt::ops {

static void check_groups(Check& c, int64_t C, bool bnn) {
  const int g = c.op.groups;
  if (g < 1 || g > C || C % g != 0) c.fail("groups %d does not divide %lld input channels", g, (long long)C);
  if (c.op.type == OpType::DepthwiseConv2d && g != C)
    c.fail("a depthwise convolution needs groups == input channels (%lld)", (long long)C);
  if (bnn && g != 1) c.fail("binary (BNN) convolutions need groups = 1");
}

static void check(Check& c) {
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
  const Check::Extents in = Check::extents(xt, one_d, bnn);
  check_groups(c, in.c, bnn);
  c.attr(op.kernel, axes, 1, 1, 1 << 16, "kernel");
  c.attr(op.stride, axes, 1, 1, 1 << 16, "stride");
  c.attr(op.padding, axes, 0, 0, 1 << 16, "padding");
  c.attr(op.dilation, axes, 1, 1, 1 << 16, "dilation");
  const int kh = one_d ? 1 : op.kernel[0], kw = op.kernel[axes - 1];
  const int64_t cg = in.c / op.groups;
  c.need_rank(w, bnn ? 4 : bc ? 2 : axes + 2, "weight");
  const int64_t O = w.shape[0];
  if (bnn) c.need_shape(w, {O, kh, kw, in.c}, "weight");
  else if (bc) c.need_shape(w, {O, cg * kh * kw}, "weight");
  else if (one_d) c.need_shape(w, {O, cg, kw}, "weight");
  else c.need_shape(w, {O, cg, kh, kw}, "weight");
  if (O % op.groups != 0) c.fail("%lld output channels are not a multiple of groups %d", (long long)O, op.groups);
  const int64_t OH = one_d ? 1 : c.window_out(in.h, kh, op.stride[0], op.padding[0], op.dilation[0], "height");
  const int64_t OW = c.window_out(in.w, kw, op.stride[axes - 1], op.padding[axes - 1], op.dilation[axes - 1],
                                  one_d ? "length" : "width");
  std::vector<int64_t> want = one_d ? std::vector<int64_t>{O, OW} : std::vector<int64_t>{O, OH, OW};
  if (bnn && c.y().dtype == DType::BIN) want = {OH, OW, O};
  c.need_shape(c.y(), want, "output");
  c.check_weighted_tail(p, O, true);
  op.macs = O * OH * OW * cg * kh * kw;
}

static k::ConvShape shape(const Bind& b, bool hwc) {
  const OpDesc& op = b.op();
  const bool one_d = b.in(0).shape.size() == 2;
  const Check::Extents in = Check::extents(b.in(0), one_d, hwc);
  k::ConvShape s;
  s.in_c = int(in.c);
  s.in_h = int(in.h);
  s.in_w = int(in.w);
  s.out_c = int(b.in(1).shape[0]);
  b.set_window(s, one_d);
  s.dilation_h = one_d ? 1 : op.dilation[0];
  s.dilation_w = op.dilation[op.dilation.size() - 1];
  s.groups = op.groups;
  return s;
}

namespace {
struct ConvTraits {
  template <class T> using Args = k::ConvArgs<T>;
  template <class T> using BcArgs = k::ConvBcArgs<T>;
  using BnnArgs = k::ConvBnnArgs;
  template <class A> static void set_shape(A& a, Bind& b) { a.s = shape(b, std::is_same_v<A, BnnArgs>); }
};
}  // namespace

static NodePtr bind(Bind& b) { return bind_weighted<ConvTraits>(b, k::to_kernel_op(OpId(b.op().type))); }

SLIMRT_REGISTER_OPS(conv) { t.add({OpId::Conv1d, OpId::Conv2d, OpId::DepthwiseConv2d}, {&check, &bind, 2, 5, true}); }

}  // namespace slimrt::ops
