#pragma once
// slimrt CPU kernels: the contract between kernels (ref / x86 / NEON / OpenCL) and
// the interpreter. Kernels are pure functions on raw pointers + shape structs; they
// know nothing of the .slim format, never allocate and never throw. The interpreter
//   1. picks a variant by name (find_kernel("Dense/f32/avx2")) or the fastest one the
//      CPU supports for the op's arguments (best_kernel(op, precision, &args)),
//   2. once at load: asks packed_bytes(&args), gives it that many 64-byte-aligned
//      bytes and calls pack(&args, dst) (weight repacking); asks scratch_bytes(&args)
//      and reserves that much (64-byte aligned) in its arena,
//   3. per inference: fills args.x / args.y (arena pointers), args.ws.packed and
//      args.ws.scratch, and calls run(&args, context). run writes only y and scratch.
//      x and y are aligned to their element only (views place tensors inside one
//      another, docs/SLIMRT.md): kernels use unaligned loads / stores on activations;
//      weights, packed weights and scratch are 64-byte aligned.
//
// Layouts (per batch item, batch outermost, row-major, the Graph IR's / LibTorch's):
//   dense   x [in], w [out][in], y [out]
//   conv    x [C][H][W] (conv1d: H = 1, W = L), w [out][in/groups][kh][kw], y [out][oh][ow]
//   rnn     x [T][F], y [T][H]; GRU gates (r, z, n), LSTM gates (i, f, g, o) as LibTorch
//   binary  packed as slimrt/bitpack.h (+1 ↦ 0, −1 ↦ 1, element i in bit i%64 of word
//           i/64, padding bits 0). BNN feature maps are packed along channels per pixel:
//           x [H][W][words(C)]; BNN conv weights [out][kh][kw][words(in)].
//
// Fixed point (slimrt/fixed_point.h is the only definition of the arithmetic):
// a tensor stores q (int8_t or int16_t) with value q·2^−FL; its word length WL ≤ the
// storage bits. A layer computes its sums exactly (int8: int32 accumulators, exact for
// reductions < 2^17 terms; int16: int64), adds the int32 bias held at FL = fl_x + fl_w,
// and requantizes once with fixed::requantize(acc, fl_x + fl_w, wl_y, fl_y); a fused
// activation is applied to the requantized integer (the clamps of enum Activation commute
// with the monotone rounding, their bounds quantized with fixed::quantize).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "slimrt/bitpack.h"
#include "slimrt/fixed_point.h"
#include "slimrt/op_list.h"

namespace slimrt::kernels {

// ---- ops, precisions, instruction sets ----------------------------------------
// One enumerator per entry of the one op list (slimrt/op_list.h), in its order: the
// value is the entry's position (OpId). Kernel names use the list's names
// ("Dense/f32/avx2"). Entries without SLIMRT_OP_KERNEL have no kernels.
enum class Op : int {
#define SLIMRT_KERNEL_OP_(name, ir_name, where) k##name,
  SLIMRT_OP_LIST(SLIMRT_KERNEL_OP_)
#undef SLIMRT_KERNEL_OP_
  kCount
};
static_assert(int(Op::kCount) == op_count(), "kernels::Op follows the op list");
inline constexpr Op to_kernel_op(OpId id) { return static_cast<Op>(static_cast<int>(id)); }
inline constexpr OpId to_op_id(Op op) { return static_cast<OpId>(static_cast<int>(op)); }

enum class Precision : int {
  kF32,    // float weights and activations
  kI8,     // fixed point, int8 storage (weights and activations), int32 accumulators
  kI16,    // fixed point, int16 storage, int64 accumulators
  kBcF32,  // BinaryConnect: packed ±1 weights, float activations (adds / subtracts only)
  kBcI8,   // BinaryConnect weights, int8 fixed-point activations
  kBcI16,  // BinaryConnect weights, int16 fixed-point activations
  kBnn,    // packed ±1 weights and activations: XOR + popcount
  kAny,    // data movement on any element type (concat, transpose, slice)
  kCount
};

enum class Isa : int { kRef, kAvx2, kAvx512, kNeon, kOpenCL, kCount };

const char* to_string(Op op);            // "Dense", "Conv2d", … (the op list's names)
const char* to_string(Precision p);      // "f32", "i8", "i16", "bc_f32", "bc_i8", "bc_i16", "bnn", "any"
const char* to_string(Isa isa);          // "ref", "avx2", "avx512", "neon", "opencl"
bool parse_op(const std::string& s, Op* out);
bool parse_precision(const std::string& s, Precision* out);

// Fused output activation of dense / conv / add (cheap ones only; sign is PackBits or
// a BNN threshold).
enum class Activation : int { kNone, kRelu, kRelu6, kHardTanh };

// ---- shapes ---------------------------------------------------------------------
struct DenseShape {
  int batch = 1;
  int in = 0;   // BNN: the true number of ±1 inputs n (dot = n − 2·popcount)
  int out = 0;
};

// Conv1d uses in_h = kernel_h = 1. Depthwise: groups == in_c, out_c = multiplier·in_c.
struct ConvShape {
  int batch = 1;
  int in_c = 0, in_h = 1, in_w = 0;
  int out_c = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;  // zero padding
  int dilation_h = 1, dilation_w = 1;
  int groups = 1;
  int out_h() const { return (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1; }
  int out_w() const { return (in_w + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1; }
  // Multiply-accumulates per batch item.
  int64_t macs() const {
    return int64_t(out_c) * out_h() * out_w() * (in_c / (groups > 0 ? groups : 1)) * kernel_h * kernel_w;
  }
  // Whether an im2col + GEMM kernel suits this conv: any dense conv (a DeepIoT-pruned
  // layer may keep 1–3 filters: the GEMM pads its last row panel), and grouped ones
  // with at least 4 filters per group. Depthwise and narrow groups have tiny K and M:
  // the direct loop is the better shape there.
  bool gemm_friendly() const { return groups == 1 || out_c / groups >= 4; }
};

// Max / avg pooling over [C][H][W] (1-D: in_h = kernel_h = 1). out_h / out_w are given
// (the interpreter applies floor or ceil mode); windows are clipped to the input, max
// ignores padding, avg divides by the window clipped to the padded extent when
// count_include_pad (LibTorch's default) else by the valid count.
struct PoolShape {
  int batch = 1;
  int channels = 0, in_h = 1, in_w = 0;
  int out_h = 1, out_w = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0;
  int pad_bottom = 0, pad_right = 0;  // extent counted by count_include_pad
  bool count_include_pad = true;
};

// Fixed-point formats of one op. Binary weights count as fl_w = 0 (±1).
struct FixedFormats {
  int fl_x = 0;   // input (both inputs of Add: fl_x and fl_x2)
  int fl_w = 0;   // weights; bias is int32 at fl_x + fl_w
  int fl_y = 0;   // output
  int wl_y = 8;   // output word length, 2 ≤ wl_y ≤ storage bits
  int fl_x2 = 0;  // Add's second input
};

// A batch norm folded into a fixed-point conv / dense (docs/SLIMRT.md "Folded batch
// norm"): output channel c is fixed::requantize_channel(acc + bias_c, mult_c, offset_c,
// fl_acc, fl_mult, wl_y, fl_y) instead of fixed::requantize(acc + bias_c, fl_acc, …).
// Kernels that cannot apply it say so in supports() (the reference always can).
struct ChannelRequant {
  const int32_t* mult = nullptr;    // per output channel at fl_mult; null: no folded batch norm
  const int32_t* offset = nullptr;  // per output channel, int32 at fl_acc + fl_mult; may be null (0)
  int fl_mult = 0;
};

// Buffers the interpreter provides per node (see the top of the file).
struct Workspace {
  const void* packed = nullptr;  // packed_bytes() bytes written by pack() at load
  void* scratch = nullptr;       // scratch_bytes() bytes, contents undefined on entry
};

// ---- args: dense and conv (one struct per op family and precision) ---------------
// The output side they all share: destination, fixed-point formats (fixed only; fl_w = 0
// for BinaryConnect), a folded batch norm (fixed only; none by default), the fused
// activation with its hard-tanh bounds (real values), and the node's workspace.
template <class T>
struct OutputArgs {
  T* y = nullptr;
  FixedFormats q;
  ChannelRequant rq;
  Activation act = Activation::kNone;
  float act_min = -1, act_max = 1;
  Workspace ws;
};

template <class T>  // float (f32), int8_t / int16_t (fixed point)
struct DenseArgs : OutputArgs<T> {
  DenseShape s;
  const T* x = nullptr;
  const T* w = nullptr;
  const void* bias = nullptr;  // float* for f32, int32_t* at fl_x + fl_w for fixed; may be null
};

template <class T>  // BinaryConnect: packed ±1 weights [out][words(in)], T activations
struct DenseBcArgs : OutputArgs<T> {
  DenseShape s;
  const T* x = nullptr;
  const uint64_t* w = nullptr;
  const float* scale = nullptr;  // f32 only: per-output α (null: 1)
  const void* bias = nullptr;    // float* (f32) or int32_t* at fl_x (fixed); may be null
};

// BNN output: packed signs through folded BN thresholds, the raw integer dot, or a
// float affine map of it (last layer: y = dot·scale + bias).
enum class BnnOutput : int { kBits, kInt32, kFloat };
struct BnnOut {
  BnnOutput kind = BnnOutput::kFloat;
  const bits::SignThreshold* thresholds = nullptr;  // kBits: per output channel
  const float* scale = nullptr;                     // kFloat: per channel, null = 1
  const float* bias = nullptr;                      // kFloat: per channel, null = 0
  uint64_t* y_bits = nullptr;   // dense [batch][words(out)]; conv [batch][oh][ow][words(out_c)]
  int32_t* y_i32 = nullptr;     // dense [batch][out]; conv [batch][out_c][oh][ow] (CHW)
  float* y_f32 = nullptr;       // as y_i32
};

struct DenseBnnArgs {
  DenseShape s;
  int in_words = 0;            // words per input row (0: words_for(in)); ≥ words_for(in),
                               // extra words / padding bits are 0 in x and w
  const uint64_t* x = nullptr; // [batch][in_words]
  const uint64_t* w = nullptr; // [out][in_words]
  BnnOut out;
  Workspace ws;
};

template <class T>  // f32 or fixed; also Conv1d and DepthwiseConv2d
struct ConvArgs : OutputArgs<T> {
  ConvShape s;
  const T* x = nullptr;
  const T* w = nullptr;
  const void* bias = nullptr;  // float* / int32_t* at fl_x + fl_w; may be null
};

template <class T>  // BinaryConnect conv: w packed [out][words((in/groups)·kh·kw)] (row = one filter, IR order)
struct ConvBcArgs : OutputArgs<T> {
  ConvShape s;
  const T* x = nullptr;
  const uint64_t* w = nullptr;
  const float* scale = nullptr;
  const void* bias = nullptr;
};

// BNN conv (groups = 1). Padding is zero padding: out-of-image taps are skipped and
// the dot uses the number of in-image taps × in_c, exactly as a float conv with zero
// padding on ±1 data.
struct ConvBnnArgs {
  ConvShape s;
  const uint64_t* x = nullptr;  // [batch][H][W][words(in_c)]
  const uint64_t* w = nullptr;  // [out_c][kh][kw][words(in_c)]
  BnnOut out;
  Workspace ws;
};

// ---- args: pooling, recurrent, element-wise, data movement ----------------------
template <class T>  // f32 / fixed (avg: quantize(ldexp(double(sum) / n, −fl_x), wl_y, fl_y))
struct PoolArgs {
  PoolShape s;
  const T* x = nullptr;
  T* y = nullptr;
  FixedFormats q;  // avg pooling of fixed point: fl_x, fl_y, wl_y
  Workspace ws;
};

struct PoolBitsArgs {  // BNN max pooling: max of ±1 = AND of sign bits; x/y [batch][H][W][words(C)]
  PoolShape s;
  const uint64_t* x = nullptr;
  uint64_t* y = nullptr;
  Workspace ws;
};

// Global average pooling [C][S] → [C], mean over time [T][F] → [F].
template <class T>
struct ReduceMeanArgs {
  int batch = 1;
  int outer = 0;  // GlobalAvgPool: C (mean over the inner axis); MeanOverTime: T (mean over the outer axis)
  int inner = 0;  // GlobalAvgPool: spatial size S; MeanOverTime: F
  const T* x = nullptr;
  T* y = nullptr;
  FixedFormats q;
  Workspace ws;
};

// One GRU / LSTM layer, batch-first sequences. Gate pre-activations follow LibTorch:
//   GRU:  r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(… z …),
//         n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h
//   LSTM: i, f, o = σ(…), g = tanh(…), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c')
// Fixed point (docs/DESIGN-NOTES.md "Fixed-point semantics"; the training side's
// FixedPointEvaluator, compress/quant/fixed_point_eval.cpp, runs this kernel): per step and unit
//   gi = requantize(W_ih x + b_ih, fl_x + fl_w_ih → pre), gh = requantize(W_hh h + b_hh, fl_h + fl_w_hh → pre)
//   r, z (i, f, o) = sigmoid(saturate_pre(gi + gh), fl_pre → gate); LSTM g = tanh(…)
//   GRU n = tanh(requantize(gi_n·2^fl_gate + r·gh_n, fl_pre + fl_gate → pre), fl_pre → gate)
//   GRU h = requantize((2^fl_gate − z)·n and z·h aligned to F = fl_gate + max(fl_gate, fl_h), F → h)
//   LSTM c = requantize(f·c and i·g aligned to F = fl_gate + max(fl_gate, fl_c), F → c),
//        h = requantize(o·tanh(c, fl_c → gate), 2·fl_gate → h)
// with sigmoid / tanh = fixed::sigmoid / fixed::tanh. Outputs y are h_t in ⟨wl_h, fl_h⟩;
// the LSTM cell lives in int32 scratch (wl_c ≤ 16). fl_gate ≥ 0.
struct RnnFixedFormats {
  int fl_x = 0;
  int fl_w_ih = 0, fl_w_hh = 0;  // biases: b_ih at fl_x + fl_w_ih, b_hh at fl_h + fl_w_hh (int32)
  int fl_h = 0, wl_h = 8;        // hidden state and output
  int fl_pre = 0, wl_pre = 8;    // gate pre-activations (gate_preactivation_format)
  int fl_gate = 6, wl_gate = 8;  // gate activations (gate_format; the training side uses fl = wl − 2)
  int fl_c = 0, wl_c = 16;       // LSTM cell (cell_format)
};

template <class T>
struct RnnArgs {  // Op::kGru (G = 3) or Op::kLstm (G = 4)
  int batch = 1, steps = 0, input = 0, hidden = 0;
  const T* x = nullptr;        // [batch][steps][input]
  const T* w_ih = nullptr;     // [G·hidden][input]
  const T* w_hh = nullptr;     // [G·hidden][hidden]
  const void* b_ih = nullptr;  // [G·hidden] float / int32; may be null
  const void* b_hh = nullptr;
  const T* h0 = nullptr;       // [batch][hidden] (null: zeros)
  const T* c0 = nullptr;       // LSTM [batch][hidden] (null: zeros)
  T* y = nullptr;              // [batch][steps][hidden]
  RnnFixedFormats q;
  Workspace ws;                // scratch: see scratch_bytes of the variant
};

// The attributes of a unary op of kernels/unary.inc (ONNX's names): LeakyRelu's slope α
// (y = α·x below 0), HardSigmoid's y = min(max(α·x + β, 0), 1). The other ops ignore them.
struct UnaryParams {
  float alpha = 0, beta = 0;
};

template <class T>  // the clamps, Sign, element-wise unary ops (in place allowed: y == x)
struct ActivationArgs {
  int64_t count = 0;
  const T* x = nullptr;
  T* y = nullptr;
  float min_value = -1, max_value = 1;  // hard-tanh
  UnaryParams p;                        // unary ops with attributes
  FixedFormats q;  // fixed: fl_x == fl_y (same format in and out); sign writes ±2^fl_y saturated
  Workspace ws;
};

// The bounds of a constant clamp op (SLIMRT_CONST_CLAMP_OPS in slimrt/op_list.h); false
// for every other op.
constexpr bool const_clamp_bounds(Op op, float* lo, float* hi) {
#define SLIMRT_CLAMP_BOUNDS_(Name, l, h) \
  if (op == Op::k##Name) {               \
    *lo = float(l);                      \
    *hi = float(h);                      \
    return true;                         \
  }
  SLIMRT_CONST_CLAMP_OPS(SLIMRT_CLAMP_BOUNDS_)
#undef SLIMRT_CLAMP_BOUNDS_
  return false;
}

// A constant clamp op runs the hard-tanh kernel `Clamp` with its bounds fixed, whatever
// the caller's min_value / max_value say.
template <class T, void (*Clamp)(const ActivationArgs<T>&), int Lo, int Hi>
void const_clamp(const ActivationArgs<T>& a) {
  ActivationArgs<T> b = a;
  b.min_value = float(Lo);
  b.max_value = float(Hi);
  Clamp(b);
}

template <class T>  // over the last axis [rows][cols]. Fixed point: e_k = exp(dequantize(q_k − max, fl_x))
struct SoftmaxArgsT { // in double, y_k = quantize(e_k / Σe, wl_y, fl_y), sums in index order
  int rows = 1, cols = 0;
  bool log = false;  // LogSoftmax: y_k = x_k − max − ln Σe (fixed: quantize of that in double)
  const T* x = nullptr;
  T* y = nullptr;
  FixedFormats q;
  Workspace ws;
};
using SoftmaxArgs = SoftmaxArgsT<float>;

// Broadcasting of a two-input element-wise op (numpy / ONNX rules on per-sample shapes,
// trailing axes aligned, a missing leading axis counts as 1). Axes are merged where
// both inputs step alike, so the innermost axis always has x and x2 contiguous (stride
// 1) or repeated (stride 0): a [C, 1, 1] operand against [C, H, W] is rank 2 {C, H·W}
// with x2 strides {1, 0}. rank 0: no broadcast, both inputs have `count` elements.
constexpr int kMaxBroadcastRank = 6;
struct Broadcast {
  int rank = 0;
  int64_t shape[kMaxBroadcastRank] = {};  // the (merged) output axes
  int64_t sx[kMaxBroadcastRank] = {};     // element strides of x along them (0: repeated)
  int64_t sx2[kMaxBroadcastRank] = {};    // and of x2
};
// The broadcast of shapes a and b into `out`; false when they do not broadcast.
bool broadcast_shape(const std::vector<int64_t>& a, const std::vector<int64_t>& b, std::vector<int64_t>& out);
// `bc` for inputs of shapes x, x2 and their broadcast `out`; false when an input does
// not broadcast to `out` or more than kMaxBroadcastRank axes remain after merging.
bool make_broadcast(const std::vector<int64_t>& x, const std::vector<int64_t>& x2, const std::vector<int64_t>& out,
                    Broadcast& bc);

// y = x + x2 (fused activation); fixed: exact sum at max(fl_x, fl_x2), one requantize. Also the
// args of Sub (x − x2, as Add), Mul (exact product at fl_x + fl_x2, one requantize) and Div
// (fixed::divide, rounded once): x and x2 broadcast (bc), one epilogue (saturation, activation).
template <class T>
struct AddArgs {
  int64_t count = 0;  // output elements
  Broadcast bc;       // rank 0: x and x2 have `count` elements too
  const T* x = nullptr;
  const T* x2 = nullptr;
  T* y = nullptr;
  FixedFormats q;
  Activation act = Activation::kNone;
  float act_min = -1, act_max = 1;
  Workspace ws;
};

// Data movement on elements of elem_bytes (1, 2, 4, 8) — any precision.
struct ConcatArgs {  // along one axis: each input is [outer][inner_i], output [outer][Σ inner_i]
  int64_t outer = 1;
  int inputs = 0;
  const void* const* x = nullptr;  // inputs pointers
  const int64_t* inner = nullptr;  // inputs entries of inner sizes
  void* y = nullptr;
  int elem_bytes = 4;
  Workspace ws;
};

struct TransposeArgs {  // up to 6 axes; output axis i is input axis perm[i]
  int rank = 0;
  int64_t shape[6] = {};  // input shape (batch included as axis 0 if wanted)
  int perm[6] = {};
  const void* x = nullptr;
  void* y = nullptr;
  int elem_bytes = 4;
  Workspace ws;
};

struct SliceArgs {  // x [outer][axis][inner] → y [outer][end − begin][inner]
  int64_t outer = 1, axis = 0, inner = 1;
  int64_t begin = 0, end = 0;
  const void* x = nullptr;
  void* y = nullptr;
  int elem_bytes = 4;
  Workspace ws;
};

// Conversions. T is the fixed storage (Quantize / Dequantize / Requantize's input).
template <class T>
struct QuantizeArgs {  // y = fixed::quantize(x, wl_y, fl_y)
  int64_t count = 0;
  const float* x = nullptr;
  T* y = nullptr;
  FixedFormats q;
  Workspace ws;
};
template <class T>
struct DequantizeArgs {  // y = q · 2^−fl_x
  int64_t count = 0;
  const T* x = nullptr;
  float* y = nullptr;
  FixedFormats q;
  Workspace ws;
};
struct RequantizeArgs {  // int8/int16 → int8/int16: y = fixed::requantize(x, fl_x, wl_y, fl_y)
  int64_t count = 0;
  const void* x = nullptr;
  int x_bits = 8;  // storage of x: 8 (int8_t) or 16 (int16_t)
  void* y = nullptr;
  int y_bits = 8;  // storage of y
  FixedFormats q;
  Workspace ws;
};
template <class T>  // [batch][C][S] (CHW, S = H·W; dense: C = n, S = 1) → [batch][S][words(C)]
struct PackBitsArgs {
  int batch = 1, channels = 0, spatial = 1;
  const T* x = nullptr;  // sign of the value (0 ↦ +1)
  uint64_t* y = nullptr;
  Workspace ws;
};
struct UnpackBitsArgs {  // [batch][S][words(C)] → [batch][C][S] float ±1
  int batch = 1, channels = 0, spatial = 1;
  const uint64_t* x = nullptr;
  float* y = nullptr;
  Workspace ws;
};

// ---- kernels and the registry --------------------------------------------------
// A variant of one op at one precision. All function pointers take a pointer to that
// op's args struct (for Dense/i8: DenseArgs<int8_t>, Dense/bnn: DenseBnnArgs, …; the
// table in docs/SLIMRT.md lists them; Requantize, Concat, Transpose and Slice are /any).
struct Kernel {
  std::string name;  // "Op/precision/variant", e.g. "Dense/f32/avx512"
  Op op = Op::kDense;
  Precision precision = Precision::kF32;
  Isa isa = Isa::kRef;
  int priority = 0;  // best_kernel prefers higher (ref 0, avx2 20, avx512 30, neon 20)
  void (*run)(const void* args, void* context) = nullptr;
  // Optional. Whether this variant handles these args (null: all). Optimized
  // variants may cover only common cases; best_kernel falls back to the next one.
  bool (*supports)(const void* args) = nullptr;
  size_t (*packed_bytes)(const void* args) = nullptr;   // null: 0, uses the original weights
  void (*pack)(const void* args, void* packed) = nullptr;
  size_t (*scratch_bytes)(const void* args) = nullptr;  // null: 0
  void* context = nullptr;  // passed to run (the OpenCL backend's queue, …)
  // Optional. Frees what pack() set up beyond the packed bytes (the OpenCL backend's
  // device buffers); called once when the op is destroyed, with the same packed bytes.
  void (*release)(const void* args, void* packed) = nullptr;
};

// Every registered kernel: built-in ref / x86 / NEON ones (those the binary was
// compiled for, whatever the CPU) plus those added with register_kernel.
const std::vector<Kernel>& all_kernels();
// Adds or replaces (same name) a kernel. Not thread-safe with concurrent lookups.
// Registered kernels never move: pointers from find_kernel / best_kernel stay valid
// (the registry reserves room for 2048 kernels; past that, new names are ignored).
void register_kernel(const Kernel& k);
// null if unknown.
const Kernel* find_kernel(const std::string& name);
// Highest-priority kernel for op/precision that the CPU supports, whose ISA is ≤
// max_isa() (x86: ref < avx2 < avx512) and whose supports(args) accepts args (args may
// be null: then any). OpenCL kernels are never chosen here. null if none.
const Kernel* best_kernel(Op op, Precision precision, const void* args = nullptr);
// The reference kernel of op/precision (the oracle), null if none.
const Kernel* reference_kernel(Op op, Precision precision);

// ---- CPU features ----------------------------------------------------------------
struct CpuFeatures {
  bool avx2 = false, fma = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
  bool avx512vnni = false, avx512vpopcntdq = false;
  bool neon = false, neon_dotprod = false;
};
const CpuFeatures& cpu_features();  // detected once (cpuid / getauxval)
bool cpu_supports(Isa isa);         // the instructions variants of this ISA need
// Caps best_kernel's choice (tests, benchmarks, SLIMRT_MAX_ISA=ref|avx2|avx512|neon env);
// set_max_isa(Isa::kCount) removes the cap. find_kernel ignores it.
void set_max_isa(Isa isa);
Isa max_isa();

// Where the optimized kernels come from, one line: "built in (avx2, avx512)" in the
// static library; in the shared core (libslimrt.so) the optional libslimrt_simd.so next
// to it — loaded, not found, turned off or refused (docs/SLIMRT.md "Library size").
const char* kernel_library();

// ---- typed helpers ------------------------------------------------------------------
inline size_t packed_bytes(const Kernel& k, const void* args) { return k.packed_bytes ? k.packed_bytes(args) : 0; }
inline size_t scratch_bytes(const Kernel& k, const void* args) { return k.scratch_bytes ? k.scratch_bytes(args) : 0; }
inline void run(const Kernel& k, const void* args) { k.run(args, k.context); }

constexpr size_t kAlignment = 64;  // of packed and scratch buffers and of weight buffers
inline constexpr size_t align_up(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

}  // namespace slimrt::kernels
