#pragma once
// The binding shared by the weighted ops (ops/dense.cpp, ops/conv.cpp): one kernel-args
// family per precision — f32 / fixed point (Args<T>), BinaryConnect (BcArgs<T>: packed
// ±1 weights), BNN (BnnArgs: packed weights and activations). Traits name the args
// structs and fill their shape.
#include <type_traits>

#include "op_registry.h"

namespace slimrt::ops {

// f32 / fixed point (A = Args<T>) and BinaryConnect (A = BcArgs<T>: packed ±1 weights).
template <class A, class Tr, class T>
NodePtr bind_typed(Bind& b, k::Op kop, k::Precision p) {
  constexpr bool kBc = std::is_same_v<A, typename Tr::template BcArgs<T>>;
  KernelNode<A> n;
  Tr::set_shape(n.args, b);
  n.args.w = static_cast<decltype(n.args.w)>(b.weights(1));
  n.args.bias = b.weights(2);
  n.args.q = b.formats(kBc || std::is_same_v<T, float> ? 0 : b.in(1).fl);
  if constexpr (kBc && std::is_same_v<T, float>) n.args.scale = static_cast<const float*>(b.weights(3));
  // BinaryConnect, fixed point: weights ±2^−FL (the BIN tensor's fl); the kernels take ±1
  // weights (fl_w = 0) and requantize from fl_x, so the accumulator's FL fl_x + FL is passed as fl_x.
  if constexpr (kBc && !std::is_same_v<T, float>) n.args.q.fl_x += b.in(1).fl;
  if constexpr (!std::is_same_v<T, float>) {  // a folded batch norm: inputs 3 and 4 (op_check.cpp)
    n.args.rq.mult = static_cast<const int32_t*>(b.weights(3));
    n.args.rq.offset = static_cast<const int32_t*>(b.weights(4));
    if (n.args.rq.mult) n.args.rq.fl_mult = b.in(3).fl;
  }
  n.args.act = fused(b.op().activation);
  return b.finish_xy(n, kop, p);
}

// BNN output side: packed signs through thresholds, f32 through scale/bias, or int32.
// One copy for Dense and Conv (inline, not a template: the linker keeps one).
inline void bind_bnn_out(k::BnnOut& o, KernelNodeBase& n, Bind& b) {
  const auto& y = b.out();
  const int out = b.op().outputs[0];
  if (y.dtype == DType::BIN) {
    o.kind = k::BnnOutput::kBits;
    const float* v = reinterpret_cast<const float*>(b.in(2).data);
    auto& th = b.new_thresholds(size_t(b.in(2).shape[0]));
    for (size_t c = 0; c < th.size(); ++c) {
      float t;
      std::memcpy(&t, v + c * 3, 4);
      th[c].threshold = t;
      th[c].direction = int8_t(v[c * 3 + 1]);
      th[c].constant = int8_t(v[c * 3 + 2]);
    }
    o.thresholds = th.data();
    n.bind(&o.y_bits, out);
  } else if (y.dtype == DType::F32) {
    o.kind = k::BnnOutput::kFloat;
    o.scale = static_cast<const float*>(b.weights(2));
    o.bias = static_cast<const float*>(b.weights(3));
    n.bind(&o.y_f32, out);
  } else {
    o.kind = k::BnnOutput::kInt32;
    n.bind(&o.y_i32, out);
  }
}

template <class Tr>
NodePtr bind_weighted(Bind& b, k::Op kop) {
  switch (b.precision()) {
    case OpPrecision::kF32: return bind_typed<typename Tr::template Args<float>, Tr, float>(b, kop, k::Precision::kF32);
    case OpPrecision::kI8: return bind_typed<typename Tr::template Args<int8_t>, Tr, int8_t>(b, kop, k::Precision::kI8);
    case OpPrecision::kI16: return bind_typed<typename Tr::template Args<int16_t>, Tr, int16_t>(b, kop, k::Precision::kI16);
    case OpPrecision::kBcF32: return bind_typed<typename Tr::template BcArgs<float>, Tr, float>(b, kop, k::Precision::kBcF32);
    case OpPrecision::kBcI8: return bind_typed<typename Tr::template BcArgs<int8_t>, Tr, int8_t>(b, kop, k::Precision::kBcI8);
    case OpPrecision::kBcI16:
      return bind_typed<typename Tr::template BcArgs<int16_t>, Tr, int16_t>(b, kop, k::Precision::kBcI16);
    case OpPrecision::kBnn: {
      KernelNode<typename Tr::BnnArgs> n;
      Tr::set_shape(n.args, b);
      n.args.w = static_cast<const uint64_t*>(b.weights(1));
      n.bind(&n.args.x, b.op().inputs[0]);
      bind_bnn_out(n.args.out, *n.node, b);
      return b.finish(n, kop, k::Precision::kBnn);
    }
    default: break;
  }
  b.fail("unsupported precision");
}

}  // namespace slimrt::ops
