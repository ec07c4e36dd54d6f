// Gru and Lstm (one layer, LibTorch gate order): x [T, F], w_ih [G·H, F], w_hh [G·H, H],
// optional b_ih, b_hh; fixed point with the op's gate / cell / pre-activation formats.
#include "op_registry.h"

namespace slimrt::ops {

static void check(Check& c) {
  const OpDesc& op = c.op;
  const int64_t G = op.type == OpType::Gru ? 3 : 4;
  const TensorDesc &xt = c.x(), &wi = *c.in(1), &wh = *c.in(2);
  c.need_const(wi, "weight_ih");
  c.need_const(wh, "weight_hh");
  c.need_rank(xt, 2, "input");
  c.need_rank(wh, 2, "weight_hh");
  const int64_t T = xt.shape[0], F = xt.shape[1], Hd = wh.shape[1];
  c.need_shape(wi, {G * Hd, F}, "weight_ih");
  c.need_shape(wh, {G * Hd, Hd}, "weight_hh");
  c.need_shape(c.y(), {T, Hd}, "output");
  const OpPrecision p = c.precision();
  if (p != OpPrecision::kF32 && p != OpPrecision::kI8 && p != OpPrecision::kI16)
    c.fail("recurrent layers run in f32, i8 or i16");
  const DType d = xt.dtype;
  c.need_dtype(wi, d, "weight_ih");
  c.need_dtype(wh, d, "weight_hh");
  c.need_dtype(c.y(), d, "output");
  c.check_bias(c.in(3, true), G * Hd, p, xt.fl + wi.fl);
  c.check_bias(c.in(4, true), G * Hd, p, c.y().fl + wh.fl);
  if (p != OpPrecision::kF32) {
    const int bits = d == DType::I8 ? 8 : 16;
    if (op.gate_wl < 2 || op.gate_wl > bits || op.gate_fl < -16 || op.gate_fl > 30)
      c.fail("gate format ⟨%d, %d⟩ is not valid", op.gate_wl, op.gate_fl);
    if (G == 4 && (op.cell_wl < 2 || op.cell_wl > bits || op.cell_fl < -16 || op.cell_fl > 30))
      c.fail("cell format ⟨%d, %d⟩ is not valid", op.cell_wl, op.cell_fl);
    if (op.pre_wl != 0 && (op.pre_wl < 2 || op.pre_wl > 16 || op.pre_fl < -16 || op.pre_fl > 30))
      c.fail("gate pre-activation format ⟨%d, %d⟩ is not valid", op.pre_wl, op.pre_fl);
  }
  c.op.macs = T * G * Hd * (F + Hd);
}

static NodePtr bind(Bind& b) {
  return b.by_element_type([&](auto tag) {
    using T = decltype(tag);
    const OpDesc& op = b.op();
    KernelNode<k::RnnArgs<T>> n;
    const auto& x = b.in(0);
    const auto& wh = b.in(2);
    n.args.steps = int(x.shape[0]);
    n.args.input = int(x.shape[1]);
    n.args.hidden = int(wh.shape[1]);
    n.args.w_ih = static_cast<const T*>(b.weights(1));
    n.args.w_hh = static_cast<const T*>(b.weights(2));
    n.args.b_ih = b.weights(3);
    n.args.b_hh = b.weights(4);
    auto& q = n.args.q;
    q.fl_x = x.fl;
    q.fl_w_ih = b.in(1).fl;
    q.fl_w_hh = wh.fl;
    q.fl_h = b.out().fl;
    q.wl_h = b.out().wl;
    q.fl_gate = op.gate_fl;
    q.wl_gate = op.gate_wl;
    q.fl_c = op.cell_fl;
    q.wl_c = op.cell_wl;
    if (op.pre_wl != 0) {
      q.fl_pre = op.pre_fl;
      q.wl_pre = op.pre_wl;
    }
    return b.finish_xy(n, k::to_kernel_op(OpId(op.type)), elem_precision(x.dtype));
  });
}

SLIMRT_REGISTER_OPS(rnn) { t.add({OpId::Gru, OpId::Lstm}, {&check, &bind, 3, 5}); }

}  // namespace slimrt::ops
