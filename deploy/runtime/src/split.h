#pragma once
// Threads (InterpreterOptions::threads > 1): at prepare, a dense or conv node with
// enough work becomes a SplitNode of per-thread parts, each an ordinary kernel node
// over a sub-range of the op — output channels (rows of the weight), or rows of a
// dense op's input where it has several — with its own args, packed weights and
// scratch. The kernels do not change: a part is the same op on a narrower shape, and
// every output element is computed by the same kernel variant from the same inputs
// in the same order as without threads, so results are bit-identical. Ranges are cut
// at multiples of 16 channels (64 for packed-bit outputs, whole groups for grouped
// convolutions) so SIMD blocking over channels lines up.
// Included at the end of op_registry.h (Bind::split is a member template).
#include <algorithm>

#include "thread_pool.h"

namespace slimrt::ops {

// Parts of one op run concurrently on the interpreter's pool.
struct SplitNode : Node {
  ThreadPool* pool = nullptr;
  std::vector<std::unique_ptr<KernelNodeBase>> nodes;
  void run() override {
    pool->run(int(nodes.size()), [](void* self, int i) { static_cast<SplitNode*>(self)->nodes[size_t(i)]->run(); },
              this);
  }
};

namespace split {

constexpr int64_t kMinMacs = 1 << 16;  // smaller ops stay whole: a hand-off costs about a microsecond

// Byte offsets of a part's input and output inside their tensors.
struct Offsets {
  size_t x = 0, y = 0;
};

template <class P>
P* at(P* p, size_t elems) { return p ? p + elems : p; }

inline int out_channels(const k::DenseShape& s) { return s.out; }
inline int out_channels(const k::ConvShape& s) { return s.out_c; }

inline constexpr int kChannelGranule = 16;

// Weighted args with w / bias / y (f32, fixed point, BinaryConnect): `row` bytes of
// weight per output channel, T the activation type, scale (BinaryConnect f32) optional.
template <class A>
void narrow_rows_of_w(A& a, int o0, size_t row_bytes) {
  a.w = reinterpret_cast<decltype(a.w)>(reinterpret_cast<const uint8_t*>(a.w) + size_t(o0) * row_bytes);
  if (a.bias) a.bias = static_cast<const uint8_t*>(a.bias) + size_t(o0) * 4;  // float or int32
}

template <class A> struct Traits { static constexpr bool kSplits = false; };

template <class A, class T>
struct DenseTraits {
  static constexpr bool kSplits = true;
  static constexpr bool kBc = !std::is_same_v<A, k::DenseArgs<T>>;
  static size_t row(const A& a) { return kBc ? bits::words_for(size_t(a.s.in)) * 8 : size_t(a.s.in) * sizeof(T); }
  static int units(const A& a) { return a.s.batch > 1 ? a.s.batch : a.s.out; }
  static int granule(const A& a) { return a.s.batch > 1 ? 1 : kChannelGranule; }
  static void narrow(A& a, int u0, int u1, Offsets& off) {
    if (a.s.batch > 1) {  // rows of the input
      off.x = size_t(u0) * size_t(a.s.in) * sizeof(T);
      off.y = size_t(u0) * size_t(a.s.out) * sizeof(T);
      a.s.batch = u1 - u0;
      return;
    }
    narrow_rows_of_w(a, u0, row(a));
    if constexpr (kBc) a.scale = at(a.scale, size_t(u0));
    off.y = size_t(u0) * sizeof(T);
    a.s.out = u1 - u0;
  }
};

template <class A, class T>
struct ConvTraits {
  static constexpr bool kSplits = true;
  static constexpr bool kBc = !std::is_same_v<A, k::ConvArgs<T>>;
  static int per_group(const A& a) { return a.s.out_c / a.s.groups; }
  static size_t row(const A& a) {
    const size_t n = size_t(a.s.in_c / a.s.groups) * size_t(a.s.kernel_h) * size_t(a.s.kernel_w);
    return kBc ? bits::words_for(n) * 8 : n * sizeof(T);
  }
  static int units(const A& a) { return a.s.out_c; }
  static int granule(const A& a) {
    const int pg = per_group(a);
    return a.s.groups == 1 ? kChannelGranule : (kChannelGranule + pg - 1) / pg * pg;
  }
  static void narrow(A& a, int u0, int u1, Offsets& off) {
    const int pg = per_group(a), cg = a.s.in_c / a.s.groups;
    narrow_rows_of_w(a, u0, row(a));
    if constexpr (kBc) a.scale = at(a.scale, size_t(u0));
    off.y = size_t(u0) * size_t(a.s.out_h()) * size_t(a.s.out_w()) * sizeof(T);
    if (a.s.groups > 1) {  // whole groups: their input channels too
      off.x = size_t(u0 / pg) * size_t(cg) * size_t(a.s.in_h) * size_t(a.s.in_w) * sizeof(T);
      a.s.groups = (u1 - u0) / pg;
      a.s.in_c = a.s.groups * cg;
    }
    a.s.out_c = u1 - u0;
  }
};

// BNN output side: per-channel thresholds / scale / bias, and where channel o0 starts
// in the output ([.][words(out)] bits, or [.][out] int32 / float).
inline void narrow_bnn_out(k::BnnOut& o, int o0, size_t channel_stride, Offsets& off) {
  o.thresholds = at(o.thresholds, size_t(o0));
  o.scale = at(o.scale, size_t(o0));
  o.bias = at(o.bias, size_t(o0));
  off.y = o.kind == k::BnnOutput::kBits ? size_t(o0) / 64 * 8 : size_t(o0) * channel_stride * 4;
}

template <>
struct Traits<k::DenseBnnArgs> {
  static constexpr bool kSplits = true;
  using A = k::DenseBnnArgs;
  static size_t words(const A& a) { return a.in_words ? size_t(a.in_words) : bits::words_for(size_t(a.s.in)); }
  static size_t row(const A& a) { return words(a) * 8; }
  static int units(const A& a) { return a.s.batch > 1 ? a.s.batch : a.s.out; }
  static int granule(const A& a) {
    return a.s.batch > 1 ? 1 : a.out.kind == k::BnnOutput::kBits ? 64 : kChannelGranule;
  }
  static void narrow(A& a, int u0, int u1, Offsets& off) {
    if (a.s.batch > 1) {
      off.x = size_t(u0) * words(a) * 8;
      off.y = size_t(u0) * (a.out.kind == k::BnnOutput::kBits ? bits::words_for(size_t(a.s.out)) * 8
                                                                : size_t(a.s.out) * 4);
      a.s.batch = u1 - u0;
      return;
    }
    a.in_words = int(words(a));
    a.w = at(a.w, size_t(u0) * words(a));  // uint64 words
    narrow_bnn_out(a.out, u0, 1, off);
    a.s.out = u1 - u0;
  }
};

template <>
struct Traits<k::ConvBnnArgs> {
  static constexpr bool kSplits = true;
  using A = k::ConvBnnArgs;
  static size_t row(const A& a) {
    return size_t(a.s.kernel_h) * size_t(a.s.kernel_w) * bits::words_for(size_t(a.s.in_c)) * 8;
  }
  static int units(const A& a) { return a.s.out_c; }
  // Packed outputs are [oh][ow][words(out_c)]: a channel range is not contiguous.
  static int granule(const A& a) { return a.out.kind == k::BnnOutput::kBits ? 0 : kChannelGranule; }
  static void narrow(A& a, int u0, int u1, Offsets& off) {
    a.w = at(a.w, size_t(u0) * row(a) / 8);
    narrow_bnn_out(a.out, u0, size_t(a.s.out_h()) * size_t(a.s.out_w()), off);
    a.s.out_c = u1 - u0;
  }
};

template <class T> struct Traits<k::DenseArgs<T>> : DenseTraits<k::DenseArgs<T>, T> {};
template <class T> struct Traits<k::DenseBcArgs<T>> : DenseTraits<k::DenseBcArgs<T>, T> {};
template <class T> struct Traits<k::ConvArgs<T>> : ConvTraits<k::ConvArgs<T>, T> {};
template <class T> struct Traits<k::ConvBcArgs<T>> : ConvTraits<k::ConvBcArgs<T>, T> {};

// What the type-erased split (Bind::split_node, bind.cpp) needs of an args type: one
// small table per type, so the splitting logic itself is compiled once.
struct Fns {
  int (*units)(const void* a);
  int (*granule)(const void* a);
  void (*narrow)(void* a, int u0, int u1, Offsets& off);
  void (*align)(Bind& b, void* a);
};
template <class A>
struct Table {
  using Tr = Traits<A>;
  static int units(const void* a) { return Tr::units(*static_cast<const A*>(a)); }
  static int granule(const void* a) { return Tr::granule(*static_cast<const A*>(a)); }
  static void narrow(void* a, int u0, int u1, Offsets& off) { Tr::narrow(*static_cast<A*>(a), u0, u1, off); }
  static void align(Bind& b, void* a) { b.align_weights(*static_cast<A*>(a)); }
  static constexpr Fns fns{&units, &granule, &narrow, &align};
};

}  // namespace split

template <class A>
NodePtr Bind::split(KernelNode<A>& whole, k::Op kop, k::Precision p) {
  if constexpr (!split::Traits<A>::kSplits) {
    return nullptr;
  } else {
    static_assert(std::is_trivially_copyable_v<A>, "parts are byte copies of the whole op's args");
    return split_node(*whole.node, split::Table<A>::fns, kop, p);
  }
}

// The narrowed weight-side pointers of a part, copied to 64-byte-aligned memory where
// the sub-range does not start aligned (the kernels' contract).
template <class A>
void Bind::align_weights(A& a) {
  using Tr = split::Traits<A>;
  const size_t out = size_t(split::out_channels(a.s));
  a.w = static_cast<decltype(a.w)>(aligned(a.w, out * Tr::row(a)));
  if constexpr (std::is_same_v<A, k::DenseBnnArgs> || std::is_same_v<A, k::ConvBnnArgs>) {
    a.out.thresholds = static_cast<const bits::SignThreshold*>(aligned(a.out.thresholds, out * sizeof(bits::SignThreshold)));
    a.out.scale = static_cast<const float*>(aligned(a.out.scale, out * 4));
    a.out.bias = static_cast<const float*>(aligned(a.out.bias, out * 4));
  } else {
    a.bias = aligned(a.bias, out * 4);
    if constexpr (Tr::kBc) a.scale = static_cast<const float*>(aligned(a.scale, out * 4));
  }
}

}  // namespace slimrt::ops
