// The interpreter: prepare once (choose each op's kernel from the registry, repack
// weights, size scratch, plan the arena, bind every pointer), then invoke() only
// calls kernels on fixed pointers — no allocation, no lookup.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <functional>
#include <map>

#include "kernels/kernels.h"
#include "slimrt/bitpack.h"
#include "slimrt/fixed_point.h"
#include "slimrt/runtime.h"
#include "verifier.h"

namespace slimrt {

namespace k = kernels;
using detail::OpPrecision;

// One prepared op. Pointers into the arena are recorded as slots (the address of an
// args field and the tensor it points to, or -1 for the node's scratch) and written
// once the arena exists.
struct Interpreter::Node {
  virtual ~Node() = default;
  virtual void run() = 0;
  std::string kernel_name;
  size_t scratch_bytes = 0;
  std::vector<std::pair<void*, int>> slots;
  AlignedBytes packed;
  size_t packed_size = 0;
  template <class P>
  void bind(P* field, int tensor) { slots.emplace_back(static_cast<void*>(field), tensor); }
};

namespace {

using Node = Interpreter::Node;

using detail::throw_fmt;

// The kernel call and its release are not templates (one copy, not one per args
// type: library size); KernelNode<A> only holds the typed args.
struct KernelNodeBase : Node {
  const k::Kernel* kernel = nullptr;
  void* args_ptr = nullptr;  // &KernelNode<A>::args
  k::Workspace* ws = nullptr;  // &KernelNode<A>::args.ws (null for args without one)
  void run() override { kernel->run(args_ptr, kernel->context); }
  ~KernelNodeBase() override {
    if (kernel && kernel->release && packed) kernel->release(args_ptr, packed.get());
  }
};

template <class A>
struct KernelNode : KernelNodeBase {
  A args;
  KernelNode() {
    args_ptr = &args;
    ws = &args.ws;
  }
};

struct CopyNode : Node {  // reshape / flatten: same bytes, new shape
  const void* x = nullptr;
  void* y = nullptr;
  size_t bytes = 0;
  void run() override { std::memcpy(y, x, bytes); }
};

struct ScaleNode : Node {  // per-channel affine (an unfolded batch norm), f32
  const float* x = nullptr;
  float* y = nullptr;
  const float* scale = nullptr;
  const float* shift = nullptr;
  int64_t channels = 0, inner = 0;
  void run() override {
    for (int64_t c = 0; c < channels; ++c) {
      const float s = scale[c], b = shift[c];
      const float* xi = x + c * inner;
      float* yi = y + c * inner;
      for (int64_t i = 0; i < inner; ++i) yi[i] = xi[i] * s + b;
    }
  }
};

struct DequantizeI32Node : Node {
  const int32_t* x = nullptr;
  float* y = nullptr;
  int64_t count = 0;
  int fl = 0;
  void run() override {
    for (int64_t i = 0; i < count; ++i) y[i] = float(fixed::dequantize(x[i], fl));
  }
};

k::Op kernel_op(OpType t) {
  switch (t) {
    case OpType::Dense: return k::Op::kDense;
    case OpType::Conv1d: return k::Op::kConv1d;
    case OpType::Conv2d: return k::Op::kConv2d;
    case OpType::DepthwiseConv2d: return k::Op::kDepthwiseConv2d;
    case OpType::MaxPool1d: return k::Op::kMaxPool1d;
    case OpType::MaxPool2d: return k::Op::kMaxPool2d;
    case OpType::AvgPool2d: case OpType::AvgPool1d: return k::Op::kAvgPool2d;
    case OpType::GlobalAvgPool: return k::Op::kGlobalAvgPool;
    case OpType::Gru: return k::Op::kGru;
    case OpType::Lstm: return k::Op::kLstm;
    case OpType::Relu: return k::Op::kRelu;
    case OpType::Relu6: return k::Op::kRelu6;
    case OpType::HardTanh: return k::Op::kHardTanh;
    case OpType::Sign: return k::Op::kSign;
    case OpType::Softmax: return k::Op::kSoftmax;
    case OpType::Concat: return k::Op::kConcat;
    case OpType::Add: return k::Op::kAdd;
    case OpType::MeanOverTime: return k::Op::kMeanOverTime;
    case OpType::Slice: return k::Op::kSlice;
    case OpType::Transpose: return k::Op::kTranspose;
    case OpType::Quantize: return k::Op::kQuantize;
    case OpType::Dequantize: return k::Op::kDequantize;
    default: return k::Op::kCount;
  }
}

k::Precision elem_precision(DType d) {
  switch (d) {
    case DType::I8: return k::Precision::kI8;
    case DType::I16: return k::Precision::kI16;
    case DType::BIN: return k::Precision::kBnn;
    default: return k::Precision::kF32;
  }
}

k::Activation fused(fb::Activation a) {
  switch (a) {
    case fb::Activation::Relu: return k::Activation::kRelu;
    case fb::Activation::Relu6: return k::Activation::kRelu6;
    default: return k::Activation::kNone;
  }
}

int elem_bytes(DType d) {
  switch (d) {
    case DType::I8: return 1;
    case DType::I16: case DType::F16: return 2;
    case DType::BIN: return 8;
    default: return 4;
  }
}

int64_t prod(const std::vector<int64_t>& s, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to && i < s.size(); ++i) n *= s[i];
  return n;
}

k::Isa isa_from(const std::string& s) {
  if (s == "avx2") return k::Isa::kAvx2;
  if (s == "avx512") return k::Isa::kAvx512;
  if (s == "neon") return k::Isa::kNeon;
  if (s == "ref") return k::Isa::kRef;
  throw_fmt("unknown instruction set '%s' (ref, avx2, avx512, neon)", s.c_str());
}

// Builds the nodes of one model; a friend of nothing, it only fills Node objects.
class Builder {
 public:
  Builder(const Model& m, const InterpreterOptions& o) : m_(m), opt_(o), t_(m.tensors()) {}

  std::unique_ptr<Node> build(size_t index, const OpDesc& op) {
    where_ = "op " + std::to_string(index) + " '" + op.name + "' (" + op_name(op.type) + ")";
    switch (op.type) {
      case OpType::Dense: return dense(op);
      case OpType::Conv1d: case OpType::Conv2d: case OpType::DepthwiseConv2d: return conv(op);
      case OpType::MaxPool1d: case OpType::MaxPool2d: case OpType::AvgPool2d: case OpType::AvgPool1d:
        return pool(op);
      case OpType::GlobalAvgPool: case OpType::MeanOverTime: return reduce(op);
      case OpType::Gru: case OpType::Lstm: return rnn(op);
      case OpType::Relu: case OpType::Relu6: case OpType::HardTanh: case OpType::Sign: return activation(op);
      case OpType::Softmax:
        switch (in(op, 0).dtype) {
          case DType::I8: return softmax<int8_t>(op);
          case DType::I16: return softmax<int16_t>(op);
          default: return softmax<float>(op);
        }
      case OpType::Reshape: {
        auto n = std::make_unique<CopyNode>();
        n->bytes = in(op, 0).bytes;
        n->bind(&n->x, op.inputs[0]);
        n->bind(&n->y, op.outputs[0]);
        n->kernel_name = "Reshape/copy";
        return n;
      }
      case OpType::Concat: return concat(op);
      case OpType::Add: return add(op);
      case OpType::Slice: {
        auto n = std::make_unique<KernelNode<k::SliceArgs>>();
        const auto& x = in(op, 0);
        const size_t a = size_t(op.axis);
        n->args.outer = prod(x.shape, 0, a);
        n->args.axis = x.shape[a];
        n->args.inner = prod(x.shape, a + 1, x.shape.size());
        n->args.begin = op.begin;
        n->args.end = op.end;
        n->args.elem_bytes = elem_bytes(x.dtype);
        bind_xy(*n, op);
        return finish(std::move(n), k::Op::kSlice, k::Precision::kAny, op);
      }
      case OpType::Transpose: {
        auto n = std::make_unique<KernelNode<k::TransposeArgs>>();
        const auto& x = in(op, 0);
        n->args.rank = int(x.shape.size());
        for (size_t i = 0; i < x.shape.size(); ++i) {
          n->args.shape[i] = x.shape[i];
          n->args.perm[i] = op.perm[i];
        }
        n->args.elem_bytes = elem_bytes(x.dtype);
        bind_xy(*n, op);
        return finish(std::move(n), k::Op::kTranspose, k::Precision::kAny, op);
      }
      case OpType::Scale: {
        auto n = std::make_unique<ScaleNode>();
        const auto& x = in(op, 0);
        n->channels = x.shape[0];
        n->inner = x.numel / x.shape[0];
        n->scale = reinterpret_cast<const float*>(weights(op, 1));
        n->shift = reinterpret_cast<const float*>(weights(op, 2));
        n->bind(&n->x, op.inputs[0]);
        n->bind(&n->y, op.outputs[0]);
        n->kernel_name = "Scale/f32/builtin";
        return n;
      }
      case OpType::Quantize: return quantize(op);
      case OpType::Dequantize: return dequantize(op);
    }
    throw_fmt("%s: no implementation", where_.c_str());
  }

  size_t packed_total = 0;

 private:
  const TensorDesc& in(const OpDesc& op, size_t i) const { return t_[size_t(op.inputs[i])]; }
  const TensorDesc& out(const OpDesc& op) const { return t_[size_t(op.outputs[0])]; }
  bool has(const OpDesc& op, size_t i) const { return i < op.inputs.size() && op.inputs[i] >= 0; }
  // A constant's bytes, copied to aligned memory when the file's copy is not aligned.
  const void* weights(const OpDesc& op, size_t i) {
    if (!has(op, i)) return nullptr;
    const TensorDesc& t = in(op, i);
    if (reinterpret_cast<uintptr_t>(t.data) % kAlign == 0) return t.data;
    owned_.push_back(aligned_alloc_bytes(t.bytes));
    std::memcpy(owned_.back().get(), t.data, t.bytes);
    packed_total += t.bytes;
    return owned_.back().get();
  }

  template <class N>
  void bind_xy(N& n, const OpDesc& op) {
    n.bind(&n.args.x, op.inputs[0]);
    n.bind(&n.args.y, op.outputs[0]);
  }

  const k::Kernel* choose(k::Op kop, k::Precision p, const void* args, const OpDesc& op) {
    const k::Kernel* kern = nullptr;
    if (backend && op.variant.empty()) {  // a device (OpenCL) first; the CPU when it cannot
      std::string why;
      kern = backend->kernel_for(kop, p, args, &why);
      const std::string note = backend->take_note();
      if (!note.empty()) log(note);
      if (kern) return kern;
      log(where_ + " runs on the CPU: " + why);
    }
    if (!op.variant.empty()) {
      kern = k::find_kernel(op.variant);
      if (!kern) throw_fmt("%s: the file asks for kernel '%s', which this build lacks", where_.c_str(), op.variant.c_str());
      if (kern->op != kop || kern->precision != p)
        throw_fmt("%s: kernel '%s' does not implement %s/%s", where_.c_str(), op.variant.c_str(), k::to_string(kop),
                  k::to_string(p));
      if (kern->supports && !kern->supports(args))
        throw_fmt("%s: kernel '%s' does not support this op's shape", where_.c_str(), op.variant.c_str());
    } else if (opt_.isa == "ref") {
      kern = k::reference_kernel(kop, p);
    } else if (!opt_.isa.empty()) {
      const k::Isa before = k::max_isa();
      k::set_max_isa(isa_from(opt_.isa));
      kern = k::best_kernel(kop, p, args);
      k::set_max_isa(before);
    } else {
      kern = k::best_kernel(kop, p, args);
    }
    if (!kern) throw_fmt("%s: no kernel for %s/%s in this build", where_.c_str(), k::to_string(kop), k::to_string(p));
    return kern;
  }

  // Picks the kernel, packs weights, records scratch.
  template <class A>
  std::unique_ptr<Node> finish(std::unique_ptr<KernelNode<A>> n, k::Op kop, k::Precision p, const OpDesc& op) {
    finish_node(*n, kop, p, op);
    return n;
  }
  void finish_node(KernelNodeBase& n, k::Op kop, k::Precision p, const OpDesc& op) {
    n.kernel = choose(kop, p, n.args_ptr, op);
    n.kernel_name = n.kernel->name;
    n.packed_size = k::packed_bytes(*n.kernel, n.args_ptr);
    if (n.packed_size > 0) {
      n.packed = aligned_alloc_bytes(n.packed_size);
      n.kernel->pack(n.args_ptr, n.packed.get());
      n.ws->packed = n.packed.get();
      packed_total += n.packed_size;
    }
    n.scratch_bytes = k::scratch_bytes(*n.kernel, n.args_ptr);
    if (n.scratch_bytes > 0) n.bind(&n.ws->scratch, -1);
  }

  k::FixedFormats formats(const OpDesc& op, int fl_w) const {
    k::FixedFormats q;
    q.fl_x = in(op, 0).fl;
    q.fl_w = fl_w;
    q.fl_y = out(op).fl;
    q.wl_y = out(op).wl;
    if (op.inputs.size() > 1 && op.inputs[1] >= 0) q.fl_x2 = in(op, 1).fl;
    return q;
  }

  template <class T>
  std::unique_ptr<Node> dense_typed(const OpDesc& op, k::Precision p, int64_t rows) {
    auto n = std::make_unique<KernelNode<k::DenseArgs<T>>>();
    const auto& w = in(op, 1);
    n->args.s = {int(rows), int(w.shape[1]), int(w.shape[0])};
    n->args.w = static_cast<const T*>(weights(op, 1));
    n->args.bias = weights(op, 2);
    n->args.q = formats(op, std::is_same_v<T, float> ? 0 : w.fl);
    n->args.act = fused(op.activation);
    bind_xy(*n, op);
    return finish(std::move(n), k::Op::kDense, p, op);
  }
  template <class T>
  std::unique_ptr<Node> dense_bc(const OpDesc& op, k::Precision p, int64_t rows) {
    auto n = std::make_unique<KernelNode<k::DenseBcArgs<T>>>();
    const auto& w = in(op, 1);
    n->args.s = {int(rows), int(w.shape[1]), int(w.shape[0])};
    n->args.w = static_cast<const uint64_t*>(weights(op, 1));
    n->args.bias = weights(op, 2);
    if (std::is_same_v<T, float>) n->args.scale = static_cast<const float*>(weights(op, 3));
    n->args.q = formats(op, 0);
    // Weights ±2^−FL (the BIN tensor's fl): the kernels take ±1 weights (fl_w = 0) and
    // requantize from fl_x, so the accumulator's FL fl_x + FL is passed as fl_x.
    if (!std::is_same_v<T, float>) n->args.q.fl_x += w.fl;
    n->args.act = fused(op.activation);
    bind_xy(*n, op);
    return finish(std::move(n), k::Op::kDense, p, op);
  }
  // BNN output side shared by dense and conv.
  template <class N>
  void bnn_out(N& n, const OpDesc& op, size_t first_extra) {
    const auto& y = out(op);
    if (y.dtype == DType::BIN) {
      n.args.out.kind = k::BnnOutput::kBits;
      const float* v = reinterpret_cast<const float*>(in(op, first_extra).data);
      const size_t ch = size_t(in(op, first_extra).shape[0]);
      thresholds_.emplace_back(ch);
      for (size_t c = 0; c < ch; ++c) {
        float th;
        std::memcpy(&th, v + c * 3, 4);
        thresholds_.back()[c].threshold = th;
        thresholds_.back()[c].direction = int8_t(v[c * 3 + 1]);
        thresholds_.back()[c].constant = int8_t(v[c * 3 + 2]);
      }
      n.args.out.thresholds = thresholds_.back().data();
      n.bind(&n.args.out.y_bits, op.outputs[0]);
    } else if (y.dtype == DType::F32) {
      n.args.out.kind = k::BnnOutput::kFloat;
      n.args.out.scale = static_cast<const float*>(weights(op, first_extra));
      n.args.out.bias = static_cast<const float*>(weights(op, first_extra + 1));
      n.bind(&n.args.out.y_f32, op.outputs[0]);
    } else {
      n.args.out.kind = k::BnnOutput::kInt32;
      n.bind(&n.args.out.y_i32, op.outputs[0]);
    }
  }

  std::unique_ptr<Node> dense(const OpDesc& op) {
    const OpPrecision p = detail::op_precision(op, t_);
    const auto& w = in(op, 1);
    const int64_t rows = in(op, 0).numel / w.shape[1];
    switch (p) {
      case OpPrecision::kF32: return dense_typed<float>(op, k::Precision::kF32, rows);
      case OpPrecision::kI8: return dense_typed<int8_t>(op, k::Precision::kI8, rows);
      case OpPrecision::kI16: return dense_typed<int16_t>(op, k::Precision::kI16, rows);
      case OpPrecision::kBcF32: return dense_bc<float>(op, k::Precision::kBcF32, rows);
      case OpPrecision::kBcI8: return dense_bc<int8_t>(op, k::Precision::kBcI8, rows);
      case OpPrecision::kBcI16: return dense_bc<int16_t>(op, k::Precision::kBcI16, rows);
      case OpPrecision::kBnn: {
        auto n = std::make_unique<KernelNode<k::DenseBnnArgs>>();
        n->args.s = {int(rows), int(w.shape[1]), int(w.shape[0])};
        n->args.w = static_cast<const uint64_t*>(weights(op, 1));
        n->bind(&n->args.x, op.inputs[0]);
        bnn_out(*n, op, 2);
        return finish(std::move(n), k::Op::kDense, k::Precision::kBnn, op);
      }
      default: break;
    }
    throw_fmt("%s: unsupported precision", where_.c_str());
  }

  k::ConvShape conv_shape(const OpDesc& op, bool hwc) const {
    const auto& x = in(op, 0);
    const bool one_d = x.shape.size() == 2;
    k::ConvShape s;
    s.in_c = int(hwc ? x.shape[2] : x.shape[0]);
    s.in_h = one_d ? 1 : int(hwc ? x.shape[0] : x.shape[1]);
    s.in_w = int(one_d ? x.shape[1] : (hwc ? x.shape[1] : x.shape[2]));
    s.out_c = int(in(op, 1).shape[0]);
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

  template <class T>
  std::unique_ptr<Node> conv_typed(const OpDesc& op, k::Precision p) {
    auto n = std::make_unique<KernelNode<k::ConvArgs<T>>>();
    n->args.s = conv_shape(op, false);
    n->args.w = static_cast<const T*>(weights(op, 1));
    n->args.bias = weights(op, 2);
    n->args.q = formats(op, std::is_same_v<T, float> ? 0 : in(op, 1).fl);
    n->args.act = fused(op.activation);
    bind_xy(*n, op);
    return finish(std::move(n), kernel_op(op.type), p, op);
  }
  template <class T>
  std::unique_ptr<Node> conv_bc(const OpDesc& op, k::Precision p) {
    auto n = std::make_unique<KernelNode<k::ConvBcArgs<T>>>();
    n->args.s = conv_shape(op, false);
    n->args.w = static_cast<const uint64_t*>(weights(op, 1));
    n->args.bias = weights(op, 2);
    if (std::is_same_v<T, float>) n->args.scale = static_cast<const float*>(weights(op, 3));
    n->args.q = formats(op, 0);
    if (!std::is_same_v<T, float>) n->args.q.fl_x += in(op, 1).fl;  // ±2^−FL weights, as dense_bc
    n->args.act = fused(op.activation);
    bind_xy(*n, op);
    return finish(std::move(n), kernel_op(op.type), p, op);
  }

  std::unique_ptr<Node> conv(const OpDesc& op) {
    switch (detail::op_precision(op, t_)) {
      case OpPrecision::kF32: return conv_typed<float>(op, k::Precision::kF32);
      case OpPrecision::kI8: return conv_typed<int8_t>(op, k::Precision::kI8);
      case OpPrecision::kI16: return conv_typed<int16_t>(op, k::Precision::kI16);
      case OpPrecision::kBcF32: return conv_bc<float>(op, k::Precision::kBcF32);
      case OpPrecision::kBcI8: return conv_bc<int8_t>(op, k::Precision::kBcI8);
      case OpPrecision::kBcI16: return conv_bc<int16_t>(op, k::Precision::kBcI16);
      case OpPrecision::kBnn: {
        auto n = std::make_unique<KernelNode<k::ConvBnnArgs>>();
        n->args.s = conv_shape(op, true);
        n->args.w = static_cast<const uint64_t*>(weights(op, 1));
        n->bind(&n->args.x, op.inputs[0]);
        bnn_out(*n, op, 2);
        return finish(std::move(n), kernel_op(op.type), k::Precision::kBnn, op);
      }
      default: break;
    }
    throw_fmt("%s: unsupported precision", where_.c_str());
  }

  k::PoolShape pool_shape(const OpDesc& op, bool hwc) const {
    const auto& x = in(op, 0);
    const auto& y = out(op);
    const bool one_d = x.shape.size() == 2;
    k::PoolShape s;
    s.channels = int(hwc ? x.shape[2] : x.shape[0]);
    s.in_h = one_d ? 1 : int(hwc ? x.shape[0] : x.shape[1]);
    s.in_w = int(one_d ? x.shape[1] : (hwc ? x.shape[1] : x.shape[2]));
    s.out_h = one_d ? 1 : int(hwc ? y.shape[0] : y.shape[1]);
    s.out_w = int(one_d ? y.shape[1] : (hwc ? y.shape[1] : y.shape[2]));
    const size_t last = op.kernel.size() - 1;
    s.kernel_h = one_d ? 1 : op.kernel[0];
    s.kernel_w = op.kernel[last];
    s.stride_h = one_d ? 1 : op.stride[0];
    s.stride_w = op.stride[last];
    s.pad_top = s.pad_bottom = one_d ? 0 : op.padding[0];
    s.pad_left = s.pad_right = op.padding[last];
    s.count_include_pad = true;
    return s;
  }

  template <class T>
  std::unique_ptr<Node> pool_typed(const OpDesc& op) {
    auto n = std::make_unique<KernelNode<k::PoolArgs<T>>>();
    n->args.s = pool_shape(op, false);
    n->args.q = formats(op, 0);
    bind_xy(*n, op);
    return finish(std::move(n), kernel_op(op.type), elem_precision(in(op, 0).dtype), op);
  }
  std::unique_ptr<Node> pool(const OpDesc& op) {
    switch (in(op, 0).dtype) {
      case DType::F32: return pool_typed<float>(op);
      case DType::I8: return pool_typed<int8_t>(op);
      case DType::I16: return pool_typed<int16_t>(op);
      case DType::BIN: {
        auto n = std::make_unique<KernelNode<k::PoolBitsArgs>>();
        n->args.s = pool_shape(op, true);
        bind_xy(*n, op);
        return finish(std::move(n), kernel_op(op.type), k::Precision::kBnn, op);
      }
      default: break;
    }
    throw_fmt("%s: unsupported dtype", where_.c_str());
  }

  // Calls f with a value of the op's element type (float, int8_t, int16_t), picked
  // from its first input's dtype: one dispatch for every op builder templated on it.
  template <class F>
  std::unique_ptr<Node> by_element_type(const OpDesc& op, F&& f) {
    switch (in(op, 0).dtype) {
      case DType::F32: return f(float{});
      case DType::I8: return f(int8_t{});
      default: return f(int16_t{});
    }
  }

  template <class T>
  std::unique_ptr<Node> reduce_typed(const OpDesc& op) {
    auto n = std::make_unique<KernelNode<k::ReduceMeanArgs<T>>>();
    const auto& x = in(op, 0);
    n->args.outer = int(x.shape[0]);
    n->args.inner = int(x.numel / x.shape[0]);
    n->args.q = formats(op, 0);
    bind_xy(*n, op);
    return finish(std::move(n), kernel_op(op.type), elem_precision(x.dtype), op);
  }
  std::unique_ptr<Node> reduce(const OpDesc& op) {
    return by_element_type(op, [&](auto t) { return reduce_typed<decltype(t)>(op); });
  }

  template <class T>
  std::unique_ptr<Node> rnn_typed(const OpDesc& op) {
    auto n = std::make_unique<KernelNode<k::RnnArgs<T>>>();
    const auto& x = in(op, 0);
    const auto& wh = in(op, 2);
    n->args.steps = int(x.shape[0]);
    n->args.input = int(x.shape[1]);
    n->args.hidden = int(wh.shape[1]);
    n->args.w_ih = static_cast<const T*>(weights(op, 1));
    n->args.w_hh = static_cast<const T*>(weights(op, 2));
    n->args.b_ih = weights(op, 3);
    n->args.b_hh = weights(op, 4);
    auto& q = n->args.q;
    q.fl_x = x.fl;
    q.fl_w_ih = in(op, 1).fl;
    q.fl_w_hh = wh.fl;
    q.fl_h = out(op).fl;
    q.wl_h = out(op).wl;
    q.fl_gate = op.gate_fl;
    q.wl_gate = op.gate_wl;
    q.fl_c = op.cell_fl;
    q.wl_c = op.cell_wl;
    if (op.pre_wl != 0) {
      q.fl_pre = op.pre_fl;
      q.wl_pre = op.pre_wl;
    }
    bind_xy(*n, op);
    return finish(std::move(n), kernel_op(op.type), elem_precision(x.dtype), op);
  }
  std::unique_ptr<Node> rnn(const OpDesc& op) {
    return by_element_type(op, [&](auto t) { return rnn_typed<decltype(t)>(op); });
  }

  template <class T>
  std::unique_ptr<Node> activation_typed(const OpDesc& op) {
    const auto& x = in(op, 0);
    if (op.type == OpType::Sign && out(op).dtype == DType::BIN) {
      auto n = std::make_unique<KernelNode<k::PackBitsArgs<T>>>();
      n->args.channels = int(x.shape[0]);
      n->args.spatial = int(x.numel / x.shape[0]);
      bind_xy(*n, op);
      return finish(std::move(n), k::Op::kPackBits, elem_precision(x.dtype), op);
    }
    auto n = std::make_unique<KernelNode<k::ActivationArgs<T>>>();
    n->args.count = x.numel;
    n->args.min_value = op.min_value;
    n->args.max_value = op.max_value;
    n->args.q = formats(op, 0);
    bind_xy(*n, op);
    return finish(std::move(n), kernel_op(op.type), elem_precision(x.dtype), op);
  }
  std::unique_ptr<Node> activation(const OpDesc& op) {
    return by_element_type(op, [&](auto t) { return activation_typed<decltype(t)>(op); });
  }

  template <class T>
  std::unique_ptr<Node> softmax(const OpDesc& op) {
    auto n = std::make_unique<KernelNode<k::SoftmaxArgsT<T>>>();
    const auto& x = in(op, 0);
    n->args.cols = int(x.shape.back());
    n->args.rows = int(x.numel / x.shape.back());
    n->args.q = formats(op, 0);
    bind_xy(*n, op);
    return finish(std::move(n), k::Op::kSoftmax, elem_precision(x.dtype), op);
  }

  std::unique_ptr<Node> concat(const OpDesc& op) {
    struct ConcatNode : KernelNode<k::ConcatArgs> {
      std::vector<const void*> xs;
      std::vector<int64_t> inner;
    };
    auto n = std::make_unique<ConcatNode>();
    const size_t a = size_t(op.axis);
    const auto& y = out(op);
    n->args.outer = prod(y.shape, 0, a);
    n->xs.resize(op.inputs.size());
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const auto& x = in(op, i);
      n->inner.push_back(prod(x.shape, a, x.shape.size()));
      n->bind(&n->xs[i], op.inputs[i]);
    }
    n->args.inputs = int(op.inputs.size());
    n->args.x = n->xs.data();
    n->args.inner = n->inner.data();
    n->args.elem_bytes = elem_bytes(y.dtype);
    n->bind(&n->args.y, op.outputs[0]);
    ConcatNode* raw = n.release();
    std::unique_ptr<KernelNode<k::ConcatArgs>> base(raw);
    return finish(std::move(base), k::Op::kConcat, k::Precision::kAny, op);
  }

  template <class T>
  std::unique_ptr<Node> add_typed(const OpDesc& op) {
    auto n = std::make_unique<KernelNode<k::AddArgs<T>>>();
    n->args.count = in(op, 0).numel;
    n->args.q = formats(op, 0);
    n->args.act = fused(op.activation);
    n->bind(&n->args.x, op.inputs[0]);
    n->bind(&n->args.x2, op.inputs[1]);
    n->bind(&n->args.y, op.outputs[0]);
    return finish(std::move(n), k::Op::kAdd, elem_precision(in(op, 0).dtype), op);
  }
  std::unique_ptr<Node> add(const OpDesc& op) {
    return by_element_type(op, [&](auto t) { return add_typed<decltype(t)>(op); });
  }

  template <class T>
  std::unique_ptr<Node> quantize_typed(const OpDesc& op) {
    auto n = std::make_unique<KernelNode<k::QuantizeArgs<T>>>();
    n->args.count = in(op, 0).numel;
    n->args.q = formats(op, 0);
    bind_xy(*n, op);
    return finish(std::move(n), k::Op::kQuantize, elem_precision(out(op).dtype), op);
  }
  std::unique_ptr<Node> quantize(const OpDesc& op) {
    const auto& x = in(op, 0);
    if (x.dtype == DType::F32)
      return out(op).dtype == DType::I8 ? quantize_typed<int8_t>(op) : quantize_typed<int16_t>(op);
    auto n = std::make_unique<KernelNode<k::RequantizeArgs>>();
    n->args.count = x.numel;
    n->args.x_bits = x.dtype == DType::I8 ? 8 : 16;
    n->args.y_bits = out(op).dtype == DType::I8 ? 8 : 16;
    n->args.q = formats(op, 0);
    bind_xy(*n, op);
    return finish(std::move(n), k::Op::kRequantize, k::Precision::kAny, op);
  }
  template <class T>
  std::unique_ptr<Node> dequantize_typed(const OpDesc& op) {
    auto n = std::make_unique<KernelNode<k::DequantizeArgs<T>>>();
    n->args.count = in(op, 0).numel;
    n->args.q = formats(op, 0);
    bind_xy(*n, op);
    return finish(std::move(n), k::Op::kDequantize, elem_precision(in(op, 0).dtype), op);
  }
  std::unique_ptr<Node> dequantize(const OpDesc& op) {
    const auto& x = in(op, 0);
    switch (x.dtype) {
      case DType::I8: return dequantize_typed<int8_t>(op);
      case DType::I16: return dequantize_typed<int16_t>(op);
      case DType::BIN: {
        auto n = std::make_unique<KernelNode<k::UnpackBitsArgs>>();
        n->args.channels = int(x.shape.back());
        n->args.spatial = int(x.numel / x.shape.back());
        bind_xy(*n, op);
        return finish(std::move(n), k::Op::kUnpackBits, k::Precision::kBnn, op);
      }
      default: {
        auto n = std::make_unique<DequantizeI32Node>();
        n->count = x.numel;
        n->fl = x.fl;
        n->bind(&n->x, op.inputs[0]);
        n->bind(&n->y, op.outputs[0]);
        n->kernel_name = "Dequantize/i32/builtin";
        return n;
      }
    }
  }

  const Model& m_;
  const InterpreterOptions& opt_;
  const std::vector<TensorDesc>& t_;
  std::string where_;

 public:
  DeviceBackend* backend = nullptr;  // InterpreterOptions::device, null for the CPU
  void log(const std::string& line) const {
    if (opt_.log) opt_.log(line);
    else std::fprintf(stderr, "slimrt: %s\n", line.c_str());
  }
  std::vector<AlignedBytes> owned_;                         // aligned copies of weights
  std::vector<std::vector<bits::SignThreshold>> thresholds_;  // BNN thresholds
};

}  // namespace

std::map<std::string, DeviceBackendFactory>& device_backends() {
  static std::map<std::string, DeviceBackendFactory> m;
  return m;
}

void register_device_backend(const std::string& name, DeviceBackendFactory factory) {
  device_backends()[name] = factory;
}

struct InterpreterStorage {
  std::shared_ptr<DeviceBackend> backend;
  std::vector<AlignedBytes> owned;
  std::vector<std::vector<bits::SignThreshold>> thresholds;
  AlignedBytes arena;
};

Interpreter::Interpreter(std::shared_ptr<const Model> model, InterpreterOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  if (!model_) throw Error("Interpreter: no model");
  const auto& tensors = model_->tensors();
  const auto& ops = model_->ops();
  std::shared_ptr<DeviceBackend> backend;
  if (!options_.device.empty() && options_.device != "cpu") {
    const std::string name = options_.device.substr(0, options_.device.find_first_of(":,"));
    const auto it = device_backends().find(name);
    if (it == device_backends().end())
      throw_fmt("device '%s': no '%s' backend in this program (link slimrt_opencl and call slimrt_opencl_install())",
              options_.device.c_str(), name.c_str());
    backend = it->second(options_.device);
  }
  Builder b(*model_, options_);
  b.backend = backend.get();
  for (size_t i = 0; i < ops.size(); ++i) {
    nodes_.push_back(b.build(i, ops[i]));
    if (backend && nodes_.back()->kernel_name.find("builtin") != std::string::npos)
      b.log("op " + std::to_string(i) + " '" + ops[i].name + "' (" + op_name(ops[i].type) +
            ") runs on the CPU: no device kernel for " + nodes_.back()->kernel_name);
  }
  packed_bytes_ = b.packed_total;

  // Lifetimes: activations from the op that writes them (inputs: step 0) to the last
  // op that reads them (outputs: the end); each node's scratch lives for its step.
  const int n_ops = int(ops.size());
  std::vector<size_t> sizes;
  std::vector<std::pair<int, int>> life;
  std::vector<int> tensor_buffer(tensors.size(), -1);
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (tensors[t].constant()) continue;
    tensor_buffer[t] = int(sizes.size());
    sizes.push_back(tensors[t].bytes);
    life.emplace_back(INT32_MAX, -1);
  }
  auto touch = [&](int t, int step) {
    if (t < 0 || tensor_buffer[size_t(t)] < 0) return;
    auto& l = life[size_t(tensor_buffer[size_t(t)])];
    l.first = std::min(l.first, step);
    l.second = std::max(l.second, step);
  };
  for (int in : model_->inputs()) touch(in, 0);
  for (int s = 0; s < n_ops; ++s) {
    for (int in : ops[size_t(s)].inputs) touch(in, s);
    for (int o : ops[size_t(s)].outputs) touch(o, s);
  }
  for (int o : model_->outputs()) touch(o, n_ops - 1);
  for (size_t i = 0; i < life.size(); ++i)
    if (life[i].second < 0) {  // never used: no bytes
      sizes[i] = 0;
      life[i] = {0, 0};
    }
  std::vector<int> scratch_buffer(nodes_.size(), -1);
  for (size_t s = 0; s < nodes_.size(); ++s)
    if (nodes_[s]->scratch_bytes > 0) {
      scratch_buffer[s] = int(sizes.size());
      sizes.push_back(nodes_[s]->scratch_bytes);
      life.emplace_back(int(s), int(s));
    }
  plan_ = plan_arena(sizes, life, kAlign);

  auto storage = std::make_unique<InterpreterStorage>();
  storage->backend = std::move(backend);
  storage->owned = std::move(b.owned_);
  storage->thresholds = std::move(b.thresholds_);
  storage->arena = aligned_alloc_bytes(plan_.arena_bytes);
  arena_ = storage->arena.get();

  tensor_offset_.assign(tensors.size(), SIZE_MAX);
  for (size_t t = 0; t < tensors.size(); ++t)
    if (tensor_buffer[t] >= 0) tensor_offset_[t] = plan_.offsets[size_t(tensor_buffer[t])];
  for (size_t s = 0; s < nodes_.size(); ++s)
    for (auto& [field, tensor] : nodes_[s]->slots) {
      void* p = tensor < 0 ? arena_ + plan_.offsets[size_t(scratch_buffer[s])] : arena_ + tensor_offset_[size_t(tensor)];
      std::memcpy(field, &p, sizeof p);
    }
  storage_ = std::move(storage);
}

Interpreter::~Interpreter() = default;

const TensorDesc& Interpreter::input(size_t i) const {
  if (i >= num_inputs()) throw_fmt("input %zu does not exist", i);
  return model_->tensors()[size_t(model_->inputs()[i])];
}
const TensorDesc& Interpreter::output(size_t i) const {
  if (i >= num_outputs()) throw_fmt("output %zu does not exist", i);
  return model_->tensors()[size_t(model_->outputs()[i])];
}

void Interpreter::set_input(size_t i, const float* data, size_t count) {
  const TensorDesc& t = input(i);
  if (count != size_t(t.numel))
    throw_fmt("input '%s' takes %lld values, got %zu", t.name.c_str(), (long long)t.numel, count);
  std::memcpy(arena_ + tensor_offset_[size_t(model_->inputs()[i])], data, count * sizeof(float));
}

void Interpreter::invoke() {
  for (auto& n : nodes_) n->run();
}

void Interpreter::get_output(size_t i, float* data, size_t count) const {
  const TensorDesc& t = output(i);
  if (count != size_t(t.numel))
    throw_fmt("output '%s' holds %lld values, asked for %zu", t.name.c_str(), (long long)t.numel, count);
  std::memcpy(data, arena_ + tensor_offset_[size_t(model_->outputs()[i])], count * sizeof(float));
}

const void* Interpreter::tensor_data(int tensor) const {
  if (tensor < 0 || size_t(tensor) >= tensor_offset_.size() || tensor_offset_[size_t(tensor)] == SIZE_MAX)
    return nullptr;
  return arena_ + tensor_offset_[size_t(tensor)];
}

std::vector<std::string> Interpreter::kernel_names() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back(n->kernel_name);
  return out;
}

}  // namespace slimrt
