// The reference kernels against independent formulations: binary kernels against
// float kernels fed ±1 data (larq style), fixed-point kernels against exact integer
// / real arithmetic, GRU and LSTM against hand-evaluated formulas.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/ref/ref.h"

namespace slimrt::kernels {
namespace {

std::vector<float> random_signs(std::mt19937& g, size_t n) {
  std::vector<float> v(n);
  for (float& x : v) x = (g() & 1) ? 1.0f : -1.0f;
  return v;
}

// Packs a CHW ±1 tensor as [H][W][words(C)].
std::vector<uint64_t> pack_hwc(const std::vector<float>& chw, int c, int hw) {
  const size_t cw = bits::words_for(size_t(c));
  std::vector<uint64_t> out(size_t(hw) * cw, 0);
  for (int ch = 0; ch < c; ++ch)
    for (int p = 0; p < hw; ++p)
      if (chw[size_t(ch) * hw + p] < 0) out[size_t(p) * cw + ch / 64] |= uint64_t(1) << (ch % 64);
  return out;
}

TEST(BinaryRef, ConvMatchesFloatConvOnSigns) {
  std::mt19937 g(7);
  for (int in_c : {1, 13, 64, 65, 130})
    for (int pad : {0, 1, 2}) {
      ConvShape s;
      s.in_c = in_c;
      s.in_h = 7;
      s.in_w = 6;
      s.out_c = 5;
      s.kernel_h = s.kernel_w = 3;
      s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
      s.stride_w = 2;
      s.dilation_h = pad == 2 ? 2 : 1;
      const auto x = random_signs(g, size_t(in_c) * 42);
      const auto w = random_signs(g, size_t(5) * in_c * 9);
      std::vector<float> yf(size_t(5) * s.out_h() * s.out_w());
      ConvArgs<float> fa;
      fa.s = s;
      fa.x = x.data();
      fa.w = w.data();
      fa.y = yf.data();
      ref::conv_f32(fa);  // zero padding in float: padded taps contribute 0

      // Binary weights [out][kh][kw][words(in)] from float [out][in][kh][kw].
      const size_t cw = bits::words_for(size_t(in_c));
      std::vector<uint64_t> wb(size_t(5) * 9 * cw, 0);
      for (int o = 0; o < 5; ++o)
        for (int c = 0; c < in_c; ++c)
          for (int k = 0; k < 9; ++k)
            if (w[(size_t(o) * in_c + c) * 9 + k] < 0) wb[(size_t(o) * 9 + k) * cw + c / 64] |= uint64_t(1) << (c % 64);
      const auto xb = pack_hwc(x, in_c, 42);
      std::vector<int32_t> yi(yf.size());
      ConvBnnArgs ba;
      ba.s = s;
      ba.x = xb.data();
      ba.w = wb.data();
      ba.out.kind = BnnOutput::kInt32;
      ba.out.y_i32 = yi.data();
      ref::conv_bnn(ba);
      for (size_t i = 0; i < yf.size(); ++i) ASSERT_EQ(float(yi[i]), yf[i]) << "in_c " << in_c << " pad " << pad << " at " << i;

      // BinaryConnect conv on the same ±1 weights with real inputs: same as float conv.
      std::vector<float> xr(x.size());
      for (float& v : xr) v = std::uniform_real_distribution<float>(-1, 1)(g);
      std::vector<uint64_t> wbc(size_t(5) * bits::words_for(size_t(in_c) * 9));
      for (int o = 0; o < 5; ++o) bits::pack_row(w.data() + size_t(o) * in_c * 9, size_t(in_c) * 9, wbc.data() + o * bits::words_for(size_t(in_c) * 9));
      std::vector<float> ybc(yf.size());
      ConvBcArgs<float> ca;
      ca.s = s;
      ca.x = xr.data();
      ca.w = wbc.data();
      ca.y = ybc.data();
      ref::conv_bc_f32(ca);
      fa.x = xr.data();
      ref::conv_f32(fa);
      for (size_t i = 0; i < yf.size(); ++i) ASSERT_NEAR(ybc[i], yf[i], 1e-5);
    }
}

TEST(BinaryRef, DenseThresholdsEqualBatchNormThenSign) {
  std::mt19937 g(11);
  const int in = 100, out = 70;
  const auto x = random_signs(g, in), w = random_signs(g, size_t(out) * in);
  std::vector<uint64_t> xb(bits::words_for(in)), wb(size_t(out) * bits::words_for(in));
  bits::pack_row(x.data(), in, xb.data());
  for (int o = 0; o < out; ++o) bits::pack_row(w.data() + size_t(o) * in, in, wb.data() + o * bits::words_for(in));
  std::vector<bits::SignThreshold> th(out);
  std::vector<double> gamma(out), beta(out), mean(out), var(out);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int o = 0; o < out; ++o) {
    gamma[o] = o % 7 == 0 ? 0.0 : u(g) * 2;
    beta[o] = u(g);
    mean[o] = u(g) * 10;
    var[o] = 0.5 + u(g) * 0.4;
    th[o] = bits::fold_bn_sign(gamma[o], beta[o], mean[o], var[o], 1e-5);
  }
  std::vector<uint64_t> yb(bits::words_for(out), ~uint64_t(0));
  DenseBnnArgs a;
  a.s = {1, in, out};
  a.x = xb.data();
  a.w = wb.data();
  a.out.kind = BnnOutput::kBits;
  a.out.thresholds = th.data();
  a.out.y_bits = yb.data();
  ref::dense_bnn(a);
  for (int o = 0; o < out; ++o) {
    double dot = 0;
    for (int i = 0; i < in; ++i) dot += x[i] * w[size_t(o) * in + i];
    const double bn = gamma[o] * (dot - mean[o]) / std::sqrt(var[o] + 1e-5) + beta[o];
    const uint64_t want = bn >= 0 ? 0 : 1;
    EXPECT_EQ((yb[o / 64] >> (o % 64)) & 1u, want) << "unit " << o << " bn " << bn;
  }
  EXPECT_EQ(yb[1] >> (out - 64), 0u) << "padding bits of the output stay 0";
}

TEST(FixedRef, DenseEqualsRoundedExactSum) {
  std::mt19937 g(3);
  const int in = 37, out = 19;
  std::uniform_int_distribution<int> q8(-128, 127);
  std::vector<int8_t> x(in), w(size_t(out) * in), y(out);
  std::vector<int32_t> b(out);
  for (auto& v : x) v = int8_t(q8(g));
  for (auto& v : w) v = int8_t(q8(g));
  for (auto& v : b) v = q8(g) * 50;
  DenseArgs<int8_t> a;
  a.s = {1, in, out};
  a.x = x.data();
  a.w = w.data();
  a.bias = b.data();
  a.y = y.data();
  a.q.fl_x = 4;
  a.q.fl_w = 7;
  a.q.fl_y = 2;
  a.q.wl_y = 8;
  ref::dense_fixed(a);
  int saturated = 0;
  for (int o = 0; o < out; ++o) {
    // Real arithmetic: Σ (x·2^−4)(w·2^−7) + b·2^−11, then round to nearest (ties up) on 2^−2, saturate.
    double real = b[o] * std::ldexp(1.0, -11);
    for (int i = 0; i < in; ++i) real += std::ldexp(double(x[i]), -4) * std::ldexp(double(w[size_t(o) * in + i]), -7);
    double q = std::floor(real * 4 + 0.5);
    if (q > 127 || q < -128) ++saturated;
    q = std::min(127.0, std::max(-128.0, q));
    EXPECT_EQ(y[o], int8_t(q)) << "unit " << o << " real " << real;
  }
  EXPECT_GT(saturated, 0);
  EXPECT_LT(saturated, out);
}

TEST(FixedRef, TiesRoundUpAndReluCommutes) {
  // acc = −3 at fl 1 is −1.5 → rounds (ties up) to −1 at fl 0; ReLU then gives 0.
  int16_t x[1] = {-3}, w[1] = {1}, y[1] = {0};
  DenseArgs<int16_t> a;
  a.s = {1, 1, 1};
  a.x = x;
  a.w = w;
  a.y = y;
  a.q.fl_x = 1;
  a.q.fl_w = 0;
  a.q.fl_y = 0;
  a.q.wl_y = 16;
  ref::dense_fixed(a);
  EXPECT_EQ(y[0], -1);
  x[0] = 5;  // 2.5 → 3
  ref::dense_fixed(a);
  EXPECT_EQ(y[0], 3);
  a.act = Activation::kRelu6;
  a.q.fl_y = -1;  // step 2: 6 is representable as 3
  x[0] = 40;      // 20 → clamp at 6 → q = 3
  ref::dense_fixed(a);
  EXPECT_EQ(y[0], 3);
}

TEST(FixedRef, Int16SumsBeyondInt32AreExact) {
  const int in = 3;  // 3·2^30 > 2^31
  std::vector<int16_t> x(in, -32768), w(in, -32768), y(1);
  DenseArgs<int16_t> a;
  a.s = {1, in, 1};
  a.x = x.data();
  a.w = w.data();
  a.y = y.data();
  a.q.fl_x = 0;
  a.q.fl_w = 0;
  a.q.fl_y = -17;  // 3·2^30 / 2^17 = 24576
  a.q.wl_y = 16;
  ref::dense_fixed(a);
  EXPECT_EQ(y[0], 24576);
}

// One-layer RNN args over caller-owned arrays.
template <class V>
RnnArgs<V> rnn_args(int steps, int input, int hidden, const V* x, const V* w_ih, const V* w_hh, V* y) {
  RnnArgs<V> a;
  a.steps = steps;
  a.input = input;
  a.hidden = hidden;
  a.x = x;
  a.w_ih = w_ih;
  a.w_hh = w_hh;
  a.y = y;
  return a;
}

float sig(float v) { return 1.0f / (1.0f + std::exp(-v)); }

TEST(RnnRef, GruOneUnitByHand) {
  // F = 1, H = 1, two steps; weights chosen so every gate is non-trivial.
  const float wih[3] = {0.5f, -0.25f, 1.5f}, whh[3] = {-1.0f, 0.75f, 0.5f};
  const float bih[3] = {0.1f, 0.2f, -0.3f}, bhh[3] = {0.05f, -0.1f, 0.2f};
  const float x[2] = {0.8f, -1.2f};
  float y[2];
  RnnArgs<float> a = rnn_args(2, 1, 1, x, wih, whh, y);
  a.b_ih = bih;
  a.b_hh = bhh;
  ref::gru_f32(a);
  float h = 0;
  for (int t = 0; t < 2; ++t) {
    const float r = sig(wih[0] * x[t] + bih[0] + whh[0] * h + bhh[0]);
    const float z = sig(wih[1] * x[t] + bih[1] + whh[1] * h + bhh[1]);
    const float n = std::tanh(wih[2] * x[t] + bih[2] + r * (whh[2] * h + bhh[2]));
    h = (1 - z) * n + z * h;
    EXPECT_NEAR(y[t], h, 1e-6) << "step " << t;
  }
}

TEST(RnnRef, LstmOneUnitByHand) {
  const float wih[4] = {0.5f, -0.25f, 1.5f, 0.3f}, whh[4] = {-1.0f, 0.75f, 0.5f, -0.6f};
  const float x[3] = {0.8f, -1.2f, 0.4f};
  float y[3], c_scratch[1];
  RnnArgs<float> a = rnn_args(3, 1, 1, x, wih, whh, y);
  a.ws.scratch = c_scratch;
  ref::lstm_f32(a);
  float h = 0, c = 0;
  for (int t = 0; t < 3; ++t) {
    const float i = sig(wih[0] * x[t] + whh[0] * h), f = sig(wih[1] * x[t] + whh[1] * h);
    const float gg = std::tanh(wih[2] * x[t] + whh[2] * h), o = sig(wih[3] * x[t] + whh[3] * h);
    c = f * c + i * gg;
    h = o * std::tanh(c);
    EXPECT_NEAR(y[t], h, 1e-6) << "step " << t;
  }
}

// The fixed-point GRU follows the float GRU on the same (quantized) weights within a
// few quantization steps, and its first step equals the formula evaluated by hand.
TEST(RnnRef, FixedGruTracksFloatGru) {
  std::mt19937 g(5);
  const int T = 8, F = 6, H = 5;
  std::uniform_real_distribution<float> u(-0.4f, 0.4f);
  std::vector<float> wih(3 * H * F), whh(3 * H * H), x(T * F);
  for (auto& v : wih) v = u(g);
  for (auto& v : whh) v = u(g);
  for (auto& v : x) v = 3 * u(g);
  RnnFixedFormats q;
  q.fl_x = 5;
  q.fl_w_ih = q.fl_w_hh = 12;
  q.fl_h = 12;
  q.wl_h = 16;
  q.fl_pre = 11;
  q.wl_pre = 16;
  q.fl_gate = 14;
  q.wl_gate = 16;
  auto quant = [](const std::vector<float>& v, int fl) {
    std::vector<int16_t> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = int16_t(fixed::quantize(v[i], 16, fl));
    return out;
  };
  auto deq = [](const std::vector<int16_t>& v, int fl) {
    std::vector<float> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = float(fixed::dequantize(v[i], fl));
    return out;
  };
  const auto wihq = quant(wih, q.fl_w_ih), whhq = quant(whh, q.fl_w_hh), xq = quant(x, q.fl_x);
  std::vector<int16_t> yq(T * H);
  RnnArgs<int16_t> a = rnn_args(T, F, H, xq.data(), wihq.data(), whhq.data(), yq.data());
  a.q = q;
  ref::gru_fixed(a);
  const auto wihf = deq(wihq, q.fl_w_ih), whhf = deq(whhq, q.fl_w_hh), xf = deq(xq, q.fl_x);
  std::vector<float> yf(T * H);
  ref::gru_f32(rnn_args(T, F, H, xf.data(), wihf.data(), whhf.data(), yf.data()));
  for (int i = 0; i < T * H; ++i) EXPECT_NEAR(fixed::dequantize(yq[i], q.fl_h), yf[i], 8 * std::ldexp(1.0, -12)) << i;
  // Step 0 by hand (h0 = 0, no biases, so gh = 0): pre-activations rounded to 2^−11,
  // gates to 2^−14, h to 2^−12 — docs/DESIGN-NOTES.md's fixed-point GRU.
  for (int u0 = 0; u0 < H; ++u0) {
    double pre[3] = {0, 0, 0};
    for (int gate = 0; gate < 3; ++gate)
      for (int i = 0; i < F; ++i) pre[gate] += double(wihf[(gate * H + u0) * F + i]) * xf[i];
    auto round_to = [](double v, int fl) { return fixed::dequantize(fixed::quantize(v, 16, fl), fl); };
    const double z = round_to(1 / (1 + std::exp(-round_to(pre[1], 11))), 14);
    const double n = round_to(std::tanh(round_to(pre[2], 11)), 14);
    EXPECT_EQ(yq[u0], fixed::quantize((1 - z) * n, 16, 12)) << "unit " << u0;
  }
}

TEST(PoolRef, FixedAverageIsRoundedMean) {
  int8_t x[6] = {1, 2, 2, -7, 5, 0};  // fl_x 1
  int8_t y[3];
  PoolArgs<int8_t> a;
  a.s.channels = 1;
  a.s.in_w = 6;
  a.s.out_w = 3;
  a.s.kernel_w = 2;
  a.s.stride_w = 2;
  a.x = x;
  a.y = y;
  a.q.fl_x = 1;
  a.q.fl_y = 1;
  a.q.wl_y = 8;
  ref::avg_pool(a);
  EXPECT_EQ(y[0], 2);   // 1.5/2·… : (0.5 + 1)/2 = 0.75 → 1.5 at fl 1 → 2 (tie up)
  EXPECT_EQ(y[1], -2);  // (1 − 3.5)/2 = −1.25 → −2.5 → −2 (tie up)
  EXPECT_EQ(y[2], 3);   // 2.5/2 = 1.25 → 2.5 → 3
}

// The reference transpose simplifies the permutation (unit axes dropped, axes that stay
// adjacent merged) and copies strided runs: it must equal the element-by-element
// definition y[out index] = x[in index] for every rank, permutation, unit axis and size.
// Broadcasting Add / Mul against their definition: output index (i0, i1, i2) reads each
// input at its own index with the broadcast axes held at 0 (numpy's rule, written out).
TEST(BroadcastRef, AddAndMulEqualTheirDefinitionOnEveryBroadcastPattern) {
  using S = std::vector<int64_t>;
  const std::pair<S, S> cases[] = {{{3, 4, 5}, {3, 1, 1}}, {{3, 1, 1}, {3, 4, 5}}, {{3, 4, 5}, {5}},    {{3, 4, 5}, {1, 4, 1}},
                                   {{3, 1, 5}, {1, 4, 1}}, {{3, 4, 5}, {1}},       {{4, 5}, {3, 1, 1}}, {{3, 4, 5}, {3, 4, 5}}};
  std::mt19937 g(11);
  std::uniform_real_distribution<float> u(-2, 2);
  for (const auto& [sa, sb] : cases) {
    S out;
    ASSERT_TRUE(broadcast_shape(sa, sb, out));
    ASSERT_EQ(out, (S{3, 4, 5}));
    auto padded = [](S s) {  // to rank 3 with leading 1s
      while (s.size() < 3) s.insert(s.begin(), 1);
      return s;
    };
    const S pa = padded(sa), pb = padded(sb);
    std::vector<float> a(size_t(pa[0] * pa[1] * pa[2])), b(size_t(pb[0] * pb[1] * pb[2])), y(60), z(60);
    for (float& v : a) v = u(g);
    for (float& v : b) v = u(g);
    AddArgs<float> args;
    ASSERT_TRUE(make_broadcast(sa, sb, out, args.bc));
    EXPECT_LE(args.bc.rank, 3);
    args.count = 60;
    args.x = a.data();
    args.x2 = b.data();
    args.y = y.data();
    ref::add(args);
    args.y = z.data();
    ref::mul(args);
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 4; ++j)
        for (int64_t k = 0; k < 5; ++k) {
          const float va = a[size_t(((pa[0] > 1 ? i : 0) * pa[1] + (pa[1] > 1 ? j : 0)) * pa[2] + (pa[2] > 1 ? k : 0))];
          const float vb = b[size_t(((pb[0] > 1 ? i : 0) * pb[1] + (pb[1] > 1 ? j : 0)) * pb[2] + (pb[2] > 1 ? k : 0))];
          EXPECT_EQ(y[size_t((i * 4 + j) * 5 + k)], va + vb) << i << j << k;
          EXPECT_EQ(z[size_t((i * 4 + j) * 5 + k)], va * vb) << i << j << k;
        }
  }
  S out;
  EXPECT_FALSE(broadcast_shape({3, 4}, {3, 1, 5}, out));  // trailing axes 4 and 5
  EXPECT_FALSE(broadcast_shape({2, 3}, {3, 2}, out));
  Broadcast bc;
  EXPECT_FALSE(make_broadcast({3, 4}, {3, 1}, {3, 5}, bc));  // an input that does not reach the output
}

TEST(DataRef, TransposeEqualsItsDefinitionOnEveryPermutationShape) {
  std::mt19937 rng(17);
  int checked = 0;
  for (int rank = 1; rank <= 5; ++rank)
    for (int trial = 0; trial < 40; ++trial)
      for (int bytes : {1, 2, 4, 8, 3}) {
        TransposeArgs t;
        t.rank = rank;
        int64_t count = 1;
        for (int i = 0; i < rank; ++i) {
          t.shape[i] = std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 1 : std::uniform_int_distribution<int>(1, 5)(rng);
          t.perm[i] = i;
          count *= t.shape[i];
        }
        std::shuffle(t.perm, t.perm + rank, rng);
        t.elem_bytes = bytes;
        std::vector<uint8_t> x(size_t(count) * bytes), y(x.size(), 0xAB), want(x.size());
        for (auto& v : x) v = uint8_t(rng());
        int64_t in_stride[6], out_shape[6], idx[6] = {};
        for (int i = rank - 1, st = 1; i >= 0; --i) {
          in_stride[i] = st;
          st *= int(t.shape[i]);
        }
        for (int i = 0; i < rank; ++i) out_shape[i] = t.shape[t.perm[i]];
        for (int64_t n = 0; n < count; ++n) {
          int64_t src = 0;
          for (int i = 0; i < rank; ++i) src += idx[i] * in_stride[t.perm[i]];
          std::memcpy(&want[size_t(n) * bytes], &x[size_t(src) * bytes], size_t(bytes));
          for (int i = rank - 1; i >= 0; --i) {
            if (++idx[i] < out_shape[i]) break;
            idx[i] = 0;
          }
        }
        t.x = x.data();
        t.y = y.data();
        ref::transpose(t);
        ASSERT_EQ(y, want) << "rank " << rank << " trial " << trial << " bytes " << bytes;
        ++checked;
      }
  EXPECT_EQ(checked, 5 * 40 * 5);
}

// The quantize / requantize kernels hoist their per-element work; each output must still be
// exactly fixed::quantize / fixed::requantize of its input (ties, saturation, NaN, ±inf).
TEST(DataRef, QuantizeAndRequantizeEqualTheirFixedPointDefinitions) {
  std::mt19937 rng(23);
  std::vector<float> x(4096);
  for (auto& v : x) v = std::uniform_real_distribution<float>(-300, 300)(rng);
  for (int i = 0; i < 64; ++i) x[size_t(i)] = float(i - 32) * 0.125f;  // exact ties at several FLs
  x[100] = std::nanf("");
  x[101] = INFINITY;
  x[102] = -INFINITY;
  x[103] = 3.4e38f;
  x[104] = 1e-40f;
  for (int fl : {-3, 0, 2, 5, 7, 12}) {
    std::vector<int8_t> q8(x.size());
    std::vector<int16_t> q16(x.size());
    QuantizeArgs<int8_t> a8;
    a8.count = int64_t(x.size());
    a8.x = x.data();
    a8.y = q8.data();
    a8.q.wl_y = 8;
    a8.q.fl_y = fl;
    ref::quantize(a8);
    QuantizeArgs<int16_t> a16;
    a16.count = a8.count;
    a16.x = x.data();
    a16.y = q16.data();
    a16.q.wl_y = 16;
    a16.q.fl_y = fl;
    ref::quantize(a16);
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(q8[i], fixed::quantize(x[i], 8, fl)) << x[i] << " fl " << fl;
      ASSERT_EQ(q16[i], fixed::quantize(x[i], 16, fl)) << x[i] << " fl " << fl;
    }
    for (int fl_out : {fl - 3, fl, fl + 2}) {
      std::vector<int8_t> r8(x.size());
      std::vector<int16_t> r16(x.size());
      for (int xb : {8, 16})
        for (int yb : {8, 16}) {
          RequantizeArgs r;
          r.count = int64_t(x.size());
          r.x = xb == 8 ? static_cast<const void*>(q8.data()) : q16.data();
          r.x_bits = xb;
          r.y = yb == 8 ? static_cast<void*>(r8.data()) : r16.data();
          r.y_bits = yb;
          r.q.fl_x = fl;
          r.q.wl_y = yb;
          r.q.fl_y = fl_out;
          ref::requantize(r);
          for (size_t i = 0; i < x.size(); ++i) {
            const int64_t in = xb == 8 ? q8[i] : q16[i];
            ASSERT_EQ(yb == 8 ? int64_t(r8[i]) : int64_t(r16[i]), fixed::requantize(in, fl, yb, fl_out));
          }
        }
    }
  }
}

TEST(DataRef, TransposeAndSlice) {
  float x[2 * 3 * 4];
  for (int i = 0; i < 24; ++i) x[i] = float(i);
  float y[24];
  TransposeArgs t;
  t.rank = 3;
  t.shape[0] = 2;
  t.shape[1] = 3;
  t.shape[2] = 4;
  t.perm[0] = 2;
  t.perm[1] = 0;
  t.perm[2] = 1;
  t.x = x;
  t.y = y;
  ref::transpose(t);
  // y[k][i][j] = x[i][j][k], y shape [4][2][3]
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) EXPECT_EQ(y[(k * 2 + i) * 3 + j], x[(i * 3 + j) * 4 + k]);
  SliceArgs s;
  s.outer = 2;
  s.axis = 3;
  s.inner = 4;
  s.begin = 1;
  s.end = 3;
  s.x = x;
  s.y = y;
  ref::slice(s);
  for (int o = 0; o < 2; ++o)
    for (int a = 0; a < 2; ++a)
      for (int i = 0; i < 4; ++i) EXPECT_EQ(y[(o * 2 + a) * 4 + i], x[(o * 3 + a + 1) * 4 + i]);
  s.begin = 0;  // Reverse: the whole axis of 3, backwards
  ref::reverse(s);
  for (int o = 0; o < 2; ++o)
    for (int a = 0; a < 3; ++a)
      for (int i = 0; i < 4; ++i) EXPECT_EQ(y[(o * 3 + a) * 4 + i], x[(o * 3 + 2 - a) * 4 + i]);
}

// fixed::hard_swish against its definition: x·relu6(x + 3)/6 in long double (exact for
// these magnitudes: a ratio of small integers whose .5 ties are representable), rounded
// half up and saturated, for every int8 / int16 input in several formats.
TEST(UnaryRef, FixedHardSwishIsTheRoundedExactValue) {
  const int formats[][3] = {{4, 6, 8}, {0, 0, 8}, {-2, 3, 8}, {7, 7, 8}, {11, 12, 16}, {-3, 4, 16}, {14, 9, 16}};
  for (const auto& f : formats) {
    const int bits = f[2];
    for (int64_t q = fixed::qmin(bits); q <= fixed::qmax(bits); ++q) {
      const long double x = std::ldexp((long double)q, -f[0]);
      const long double r = std::min<long double>(std::max<long double>(x + 3, 0), 6);
      const long double v = std::floor(std::ldexp(x * r / 6, f[1]) + 0.5L);
      const int64_t want = fixed::saturate(int64_t(std::max<long double>(std::min<long double>(v, 1e15L), -1e15L)), bits);
      ASSERT_EQ(fixed::hard_swish(q, f[0], bits, f[1]), want) << "q " << q << " fl " << f[0] << " → " << f[1];
    }
  }
}

// The unary reference kernels: float against the formula, fixed point = the function.
TEST(UnaryRef, SigmoidAndHardSwishKernels) {
  std::vector<float> x = {-100.f, -8.f, -3.f, -0.5f, 0.f, 0.5f, 3.f, 8.f, 100.f}, y(x.size());
  ActivationArgs<float> a;
  a.count = int64_t(x.size());
  a.x = x.data();
  a.y = y.data();
  ref::unary<ref::SigmoidFn, float>(a);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], 1.0 / (1.0 + std::exp(-double(x[i]))), 1e-7) << x[i];
  ref::unary<ref::HardSwishFn, float>(a);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(y[i], double(x[i]) * std::min(std::max(double(x[i]) + 3, 0.0), 6.0) / 6, 1e-5) << x[i];
  std::vector<int8_t> q = {-128, -48, 0, 16, 127}, qy(q.size());
  ActivationArgs<int8_t> b;
  b.count = int64_t(q.size());
  b.x = q.data();
  b.y = qy.data();
  b.q.fl_x = 4;
  b.q.fl_y = 7;
  b.q.wl_y = 8;
  ref::unary<ref::SigmoidFn, int8_t>(b);
  for (size_t i = 0; i < q.size(); ++i) EXPECT_EQ(qy[i], fixed::sigmoid(q[i], 4, 8, 7)) << int(q[i]);
  EXPECT_EQ(qy[2], 64);    // σ(0) = 0.5 at FL 7
  EXPECT_EQ(qy[4], 127);   // σ(7.9) saturates below 1
}

// Tanh, LeakyRelu (α), HardSigmoid (α, β): float against the formula; fixed point against
// the value rounded half up by hand.
TEST(UnaryRef, TanhLeakyReluHardSigmoidKernels) {
  std::vector<float> x = {-100.f, -8.f, -3.f, -0.5f, -1e-3f, 0.f, 0.5f, 3.f, 8.f, 100.f}, y(x.size());
  ActivationArgs<float> a;
  a.count = int64_t(x.size());
  a.x = x.data();
  a.y = y.data();
  a.p = {0.2f, 0.5f};
  ref::unary<ref::TanhFn, float>(a);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], std::tanh(double(x[i])), 1e-7) << x[i];
  ref::unary<ref::LeakyReluFn, float>(a);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(y[i], x[i] < 0 ? 0.2f * x[i] : x[i]) << x[i];
  ref::unary<ref::HardSigmoidFn, float>(a);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(y[i], std::min(std::max(0.2 * x[i] + 0.5, 0.0), 1.0), 1e-7) << x[i];

  std::vector<int8_t> q = {-128, -41, -5, 0, 7, 127}, qy(q.size());
  ActivationArgs<int8_t> b;
  b.count = int64_t(q.size());
  b.x = q.data();
  b.y = qy.data();
  b.q.fl_x = 4;  // x = q / 16
  b.q.fl_y = 6;  // y = qy / 64
  b.q.wl_y = 8;
  b.p = {0.25f, 0.5f};
  ref::unary<ref::LeakyReluFn, int8_t>(b);
  // −41/16 · 0.25 = −0.640625 → −41 at FL 6; −5/16 · 0.25 = −0.078125 → −5; 127/16 → 508 saturates to 127.
  EXPECT_EQ(std::vector<int>(qy.begin(), qy.end()), (std::vector<int>{-128, -41, -5, 0, 28, 127}));
  ref::unary<ref::HardSigmoidFn, int8_t>(b);
  // 0.25·x + 0.5: −128/16 → 0; −41/16 → −0.140625 → 0; −5/16 → 0.421875 = 27/64; 0 → 32; 7/16 → 0.609375 = 39/64; 1 → 64
  EXPECT_EQ(std::vector<int>(qy.begin(), qy.end()), (std::vector<int>{0, 0, 27, 32, 39, 64}));
  ref::unary<ref::TanhFn, int8_t>(b);
  for (size_t i = 0; i < q.size(); ++i) EXPECT_EQ(qy[i], fixed::tanh(q[i], 4, 8, 6)) << int(q[i]);
  EXPECT_EQ(qy[0], -64);  // tanh(−8) rounds to −1
}

// fixed::divide: the quotient rounded half up, against long double, and its zero rule.
TEST(BinaryRef, FixedDivideIsTheRoundedQuotient) {
  for (int64_t q = -128; q <= 127; q += 5)
    for (int64_t q2 = -128; q2 <= 127; q2 += 3) {
      if (q2 == 0) continue;
      const long double v = std::floor((long double)q / q2 * std::ldexp(1.0L, 6 - 4 + 2) + 0.5L);  // fl 4 / fl 2 → fl 6
      ASSERT_EQ(fixed::divide(q, 4, q2, 2, 6), int64_t(v)) << q << " / " << q2;
    }
  EXPECT_EQ(fixed::divide(3, 4, 0, 4, 4), int64_t(1) << 62);
  EXPECT_EQ(fixed::divide(-3, 4, 0, 4, 4), -(int64_t(1) << 62));
  EXPECT_EQ(fixed::divide(0, 4, 0, 4, 4), 0);
  EXPECT_EQ(fixed::divide(1, 0, 2, 0, 0), 1);    // 0.5 rounds up
  EXPECT_EQ(fixed::divide(-1, 0, 2, 0, 0), 0);   // −0.5 rounds up to 0
}

// Sub, Mul, Div kernels in fixed point: one rounding of the exact value, saturated.
TEST(BinaryRef, FixedSubMulDiv) {
  std::vector<int8_t> x = {40, -40, 127, 8}, x2 = {16, 16, 127, 0}, y(4);  // x at FL 4, x2 at FL 3
  AddArgs<int8_t> a;
  a.count = 4;
  a.x = x.data();
  a.x2 = x2.data();
  a.y = y.data();
  a.q = FixedFormats{/*fl_x=*/4, /*fl_w=*/0, /*fl_y=*/4, /*wl_y=*/8, /*fl_x2=*/3};
  ref::sub(a);  // 2.5 − 2 = 0.5; −2.5 − 2 = −4.5; 7.9375 − 15.875 = −7.9375; 0.5 − 0 = 0.5
  EXPECT_EQ(std::vector<int>(y.begin(), y.end()), (std::vector<int>{8, -72, -127, 8}));
  ref::mul(a);  // 5; −5; 126.0 saturates; 0
  EXPECT_EQ(std::vector<int>(y.begin(), y.end()), (std::vector<int>{80, -80, 127, 0}));
  ref::div(a);  // 1.25; −1.25; 0.5; 0.5 / 0 saturates
  EXPECT_EQ(std::vector<int>(y.begin(), y.end()), (std::vector<int>{20, -20, 8, 127}));
}

// LogSoftmax: x − max − ln Σ e^(x − max), float and fixed point (one rounding in double).
TEST(SoftmaxRef, LogSoftmaxRows) {
  std::vector<float> x = {1.f, 2.f, 3.f, -50.f, 0.f, 50.f}, y(6);
  SoftmaxArgsT<float> a;
  a.rows = 2;
  a.cols = 3;
  a.log = true;
  a.x = x.data();
  a.y = y.data();
  ref::softmax(a);
  for (int r = 0; r < 2; ++r) {
    double m = -1e30, s = 0;
    for (int i = 0; i < 3; ++i) m = std::max(m, double(x[r * 3 + i]));
    for (int i = 0; i < 3; ++i) s += std::exp(double(x[r * 3 + i]) - m);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(y[r * 3 + i], double(x[r * 3 + i]) - m - std::log(s), 1e-6) << r << " " << i;
  }
  std::vector<int8_t> q = {16, 0, -16}, qy(3);  // 1, 0, −1 at FL 4
  SoftmaxArgsT<int8_t> b;
  b.cols = 3;
  b.log = true;
  b.x = q.data();
  b.y = qy.data();
  b.q.fl_x = 4;
  b.q.fl_y = 4;
  b.q.wl_y = 8;
  ref::softmax(b);
  const double ls = std::log(1 + std::exp(-1.0) + std::exp(-2.0));  // 0.4076
  for (int i = 0; i < 3; ++i) EXPECT_EQ(qy[i], fixed::quantize(-i - ls, 8, 4)) << i;
  EXPECT_EQ(qy[0], -7);  // −0.4076 · 16 = −6.52 → −7
}

}  // namespace
}  // namespace slimrt::kernels
