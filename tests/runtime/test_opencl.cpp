// The OpenCL backend on the device the ICD loader offers (PoCL in CI): the OpenCL C
// fixed-point / bit helpers against slimrt/fixed_point.h and bitpack.h exhaustively,
// every OpenCL kernel against the CPU reference through the conformance harness (fp32
// within 1e-4 relative, fp16 within 1e-2, fixed point and binary exact), the program
// binary and work-group caches, device strings, and the no-platform error.
#include <cmath>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "conformance.h"
#include "conformance_cases.h"
#include "opencl_test_util.h"
#include "slimrt/bitpack.h"
#include "slimrt/fixed_point.h"

namespace slimrt::opencl::test {
namespace {
using namespace slimrt::conformance;

// ---- the arithmetic, exhaustively ------------------------------------------------------
TEST(OpenClArithmetic, RequantizeMatchesHeader) {
  SLIMRT_REQUIRE_OPENCL();
  std::vector<int64_t> acc;
  std::vector<int32_t> params;
  auto add = [&](int64_t a, int fl_acc, int wl, int fl_out) {
    acc.push_back(a);
    params.insert(params.end(), {fl_acc, wl, fl_out});
  };
  // Every int16 accumulator × shifts −20…40 (left shifts, ties, big right shifts) × word lengths.
  for (int wl : {2, 8, 16})
    for (int shift = -20; shift <= 40; shift += (shift >= -2 && shift <= 18) ? 1 : 7)
      for (int64_t a = -32768; a <= 32767; ++a) add(a, shift, wl, 0);
  // Extremes of int32 / int64 accumulators and exact ties at every shift.
  conformance::Rng rng(77);
  for (int shift = -70; shift <= 70; ++shift)
    for (int64_t a : {int64_t(INT32_MIN), int64_t(INT32_MAX), int64_t(1) << 61, -(int64_t(1) << 61), int64_t(0),
                      int64_t(-1), int64_t(1), (int64_t(1) << 40) + 1, -((int64_t(1) << 40) + 1)}) {
      add(a, shift, 16, 0);
      add(a, shift, 8, 0);
    }
  for (int i = 0; i < 200000; ++i) {
    const int shift = int(rng.integer(1, 40));
    const int64_t tie =
        rng.integer(-(int64_t(1) << 20), int64_t(1) << 20) * (int64_t(1) << shift) + (int64_t(1) << (shift - 1));
    add(rng.integer(0, 1) ? tie : rng.integer(-(int64_t(1) << 62), int64_t(1) << 62), shift, int(rng.integer(2, 16)), 0);
  }
  std::vector<int64_t> got(acc.size());
  run_selftest("requantize", acc.data(), acc.size() * 8, params.data(), params.size() * 4, got.data(), got.size() * 8,
               int(acc.size()));
  size_t bad = 0;
  for (size_t i = 0; i < acc.size(); ++i) {
    const int64_t want = fixed::requantize(acc[i], params[3 * i], params[3 * i + 1], params[3 * i + 2]);
    if (got[i] != want && ++bad < 10)
      ADD_FAILURE() << "requantize(" << acc[i] << ", fl_acc " << params[3 * i] << ", wl " << params[3 * i + 1]
                    << "): CPU " << want << ", OpenCL " << got[i];
  }
  EXPECT_EQ(bad, 0u) << "of " << acc.size();
}

TEST(OpenClArithmetic, QuantizeFloatMatchesHeader) {
  SLIMRT_REQUIRE_OPENCL();
  std::vector<float> x;
  std::vector<int32_t> params;
  auto add = [&](float v, int wl, int fl) {
    x.push_back(v);
    params.insert(params.end(), {wl, fl});
  };
  // Every grid point of int8 and int16 words, the ties half-way between them and their
  // float neighbours, over all word lengths and a spread of FL.
  for (int wl : {2, 3, 8, 12, 16})
    for (int fl : {-16, -3, 0, 1, 5, 7, 12, 15, 30}) {
      const int64_t lo = fixed::qmin(wl) - 2, hi = fixed::qmax(wl) + 2;
      const int64_t step = wl > 12 ? 7 : 1;
      for (int64_t q = lo; q <= hi; q += step)
        for (double off : {0.0, 0.5, -0.5, 0.25}) {
          const float v = float(std::ldexp(double(q) + off, -fl));
          add(v, wl, fl);
          add(std::nextafter(v, INFINITY), wl, fl);
          add(std::nextafter(v, -INFINITY), wl, fl);
        }
    }
  conformance::Rng rng(99);
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = uint32_t(rng.bits64());
    float v;
    std::memcpy(&v, &bits, 4);
    add(v, int(rng.integer(2, 16)), int(rng.integer(-16, 30)));  // any float: NaN, ±inf, denormals
  }
  for (float v : {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-45f, -1e-45f, 3.4e38f, -3.4e38f}) add(v, 8, 4);
  std::vector<int64_t> got(x.size());
  run_selftest("quantize", x.data(), x.size() * 4, params.data(), params.size() * 4, got.data(), got.size() * 8,
               int(x.size()));
  size_t bad = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t want = fixed::quantize(double(x[i]), params[2 * i], params[2 * i + 1]);
    if (got[i] != want && ++bad < 10)
      ADD_FAILURE() << "quantize(" << x[i] << ", wl " << params[2 * i] << ", fl " << params[2 * i + 1] << "): CPU "
                    << want << ", OpenCL " << got[i];
  }
  EXPECT_EQ(bad, 0u) << "of " << x.size();
}

// The fixed-point mean (avg pooling, global average, mean over time): the CPU's
// quantize(dequantize(sum) / n) in double against OpenCL's exact rational rounding.
TEST(OpenClArithmetic, FixedMeanMatchesHeader) {
  SLIMRT_REQUIRE_OPENCL();
  std::vector<int64_t> sum;
  std::vector<int32_t> params;
  for (int n : {1, 2, 3, 4, 6, 7, 9, 25, 49, 100, 127, 1000})
    for (int k : {-8, -3, -1, 0, 1, 2, 5})
      for (int wl : {8, 16})
        for (int64_t s = -int64_t(n) * 300; s <= int64_t(n) * 300; s += (n > 50 ? 7 : 1)) {
          sum.push_back(s);
          params.insert(params.end(), {n, k, wl});
        }
  std::vector<int64_t> got(sum.size());
  run_selftest("mean", sum.data(), sum.size() * 8, params.data(), params.size() * 4, got.data(), got.size() * 8,
               int(sum.size()));
  size_t bad = 0;
  for (size_t i = 0; i < sum.size(); ++i) {
    const int n = params[3 * i], k = params[3 * i + 1], wl = params[3 * i + 2];
    // fl_x = 10, fl_y = 10 + k, as the kernels see it.
    const int64_t want = fixed::quantize(fixed::dequantize(sum[i], 10) / n, wl, 10 + k);
    if (got[i] != want && ++bad < 10)
      ADD_FAILURE() << "mean(" << sum[i] << " / " << n << ", k " << k << "): CPU " << want << ", OpenCL " << got[i];
  }
  EXPECT_EQ(bad, 0u) << "of " << sum.size();
}

TEST(OpenClArithmetic, PopcountMatchesHeader) {
  SLIMRT_REQUIRE_OPENCL();
  conformance::Rng rng(5);
  std::vector<uint64_t> v = {0, ~uint64_t(0), 1, uint64_t(1) << 63};
  for (int i = 0; i < 4096; ++i) v.push_back(rng.bits64() & rng.bits64());
  std::vector<int32_t> got(v.size());
  run_selftest("popcount", v.data(), v.size() * 8, nullptr, 0, got.data(), got.size() * 4, int(v.size()));
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(got[i], bits::popcount64(v[i])) << v[i];
}

// ---- conformance: every OpenCL kernel against the CPU reference ------------------------------------
// From the backend's table, so listing the tests needs no device (ctest discovery).
std::vector<std::string> opencl_kernel_names() { return kernel_names(); }

// Cases the shared harness has no generator for (data movement, conversions, softmax).
std::vector<std::unique_ptr<Case>> extra_cases(Op op, Precision p);

// fp16 variants: the harness's comparison with 1e-2 instead of 1e-4.
::testing::AssertionResult close_fp16(const Case& c, const std::vector<AlignedBuffer>& ref,
                                      const std::vector<AlignedBuffer>& got) {
  for (size_t i = 0; i < c.outputs.size(); ++i) {
    const float* r = reinterpret_cast<const float*>(ref[i].data);
    const float* g = reinterpret_cast<const float*>(got[i].data);
    for (size_t k = 0; k < c.outputs[i].bytes / 4; ++k)
      if (!(std::fabs(r[k] - g[k]) <= 1e-2f * std::max(1.0f, std::fabs(r[k]))))
        return ::testing::AssertionFailure() << "output " << i << " element " << k << ": ref " << r[k] << ", got " << g[k];
  }
  return ::testing::AssertionSuccess();
}

// f rounded to IEEE half precision (round to nearest, ties to even, as vstore_half) and
// back, in portable arithmetic: clang 14 has no _Float16 on x86-64.
float round_to_half(float f) {
  if (!std::isfinite(f) || f == 0.0f) return f;
  int e = 0;
  std::frexp(f, &e);  // |f| in [2^(e−1), 2^e)
  const int exponent = std::max(e - 1, -14);  // below 2^−14: subnormal spacing 2^−24
  const double spacing = std::ldexp(1.0, exponent - 10);
  const double r = std::nearbyint(double(f) / spacing) * spacing;
  if (std::fabs(r) > 65504.0) return std::copysign(INFINITY, f);
  return float(r);
}

// The fp16 variants store the weights as half (DeepMon): their oracle is the reference
// kernel on the same half-rounded weights. Returns that case (null: not a float layer)
// and the layer's reduction length.
template <class A>
std::unique_ptr<Case> half_rounded(const Case& c, size_t count, size_t reduction, size_t* red_out) {
  auto* t = dynamic_cast<const TypedCase<A>*>(&c);
  if (!t) return nullptr;
  auto r = std::make_unique<TypedCase<A>>(*t);
  auto w = std::make_shared<AlignedBuffer>(count * 4);
  for (size_t i = 0; i < count; ++i) w->as<float>()[i] = round_to_half(t->args.w[i]);
  r->args.w = w->as<float>();
  r->keep.push_back(w);
  *red_out = reduction;
  return r;
}
std::unique_ptr<Case> half_rounded(const Case& c, size_t* reduction) {
  if (auto* d = dynamic_cast<const TypedCase<DenseArgs<float>>*>(&c))
    return half_rounded<DenseArgs<float>>(c, size_t(d->args.s.out) * d->args.s.in, size_t(d->args.s.in), reduction);
  if (auto* v = dynamic_cast<const TypedCase<ConvArgs<float>>*>(&c)) {
    const ConvShape& s = v->args.s;
    const size_t row = size_t(s.in_c / s.groups) * s.kernel_h * s.kernel_w;
    return half_rounded<ConvArgs<float>>(c, size_t(s.out_c) * row, row, reduction);
  }
  return nullptr;
}

class OpenClKernel : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenClKernel, MatchesReference) {
  SLIMRT_REQUIRE_OPENCL();
  const Kernel* k = find_kernel(GetParam());
  ASSERT_NE(k, nullptr);
  const Kernel* ref = reference_kernel(k->op, k->precision);
  ASSERT_NE(ref, nullptr) << k->name << ": no reference kernel";
  auto cases = cases_for(k->op, k->precision);
  for (auto& c : extra_cases(k->op, k->precision)) cases.push_back(std::move(c));
  ASSERT_FALSE(cases.empty()) << k->name << ": no conformance cases";
  const bool fp16 = k->name.find("-fp16") != std::string::npos;
  // Convolutions have two device kernels (weights tiled in __local memory, or read
  // directly): every case runs through both.
  const bool two_variants = (k->op == Op::kConv1d || k->op == Op::kConv2d) && k->precision != Precision::kBnn;
  for (const char* variant : {"tiled", "direct"}) {
  if (two_variants) {
    Options o = test_options();
    o.conv = variant;
    install(0, o);
  } else if (std::string(variant) == "direct") {
    break;
  }
  SCOPED_TRACE(two_variants ? variant : "");
  int run = 0, folded_on_cpu = 0;
  for (const auto& c : cases) {
    // The documented limits that may skip a case: a folded batch norm (per-channel
    // requantization, kernels::ChannelRequant) and a broadcasting Add / Sub / Mul / Div
    // stay on the CPU.
    if (!c->supported_by(*k)) {
      folded_on_cpu += c->label.find("bn-folded") != std::string::npos || c->label.find("broadcast") != std::string::npos;
      continue;
    }
    const auto want = c->run(*ref);
    const auto got = c->run(*k);
    if (fp16) {
      size_t reduction = 0;
      const auto rounded = half_rounded(*c, &reduction);
      ASSERT_NE(rounded, nullptr) << c->label;
      EXPECT_TRUE(close_fp16(*c, rounded->run(*ref), got)) << k->name << " on " << c->label << " (half weights)";
      // Against the fp32 weights too, where the half rounding of up to 4096 terms stays within 1e-2.
      if (reduction <= 4096) EXPECT_TRUE(close_fp16(*c, want, got)) << k->name << " on " << c->label;
    } else {
      EXPECT_TRUE(same_outputs(*c, want, got)) << k->name << " on " << c->label;
    }
    ++run;
  }
  EXPECT_EQ(run + folded_on_cpu, int(cases.size())) << k->name << " declined " << cases.size() - size_t(run) << " case(s)";
  }
  install(0, test_options());
}

INSTANTIATE_TEST_SUITE_P(Device, OpenClKernel, ::testing::ValuesIn(opencl_kernel_names()),
                         conformance::param_name);

// Every op and precision the CPU runs has an OpenCL kernel.
TEST(OpenClCoverage, EveryReferenceKernelHasAnOpenClVariant) {
  SLIMRT_REQUIRE_OPENCL();
  for (const Kernel& k : all_kernels()) {
    if (k.isa != Isa::kRef) continue;
    const std::string name = std::string(to_string(k.op)) + "/" + to_string(k.precision) + "/opencl";
    EXPECT_NE(find_kernel(name), nullptr) << name;
  }
}

// ---- extra cases --------------------------------------------------------------------------------
template <class A>
std::unique_ptr<TypedCase<A>> typed(std::string label) {
  auto c = std::make_unique<TypedCase<A>>();
  c->label = std::move(label);
  return c;
}

void add_softmax_cases(std::vector<std::unique_ptr<Case>>& v, conformance::Rng& rng) {
  for (auto [rows, cols] : {std::pair{1, 1}, {1, 10}, {3, 127}, {2, 3072}}) {
    auto c = typed<SoftmaxArgs>("softmax " + std::to_string(rows) + "x" + std::to_string(cols));
    auto x = random_buffer<float>(rng, size_t(rows) * cols, -8, 8);
    c->args.rows = rows;
    c->args.cols = cols;
    c->args.x = x->as<float>();
    c->keep = {x};
    c->outputs = {{size_t(rows) * cols * 4, Compare::kFloat}};
    c->bind = [](SoftmaxArgs& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<float>(); };
    v.push_back(std::move(c));
  }
}

void add_requantize_cases(std::vector<std::unique_ptr<Case>>& v, conformance::Rng& rng) {
  for (int xb : {8, 16})
    for (int yb : {8, 16})
      for (auto [fx, wl, fy] : {std::tuple{7, 8, 3}, {3, 6, 9}, {0, 16, 0}, {12, 5, 2}}) {
        if (wl > yb) continue;
        auto c = typed<RequantizeArgs>("requantize i" + std::to_string(xb) + "→i" + std::to_string(yb) + " fl " +
                                       std::to_string(fx) + "→" + std::to_string(fy) + " wl" + std::to_string(wl));
        const int64_t n = 1000;
        auto x = xb == 8 ? random_buffer<int8_t>(rng, n, -128, 127) : random_buffer<int16_t>(rng, n, -32768, 32767);
        c->args.count = n;
        c->args.x = x->data;
        c->args.x_bits = xb;
        c->args.y_bits = yb;
        c->args.q.fl_x = fx;
        c->args.q.wl_y = wl;
        c->args.q.fl_y = fy;
        c->keep = {x};
        c->outputs = {{size_t(n) * size_t(yb / 8), Compare::kExact}};
        c->bind = [](RequantizeArgs& a, std::vector<AlignedBuffer>& o) { a.y = o[0].data; };
        v.push_back(std::move(c));
      }
}

void add_unpack_bits_cases(std::vector<std::unique_ptr<Case>>& v, conformance::Rng& rng) {
  for (auto [ch, sp, b] : {std::tuple{1, 1, 1}, {65, 7, 2}, {128, 3, 1}, {13, 100, 1}}) {
    auto c = typed<UnpackBitsArgs>("unpack c" + std::to_string(ch) + " s" + std::to_string(sp));
    auto x = random_bits(rng, size_t(b) * sp, size_t(ch));
    c->args.batch = b;
    c->args.channels = ch;
    c->args.spatial = sp;
    c->args.x = x->as<uint64_t>();
    c->keep = {x};
    c->outputs = {{size_t(b) * ch * sp * 4, Compare::kExact}};
    c->bind = [](UnpackBitsArgs& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<float>(); };
    v.push_back(std::move(c));
  }
}

void add_concat_cases(std::vector<std::unique_ptr<Case>>& v, conformance::Rng& rng) {
  for (int eb : {1, 2, 4, 8}) {
    struct ConcatCase : TypedCase<ConcatArgs> {
      std::vector<const void*> xs;
      std::vector<int64_t> inner;
    };
    auto c = std::make_unique<ConcatCase>();
    c->label = "concat 3 inputs, " + std::to_string(eb) + "-byte elements";
    c->inner = {5, 1, 17};
    for (int64_t in : c->inner) {
      auto b = random_buffer<uint8_t>(rng, size_t(7 * in * eb), 0, 255);
      c->keep.push_back(b);
      c->xs.push_back(b->data);
    }
    c->args.outer = 7;
    c->args.inputs = 3;
    c->args.x = c->xs.data();
    c->args.inner = c->inner.data();
    c->args.elem_bytes = eb;
    c->outputs = {{size_t(7 * 23 * eb), Compare::kExact}};
    c->bind = [](ConcatArgs& a, std::vector<AlignedBuffer>& o) { a.y = o[0].data; };
    v.push_back(std::move(c));
  }
}

void add_slice_cases(std::vector<std::unique_ptr<Case>>& v, conformance::Rng& rng) {
  for (int eb : {1, 4}) {
    auto c = typed<SliceArgs>("slice " + std::to_string(eb));
    auto x = random_buffer<uint8_t>(rng, size_t(3 * 10 * 6 * eb), 0, 255);
    c->args = SliceArgs{};
    c->args.outer = 3;
    c->args.axis = 10;
    c->args.inner = 6;
    c->args.begin = 2;
    c->args.end = 9;
    c->args.x = x->data;
    c->args.elem_bytes = eb;
    c->keep = {x};
    c->outputs = {{size_t(3 * 7 * 6 * eb), Compare::kExact}};
    c->bind = [](SliceArgs& a, std::vector<AlignedBuffer>& o) { a.y = o[0].data; };
    v.push_back(std::move(c));
  }
}

// Reverse of the whole axis (and of a part of it: begin > 0), outer 1 and several.
void add_reverse_cases(std::vector<std::unique_ptr<Case>>& v, conformance::Rng& rng) {
  struct R { int64_t outer, axis, inner, begin; int eb; };
  for (const R& r : {R{1, 10, 6, 0, 4}, R{3, 7, 5, 0, 1}, R{4, 9, 1, 2, 2}, R{2, 1, 3, 0, 8}}) {
    auto c = typed<SliceArgs>("reverse " + std::to_string(r.outer) + "x" + std::to_string(r.axis) + "x" +
                              std::to_string(r.inner) + " " + std::to_string(r.eb));
    auto x = random_buffer<uint8_t>(rng, size_t(r.outer * r.axis * r.inner * r.eb), 0, 255);
    c->args = SliceArgs{};
    c->args.outer = r.outer;
    c->args.axis = r.axis;
    c->args.inner = r.inner;
    c->args.begin = r.begin;
    c->args.end = r.axis;
    c->args.x = x->data;
    c->args.elem_bytes = r.eb;
    c->keep = {x};
    c->outputs = {{size_t(r.outer * (r.axis - r.begin) * r.inner * r.eb), Compare::kExact}};
    c->bind = [](SliceArgs& a, std::vector<AlignedBuffer>& o) { a.y = o[0].data; };
    v.push_back(std::move(c));
  }
}

void add_transpose_cases(std::vector<std::unique_ptr<Case>>& v, conformance::Rng& rng) {
  struct T3 { int rank; std::vector<int64_t> shape; std::vector<int> perm; int eb; };
  for (const T3& t : {T3{2, {13, 7}, {1, 0}, 4}, T3{3, {4, 5, 6}, {2, 0, 1}, 2}, T3{4, {2, 3, 4, 5}, {0, 2, 3, 1}, 1},
                      T3{6, {2, 1, 3, 2, 2, 3}, {5, 4, 3, 2, 1, 0}, 8}}) {
    auto c = typed<TransposeArgs>("transpose rank " + std::to_string(t.rank));
    int64_t n = 1;
    for (int i = 0; i < t.rank; ++i) {
      c->args.shape[i] = t.shape[size_t(i)];
      c->args.perm[i] = t.perm[size_t(i)];
      n *= t.shape[size_t(i)];
    }
    c->args.rank = t.rank;
    auto x = random_buffer<uint8_t>(rng, size_t(n * t.eb), 0, 255);
    c->args.x = x->data;
    c->args.elem_bytes = t.eb;
    c->keep = {x};
    c->outputs = {{size_t(n * t.eb), Compare::kExact}};
    c->bind = [](TransposeArgs& a, std::vector<AlignedBuffer>& o) { a.y = o[0].data; };
    v.push_back(std::move(c));
  }
}

template <class T>
void add_quant_cases(std::vector<std::unique_ptr<Case>>& v, conformance::Rng& rng) {
  for (int64_t n : {int64_t(1), int64_t(13), int64_t(3072)})
    for (auto [wl, fl] : {std::pair{int(sizeof(T) * 8), 5}, {4, 2}, {int(sizeof(T) * 8), -3}}) {
      auto c = typed<QuantizeArgs<T>>("quantize n" + std::to_string(n) + " wl" + std::to_string(wl));
      auto x = random_buffer<float>(rng, size_t(n), -300, 300);
      if (n > 2) x->as<float>()[1] = 0.5f * std::ldexp(1.0f, -fl);  // a tie
      c->args.count = n;
      c->args.x = x->as<float>();
      c->args.q.wl_y = wl;
      c->args.q.fl_y = fl;
      c->keep = {x};
      c->outputs = {{size_t(n) * sizeof(T), Compare::kExact}};
      c->bind = [](QuantizeArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
      v.push_back(std::move(c));
      auto d = typed<DequantizeArgs<T>>("dequantize n" + std::to_string(n) + " fl" + std::to_string(fl));
      auto q = random_buffer<T>(rng, size_t(n), double(std::numeric_limits<T>::min()), double(std::numeric_limits<T>::max()));
      d->args.count = n;
      d->args.x = q->template as<T>();
      d->args.q.fl_x = fl;
      d->keep = {q};
      d->outputs = {{size_t(n) * 4, Compare::kExact}};
      d->bind = [](DequantizeArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<float>(); };
      v.push_back(std::move(d));
    }
}

std::vector<std::unique_ptr<Case>> extra_cases(Op op, Precision p) {
  std::vector<std::unique_ptr<Case>> v;
  conformance::Rng rng(4242);
  if (op == Op::kSoftmax && p == Precision::kF32) add_softmax_cases(v, rng);
  if (op == Op::kQuantize || op == Op::kDequantize) {
    if (p == Precision::kI8) add_quant_cases<int8_t>(v, rng);
    if (p == Precision::kI16) add_quant_cases<int16_t>(v, rng);
    // Keep only this op's cases.
    std::vector<std::unique_ptr<Case>> keep;
    for (auto& c : v)
      if ((op == Op::kQuantize) == (c->label.rfind("quantize", 0) == 0)) keep.push_back(std::move(c));
    return keep;
  }
  if (op == Op::kRequantize) add_requantize_cases(v, rng);
  if (op == Op::kUnpackBits) add_unpack_bits_cases(v, rng);
  if (op == Op::kConcat) add_concat_cases(v, rng);
  if (op == Op::kSlice) add_slice_cases(v, rng);
  if (op == Op::kReverse) add_reverse_cases(v, rng);
  if (op == Op::kTranspose) add_transpose_cases(v, rng);
  return v;
}

// ---- caches, device strings, errors --------------------------------------------------------------
bool file_exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && st.st_size > 0;
}

TEST(OpenClCache, ProgramBinaryIsCachedPerDeviceAndReloaded) {
  SLIMRT_REQUIRE_OPENCL();
  const ProgramOrigin first = program_origin();
  ASSERT_FALSE(first.file.empty());
  EXPECT_TRUE(file_exists(first.file)) << first.file;
  EXPECT_NE(first.file.find("program-"), std::string::npos);
  // Another Device object (other options) finds the binary on disk instead of compiling.
  Options o = test_options();
  o.fp16 = true;
  install(0, o);
  const ProgramOrigin second = program_origin();
  EXPECT_EQ(second.from, "cache") << "built in " << second.build_ms << " ms";
  EXPECT_EQ(second.file, first.file);
  install(0, test_options());  // back to the shared device
}

TEST(OpenClCache, CorruptBinaryIsRebuilt) {
  SLIMRT_REQUIRE_OPENCL();
  const char* tmpl = "slimrt-opencl-corrupt-XXXXXX";
  std::string dir(tmpl);
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  Options o = test_options();
  o.cache_dir = dir;
  install(0, o);  // builds (or loads from memory) and writes the binary in dir
  const std::string file = program_origin().file;
  ASSERT_TRUE(file_exists(file)) << file;
  { std::ofstream(file, std::ios::binary | std::ios::trunc) << "not a program binary"; }
  // A fresh process-level open: a new cache_dir spelling makes a new Device.
  Options o2 = o;
  o2.cache_dir = dir + "/";
  install(0, o2);
  EXPECT_EQ(program_origin().from, "source");
  install(0, test_options());
  // Leave no folder behind (the cache and tuning files of this test only).
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST(OpenClCache, WorkGroupSizesAreTunedOnceAndCached) {
  SLIMRT_REQUIRE_OPENCL();
  // A device with tuning on measures the work-group size of a kernel once and writes it
  // next to the program binary.
  Options tuned;
  tuned.tune = true;
  install(0, tuned);
  DenseArgs<float> a;
  a.s = {1, 64, 32};
  std::vector<float> x(64, 0.5f), w(64 * 32, 0.25f), y(32);
  a.x = x.data();
  a.w = w.data();
  a.y = y.data();
  const Kernel* k = find_kernel("Dense/f32/opencl");
  ASSERT_NE(k, nullptr);
  AlignedBuffer packed(k->packed_bytes(&a));
  k->pack(&a, packed.data);
  a.ws.packed = packed.data;
  k->run(&a, k->context);
  k->release(&a, packed.data);
  EXPECT_FLOAT_EQ(y[0], 64 * 0.5f * 0.25f);
  const std::string dir = program_origin().file.substr(0, program_origin().file.rfind('/'));
  bool found = false;
  for (const auto& e : {std::string("/tuning-")}) {
    (void)e;
    FILE* p = ::popen(("ls " + dir + " 2>/dev/null").c_str(), "r");
    char line[512];
    while (p && std::fgets(line, sizeof line, p))
      if (std::string(line).find("tuning-") == 0) found = true;
    if (p) ::pclose(p);
  }
  EXPECT_TRUE(found) << "no tuning file in " << dir;
  install(0, test_options());
}

TEST(OpenClDevice, DeviceStrings) {
  int index = -1;
  Options o;
  parse_device("opencl", &index, &o);
  EXPECT_EQ(index, 0);
  EXPECT_FALSE(o.fp16);
  parse_device("opencl:2,fp16", &index, &o);
  EXPECT_EQ(index, 2);
  EXPECT_TRUE(o.fp16);
  EXPECT_THROW(parse_device("opencl:x", &index, &o), Error);
  EXPECT_THROW(parse_device("cuda:0", &index, &o), Error);
  EXPECT_THROW(parse_device("opencl:0,fast", &index, &o), Error);
}

TEST(OpenClDevice, UnknownDeviceIndexIsAClearError) {
  SLIMRT_REQUIRE_OPENCL();
  try {
    install(999);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no device 999"), std::string::npos) << e.what();
  }
  install(0, test_options());
}

// With no OpenCL platform (OCL_ICD_VENDORS pointing to an empty directory) asking for
// the device is an error with a message, never a crash. The ICD loader reads its
// vendors once per process, so this runs in a child process of this very test binary.
TEST(OpenClDevice, NoPlatformIsAClearError) {
  if (std::getenv("SLIMRT_OCL_NO_PLATFORM_CHILD")) {
    try {
      devices();
      FAIL() << "devices() found a platform with OCL_ICD_VENDORS=" << std::getenv("OCL_ICD_VENDORS");
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no OpenCL platform"), std::string::npos) << e.what();
      std::printf("child-message: %s\n", e.what());
    }
    return;
  }
  char dir[] = "/tmp/slimrt-no-icd-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string cmd = std::string("OCL_ICD_VENDORS=") + dir +
                          " SLIMRT_OCL_NO_PLATFORM_CHILD=1 /proc/self/exe --gtest_filter=OpenClDevice.NoPlatformIsAClearError 2>&1";
  // /proc/self/exe inside popen's shell is the shell: resolve this binary first.
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(n, 0);
  self[n] = '\0';
  std::string c = cmd;
  c.replace(c.find("/proc/self/exe"), 14, self);
  FILE* p = ::popen(c.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = ::pclose(p);
  ::rmdir(dir);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_NE(out.find("child-message: OpenCL: no OpenCL platform found"), std::string::npos) << out;
}

}  // namespace
}  // namespace slimrt::opencl::test
