#pragma once
// The kernel conformance harness (ncnn test_layer / ggml test-backend-ops style):
// cases_for(op, precision) builds deterministic cases (fixed seed, awkward shapes:
// 1, 13, 127, 3072 channels, bit-packing padding, accumulator extremes); check_variant
// runs a registered variant and the reference on each case — packing weights and
// providing scratch as the interpreter does — and compares: float within 1e-4
// relative (absolute below 1), fixed point and binary exactly. Any backend (x86,
// NEON, OpenCL) plugs in by registering its kernels with register_kernel and
// calling check_all_variants (or check_variant for its own).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/kernels.h"

namespace slimrt::conformance {
using namespace slimrt::kernels;

// 64-byte aligned byte buffer (what the interpreter's arena and weight buffers give).
struct AlignedBuffer {
  std::vector<uint8_t> storage;
  uint8_t* data = nullptr;
  size_t size = 0;
  explicit AlignedBuffer(size_t n = 0, uint8_t fill = 0) { resize(n, fill); }
  void resize(size_t n, uint8_t fill = 0) {
    storage.assign(n + kAlignment, fill);
    const uintptr_t p = reinterpret_cast<uintptr_t>(storage.data());
    data = storage.data() + (kAlignment - p % kAlignment) % kAlignment;
    size = n;
  }
  template <class T> T* as() { return reinterpret_cast<T*>(data); }
};

enum class Compare { kFloat, kExact };

struct Output {
  size_t bytes = 0;
  Compare compare = Compare::kExact;
};

class Case {
 public:
  virtual ~Case() = default;
  std::string label;
  std::vector<Output> outputs;
  // Runs kernel k on this case; returns each output's bytes.
  virtual std::vector<AlignedBuffer> run(const Kernel& k) const = 0;
  virtual bool supported_by(const Kernel& k) const = 0;
};

// A case over args struct A: `args` points at the case's own inputs; bind(a, outs)
// points a's outputs at fresh buffers.
template <class A>
class TypedCase : public Case {
 public:
  A args{};
  std::vector<std::shared_ptr<AlignedBuffer>> keep;  // inputs the args point into
  std::function<void(A&, std::vector<AlignedBuffer>&)> bind;

  bool supported_by(const Kernel& k) const override { return !k.supports || k.supports(&args); }

  std::vector<AlignedBuffer> run(const Kernel& k) const override {
    A a = args;
    std::vector<AlignedBuffer> outs;
    for (const Output& o : outputs) outs.emplace_back(o.bytes, 0xCD);  // poison: every byte must be written
    bind(a, outs);
    AlignedBuffer packed(packed_bytes(k, &a)), scratch(scratch_bytes(k, &a), 0xAB);
    if (k.pack && packed.size) k.pack(&a, packed.data);
    a.ws.packed = packed.size ? packed.data : nullptr;
    a.ws.scratch = scratch.size ? scratch.data : nullptr;
    kernels::run(k, &a);
    if (k.release && packed.size) k.release(&a, packed.data);  // device buffers (OpenCL)
    return outs;
  }
};

// ---- random data --------------------------------------------------------------------
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(gen_); }
  int64_t integer(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(gen_); }
  uint64_t bits64() { return gen_(); }

 private:
  std::mt19937_64 gen_;
};

template <class T>
std::shared_ptr<AlignedBuffer> random_buffer(Rng& rng, size_t n, double lo = -1, double hi = 1) {
  auto b = std::make_shared<AlignedBuffer>(n * sizeof(T));
  T* p = b->as<T>();
  for (size_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, float>) p[i] = rng.uniform(float(lo), float(hi));
    else p[i] = T(rng.integer(int64_t(lo), int64_t(hi)));
  }
  return b;
}

template <class T>
std::shared_ptr<AlignedBuffer> filled_buffer(size_t n, T value) {
  auto b = std::make_shared<AlignedBuffer>(n * sizeof(T));
  std::fill(b->as<T>(), b->as<T>() + n, value);
  return b;
}

// Packed ±1 rows of n values (padding bits 0), rows × words_per_row words.
inline std::shared_ptr<AlignedBuffer> random_bits(Rng& rng, size_t rows, size_t n, size_t words_per_row = 0) {
  const size_t wpr = words_per_row ? words_per_row : bits::words_for(n);
  auto b = std::make_shared<AlignedBuffer>(rows * wpr * 8);
  uint64_t* p = b->as<uint64_t>();
  for (size_t r = 0; r < rows; ++r)
    for (size_t w = 0; w < wpr; ++w) {
      uint64_t v = rng.bits64();
      const size_t first = w * 64;
      if (first >= n) v = 0;
      else if (n - first < 64) v &= (uint64_t(1) << (n - first)) - 1;
      p[r * wpr + w] = v;
    }
  return b;
}

// ---- comparison -------------------------------------------------------------------------
inline ::testing::AssertionResult same_outputs(const Case& c, const std::vector<AlignedBuffer>& ref,
                                               const std::vector<AlignedBuffer>& got) {
  for (size_t i = 0; i < c.outputs.size(); ++i) {
    const Output& o = c.outputs[i];
    if (o.compare == Compare::kExact) {
      for (size_t b = 0; b < o.bytes; ++b)
        if (ref[i].data[b] != got[i].data[b])
          return ::testing::AssertionFailure() << "output " << i << " byte " << b << ": ref " << int(ref[i].data[b])
                                               << ", got " << int(got[i].data[b]);
    } else {
      const float* r = reinterpret_cast<const float*>(ref[i].data);
      const float* g = reinterpret_cast<const float*>(got[i].data);
      for (size_t k = 0; k < o.bytes / 4; ++k) {
        const float tol = 1e-4f * std::max(1.0f, std::fabs(r[k]));
        if (!(std::fabs(r[k] - g[k]) <= tol))
          return ::testing::AssertionFailure() << "output " << i << " element " << k << ": ref " << r[k] << ", got "
                                               << g[k];
      }
    }
  }
  return ::testing::AssertionSuccess();
}

namespace detail {
template <class T> constexpr bool kIsFloat = std::is_same_v<T, float>;
template <class T> constexpr Compare compare_of() { return kIsFloat<T> ? Compare::kFloat : Compare::kExact; }

// Value range of a random input of storage T (full integer range for fixed point).
template <class T> double lo_of() { return kIsFloat<T> ? -1.0 : double(std::numeric_limits<T>::min()); }
template <class T> double hi_of() { return kIsFloat<T> ? 1.0 : double(std::numeric_limits<T>::max()); }

template <class A>
std::unique_ptr<TypedCase<A>> make_case(std::string label) {
  auto c = std::make_unique<TypedCase<A>>();
  c->label = std::move(label);
  return c;
}

}  // namespace detail

// Cases for op/precision (empty if the harness knows none: check_variant fails then).
std::vector<std::unique_ptr<Case>> cases_for(Op op, Precision precision);

// Runs variant k against the reference on every case it supports; returns the
// number of cases run (0 fails the test: a variant must be exercised).
inline int check_variant(const Kernel& k) {
  const Kernel* ref = reference_kernel(k.op, k.precision);
  EXPECT_NE(ref, nullptr) << k.name << ": no reference kernel";
  if (!ref) return 0;
  const auto cases = cases_for(k.op, k.precision);
  EXPECT_FALSE(cases.empty()) << k.name << ": the conformance harness has no cases for this op/precision";
  int run = 0;
  for (const auto& c : cases) {
    if (!c->supported_by(k)) continue;
    const auto want = c->run(*ref);
    const auto got = c->run(k);
    EXPECT_TRUE(same_outputs(*c, want, got)) << k.name << " on " << c->label;
    ++run;
  }
  EXPECT_GT(run, 0) << k.name << " supports none of the " << cases.size() << " cases";
  return run;
}

// A kernel name as a GoogleTest parameter name ("Dense/f32/avx2" → "Dense_f32_avx2").
inline std::string param_name(const ::testing::TestParamInfo<std::string>& i) {
  std::string s = i.param;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

}  // namespace slimrt::conformance
