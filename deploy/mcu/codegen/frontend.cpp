// The sensor front end on the device: a fixed-point AudioFeatures (int16 PCM → log-mel /
// MFCC at i8 / i16) → smcu_log_mel. Every table — Q15 window, bit reversal, Q30 twiddles,
// uint16 mel weights and their scale, the Q16 log2 table, the Q15 DCT — comes from
// slimrt's prepare_fixed_log_mel, so the device repeats its integer path and nothing else.
#include <stdexcept>
#include <string>

#include "codegen/emit.h"
#include "slimrt/fixed_point.h"
#include "slimrt/frontend.h"

namespace slimrt::mcu {

namespace {
namespace fr = slimrt::frontend;

template <class T>
std::vector<long long> wide(const std::vector<T>& v) {
  return std::vector<long long>(v.begin(), v.end());
}

// The values of `v` as a C table of `ctype`, refused (naming the table) when one does not fit [lo, hi].
template <class T>
std::string bounded_table(Emitter& e, size_t i, const std::string& base, const char* ctype, const std::vector<T>& v,
                          long long lo, long long hi) {
  for (T x : v)
    if (static_cast<long long>(x) < lo || static_cast<long long>(x) > hi)
      e.fail(i, "the front end's " + base + " table has " + std::to_string(static_cast<long long>(x)) +
                    ", outside " + ctype);
  return e.table(base, ctype, wide(v));
}

fr::FixedLogMelPlan prepare(const Emitter& e, size_t i, const OpDesc& op, const TensorDesc& x, const TensorDesc& y) {
  const FrontEndParams& f = op.frontend;
  fr::LogMelOptions o;
  o.rate_hz = f.sample_rate, o.clip_samples = x.shape[0], o.n_fft = f.n_fft, o.win_length = f.win_length;
  o.hop_length = f.hop_length, o.n_mels = f.n_mels, o.n_mfcc = f.n_mfcc, o.fmin = f.fmin, o.fmax = f.fmax;
  try {
    return fr::prepare_fixed_log_mel(o, y.wl > 0 ? y.wl : (y.dtype == DType::I8 ? 8 : 16), y.fl);
  } catch (const std::invalid_argument& err) {
    e.fail(i, err.what());
  }
}
}  // namespace

void emit_audio(Emitter& e, size_t i, const OpDesc& op, const std::string& p) {
  const TensorDesc &x = e.t(op.inputs[0]), &y = e.t(op.outputs[0]);
  if (!is_fixed(y.dtype))
    e.fail(i, "a float front end has no device kernel; the device runs AudioFeatures with a fixed-point (i8 / i16) "
              "output only");
  if (!e.plan().pcm_input || i != size_t(e.plan().ops.front()))
    e.fail(i, "the device front end must be the first op, reading the model's raw input");
  const fr::FixedLogMelPlan fp = prepare(e, i, op, x, y);
  const fr::LogMelPlan& g = fp.geometry;
  const fr::LogMelOptions& o = g.options;
  const int nq = o.n_mfcc;
  const std::string window = bounded_table(e, i, op.name + "_window_q15", "uint16_t", fp.window_q15, 0, 65535);
  const std::string rev = bounded_table(e, i, op.name + "_bitrev", "uint16_t", g.fft.bitrev, 0, 65535);
  const std::string sr = e.table(op.name + "_stage_re", "int32_t", wide(fp.stage_re));
  const std::string si = e.table(op.name + "_stage_im", "int32_t", wide(fp.stage_im));
  const std::string pr = e.table(op.name + "_split_re", "int32_t", wide(fp.split_re));
  const std::string pi = e.table(op.name + "_split_im", "int32_t", wide(fp.split_im));
  const std::string ms = bounded_table(e, i, op.name + "_mel_start", "uint16_t", g.mel_start, 0, 65535);
  const std::string ml = bounded_table(e, i, op.name + "_mel_len", "uint16_t", g.mel_len, 0, 65535);
  const std::string mo = bounded_table(e, i, op.name + "_mel_offset", "uint16_t", g.mel_offset, 0, 65535);
  const std::string mw = e.table(op.name + "_mel_weights", "uint16_t", wide(fp.mel_weights_q));
  const std::string lt = e.table(op.name + "_log2_q16", "int32_t", wide(fp.log2_q16));
  const std::string dct = nq > 0 ? bounded_table(e, i, op.name + "_dct_q15", "int16_t", fp.dct_q15, -32768, 32767) : "0";
  const int64_t floor_ln = fr::fixed_ln_q16(fr::kFixedFloorMantissa, fr::kFixedFloorExponent);
  e.consts << "static const smcu_log_mel_p " << p << " = {" << o.n_fft << ", " << o.win_length << ", " << o.hop_length
           << ", " << g.win_offset << ", " << o.clip_samples << ", " << g.frames << ", " << o.n_mels << ", " << nq
           << ", " << fr::kFixedBlockBits << ", " << fp.mel_scale << ", " << (y.dtype == DType::I8 ? 8 : 16) << ", "
           << (nq > 0 ? 31 : 16) - fp.frac_bits << ", " << fixed::qmin(fp.word_length) << ", "
           << fixed::qmax(fp.word_length) << ", " << fr::kFixedFloorExponent << ", " << fr::kFixedFloorMantissa << "u, "
           << floor_ln << ", " << fr::kFixedLn2Q30 << ",\n  " << window << ", " << rev << ", " << sr << ", " << si
           << ", " << pr << ", " << pi << ", " << ms << ", " << ml << ", " << mo << ", " << mw << ", " << lt << ", "
           << dct << "};\n";
  e.body << "  smcu_log_mel(&" << p << ", " << e.act(op.inputs[0]) << ", " << e.act(op.outputs[0]) << ", "
         << e.scratch(int(i)) << ", " << e.scratch(int(i), log_mel_s32_bytes(op.frontend), "uint64_t") << ");\n";
}

}  // namespace slimrt::mcu
