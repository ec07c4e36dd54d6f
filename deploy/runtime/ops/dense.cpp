// Dense (fully connected): y[rows][out] = x[rows][in] · wᵀ + b, at every precision
// (f32, fixed point, BinaryConnect, BNN); the weight is input 1, then bias (or BNN
// thresholds / scale, bias), then the BinaryConnect f32 scale.
#include "ops/weighted.h"

namespace slimrt::ops {

static void check(Check& c) {
  const TensorDesc &xt = c.x(), &w = *c.in(1);
  c.need_const(w, "weight");
  c.need_rank(w, 2, "weight");
  const int64_t out = w.shape[0], nin = w.shape[1];
  if (xt.numel % nin != 0)
    c.fail("input '%s' %s is not a multiple of %lld features", xt.name.c_str(), shape_str(xt.shape).c_str(), (long long)nin);
  const int64_t rows = xt.numel / nin;
  if (xt.dtype == DType::BIN && xt.shape.back() != nin)
    c.fail("packed input '%s' must have the features on its last axis", xt.name.c_str());
  if (c.y().shape.empty() || c.y().shape.back() != out || c.y().numel != rows * out)
    c.fail("output '%s' %s does not hold %lld × %lld values", c.y().name.c_str(), shape_str(c.y().shape).c_str(),
           (long long)rows, (long long)out);
  c.check_weighted_tail(c.precision(), out, false);
  c.op.macs = rows * nin * out;
}

static k::DenseShape shape(const Bind& b) {
  const auto& w = b.in(1);
  return {int(b.in(0).numel / w.shape[1]), int(w.shape[1]), int(w.shape[0])};
}

namespace {
struct DenseTraits {
  template <class T> using Args = k::DenseArgs<T>;
  template <class T> using BcArgs = k::DenseBcArgs<T>;
  using BnnArgs = k::DenseBnnArgs;
  template <class A> static void set_shape(A& a, Bind& b) { a.s = shape(b); }
};
}  // namespace

static NodePtr bind(Bind& b) { return bind_weighted<DenseTraits>(b, k::Op::kDense); }

SLIMRT_REGISTER_OPS(dense) { t.add({OpId::Dense}, {&check, &bind, 2, 5, true}); }

}  // namespace slimrt::ops
