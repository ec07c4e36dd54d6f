// A fixed-point GRU / LSTM → smcu_gru / smcu_lstm: shifts from the formats (ops/rnn.cpp's
// binding) and the gate tables, filled with slimrt's own fixed::sigmoid / fixed::tanh
// (bit-exact by construction), trimmed to the inputs where the function does not saturate.
#include <algorithm>

#include "codegen/emit.h"
#include "slimrt/fixed_point.h"

namespace slimrt::mcu {

namespace {
// "{lo, n, name}" for f over [qmin, qmax] of the pre-activation word, ends trimmed.
std::string gate_table(Emitter& e, const std::string& base, int64_t (*f)(int64_t, int, int, int), int wl_pre,
                       int fl_pre, int wl_gate, int fl_gate) {
  const int64_t lo = fixed::qmin(wl_pre), hi = fixed::qmax(wl_pre);
  int64_t a = lo, b = hi;
  const int64_t first = f(lo, fl_pre, wl_gate, fl_gate), last = f(hi, fl_pre, wl_gate, fl_gate);
  while (a < b && f(a + 1, fl_pre, wl_gate, fl_gate) == first) ++a;
  while (b > a && f(b - 1, fl_pre, wl_gate, fl_gate) == last) --b;
  std::vector<long long> v;
  for (int64_t q = a; q <= b; ++q) v.push_back(f(q, fl_pre, wl_gate, fl_gate));
  return "{" + std::to_string(a) + ", " + std::to_string(v.size()) + ", " + e.table(base, "int16_t", v) + "}";
}
}  // namespace

void emit_gru(Emitter& e, size_t i, const OpDesc& op, const std::string& p) {
  const TensorDesc &x = e.t(op.inputs[0]), &wi = e.t(op.inputs[1]), &wh = e.t(op.inputs[2]), &y = e.t(op.outputs[0]);
  if (wi.dtype != x.dtype || wh.dtype != x.dtype || y.dtype != x.dtype) e.fail(i, "mixed precisions in an RNN");
  const int wl_pre = op.pre_wl != 0 ? op.pre_wl : 8, fp = op.pre_wl != 0 ? op.pre_fl : 0;
  const int fg = op.gate_fl;
  if (fg < 0) e.fail(i, "a negative gate FL has no device kernel");
  const bool lstm = op.type == OpType::Lstm;
  const int fl_i = x.fl + wi.fl, fl_hh = y.fl + wh.fl;
  auto sig = [](int64_t q, int a, int b, int c) { return fixed::sigmoid(q, a, b, c); };
  auto th = [](int64_t q, int a, int b, int c) { return fixed::tanh(q, a, b, c); };
  const std::string ts = gate_table(e, op.name + "_sigmoid", sig, wl_pre, fp, op.gate_wl, fg);
  const std::string tt = gate_table(e, op.name + "_tanh", th, wl_pre, fp, op.gate_wl, fg);
  const auto in = [&](size_t k) { return op.inputs.size() > k ? op.inputs[k] : -1; };
  const std::string head = std::to_string(x.shape[0]) + ", " + std::to_string(x.shape[1]) + ", " +
                           std::to_string(wh.shape[1]) + ", " + e.weight(in(1)) + ", " + e.weight(in(2)) + ", " +
                           e.weight(in(3)) + ", " + e.weight(in(4)) + ", " + std::to_string(fl_i - fp) + ", " +
                           std::to_string(fl_hh - fp) + ", ";
  const char* sfx = x.dtype == DType::I8 ? "i8" : "i16";
  if (lstm) {
    const int Fc = fg + std::max(fg, op.cell_fl);
    const std::string tc = gate_table(e, op.name + "_tanh_cell", th, op.cell_wl, op.cell_fl, op.gate_wl, fg);
    e.consts << "static const smcu_lstm " << p << " = {" << head << -(Fc - fg - op.cell_fl) << ", " << -(Fc - 2 * fg)
             << ", " << Fc - op.cell_fl << ", " << 2 * fg - y.fl << ", " << fixed::qmin(wl_pre) << ", "
             << fixed::qmax(wl_pre) << ", " << fixed::qmin(op.cell_wl) << ", " << fixed::qmax(op.cell_wl) << ", "
             << fixed::qmin(y.wl) << ", " << fixed::qmax(y.wl) << ", " << ts << ", " << tt << ", " << tc << "};\n";
    e.body << "  smcu_lstm_" << sfx << "(&" << p << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ", "
           << e.scratch(int(i)) << ");\n";
    return;
  }
  const int Fh = fg + std::max(fg, y.fl);
  e.consts << "static const smcu_gru " << p << " = {" << head << fg << ", " << -(Fh - 2 * fg) << ", "
           << -(Fh - fg - y.fl) << ", " << Fh - y.fl << ", " << fixed::qmin(wl_pre) << ", " << fixed::qmax(wl_pre)
           << ", " << fixed::qmin(y.wl) << ", " << fixed::qmax(y.wl) << ", " << ts << ", " << tt << "};\n";
  e.body << "  smcu_gru_" << sfx << "(&" << p << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ");\n";
}

}  // namespace slimrt::mcu
