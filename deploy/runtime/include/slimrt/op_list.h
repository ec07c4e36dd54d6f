// The one op list. Every op kind in SlimLab — the workbench IR's layer kinds
// (ir::LayerKind), the .slim schema's OpType and slimrt's kernels::Op — derives from
// this list, with its names.
//
// APPEND ONLY: an entry's position is its serialized id in a .slim file (OpType) and
// in model.h5 files (by name). Never reorder, never delete; retire an entry by
// leaving it in place.
//
// X(Name, ir_name, where)
//   Name     the runtime name: OpType::Name, kernels::Op::kName, kernel names
//            "Name/<precision>/<isa>", `slimrt-run describe`.
//   ir_name  the workbench name: ir::LayerKind::kName's to_string(), stored in
//            model.h5 and accepted in experiment files.
//   where    where the kind exists (a mask of SLIMRT_OP_IR, _SLIM, _KERNEL):
//              IR     a layer kind of the workbench's Graph IR,
//              SLIM   an op that may appear in a .slim file (has deploy/runtime/ops/),
//              KERNEL a kernels::Op with registered kernels.
//
// Dependency-free on purpose: deploy/runtime, train/, compress/ and deploy/export all
// include it (the runtime includes nothing of ours but itself; this file is the
// runtime's).
#pragma once

#define SLIMRT_OP_IR 1
#define SLIMRT_OP_SLIM 2
#define SLIMRT_OP_KERNEL 4
#define SLIMRT_OP_ALL (SLIMRT_OP_IR | SLIMRT_OP_SLIM | SLIMRT_OP_KERNEL)

// clang-format off
#define SLIMRT_OP_LIST(X)                                                                  \
  /* ids 0-24: .slim format version 1 */                                                   \
  X(Dense,           "dense",            SLIMRT_OP_ALL)                                     \
  X(Conv1d,          "conv1d",           SLIMRT_OP_ALL)                                     \
  X(Conv2d,          "conv2d",           SLIMRT_OP_ALL)                                     \
  X(DepthwiseConv2d, "depthwise_conv2d", SLIMRT_OP_ALL)                                     \
  X(MaxPool1d,       "max_pool1d",       SLIMRT_OP_ALL)                                     \
  X(MaxPool2d,       "max_pool2d",       SLIMRT_OP_ALL)                                     \
  X(AvgPool2d,       "avg_pool2d",       SLIMRT_OP_ALL)                                     \
  X(GlobalAvgPool,   "global_avg_pool",  SLIMRT_OP_ALL)                                     \
  X(Gru,             "gru",              SLIMRT_OP_ALL)                                     \
  X(Lstm,            "lstm",             SLIMRT_OP_ALL)                                     \
  X(Relu,            "relu",             SLIMRT_OP_ALL)                                     \
  X(Relu6,           "relu6",            SLIMRT_OP_ALL)                                     \
  X(HardTanh,        "hard_tanh",        SLIMRT_OP_ALL)                                     \
  X(Sign,            "sign",             SLIMRT_OP_ALL)                                     \
  X(Softmax,         "softmax",          SLIMRT_OP_ALL)                                     \
  X(Reshape,         "reshape",          SLIMRT_OP_IR | SLIMRT_OP_SLIM)                     \
  X(Concat,          "concat",           SLIMRT_OP_ALL)                                     \
  X(Add,             "add",              SLIMRT_OP_ALL)                                     \
  X(MeanOverTime,    "mean_over_time",   SLIMRT_OP_ALL)                                     \
  X(Slice,           "slice",            SLIMRT_OP_ALL)                                     \
  X(Transpose,       "transpose",        SLIMRT_OP_ALL)                                     \
  X(Scale,           "scale",            SLIMRT_OP_SLIM)                                    \
  X(Quantize,        "quantize",         SLIMRT_OP_SLIM | SLIMRT_OP_KERNEL)                 \
  X(Dequantize,      "dequantize",       SLIMRT_OP_SLIM | SLIMRT_OP_KERNEL)                 \
  X(AvgPool1d,       "avg_pool1d",       SLIMRT_OP_SLIM)                                    \
  /* ids 25-: workbench-only layers and kernel-only ops of format version 1 */              \
  X(Input,           "input",            SLIMRT_OP_IR)                                      \
  X(BatchNorm,       "batch_norm",       SLIMRT_OP_IR)                                      \
  X(Dropout,         "dropout",          SLIMRT_OP_IR)                                      \
  X(Flatten,         "flatten",          SLIMRT_OP_IR)                                      \
  X(Requantize,      "requantize",       SLIMRT_OP_KERNEL)                                  \
  X(PackBits,        "pack_bits",        SLIMRT_OP_KERNEL)                                  \
  X(UnpackBits,      "unpack_bits",      SLIMRT_OP_KERNEL)                                  \
  /* append new ops below this line (docs/ADDING_AN_OP.md) */                              \
  X(Sigmoid,         "sigmoid",          SLIMRT_OP_ALL)                                     \
  X(HardSwish,       "hard_swish",       SLIMRT_OP_ALL)                                     \
  /* sensor front-end ops (Op.frontend parameters; run by slimrt_frontend) */               \
  X(AudioFeatures,   "audio_features",   SLIMRT_OP_SLIM)                                    \
  X(DeepSenseFeatures, "deepsense_features", SLIMRT_OP_SLIM)                                \
  X(Normalize,       "normalize",        SLIMRT_OP_SLIM)                                    \
  X(Resample,        "resample",         SLIMRT_OP_SLIM)                                    \
  X(ImageResize,     "image_resize",     SLIMRT_OP_SLIM)                                    \
  /* element-wise activations and log-softmax (ONNX import) */                              \
  X(Tanh,            "tanh",             SLIMRT_OP_ALL)                                     \
  X(LeakyRelu,       "leaky_relu",       SLIMRT_OP_ALL)                                     \
  X(HardSigmoid,     "hard_sigmoid",     SLIMRT_OP_ALL)                                     \
  X(LogSoftmax,      "log_softmax",      SLIMRT_OP_ALL)                                     \
  /* element-wise two-input ops beside Add (same shapes) */                                  \
  X(Mul,             "mul",              SLIMRT_OP_ALL)                                     \
  X(Sub,             "sub",              SLIMRT_OP_ALL)                                     \
  X(Div,             "div",              SLIMRT_OP_ALL)                                     \
  /* data movement: one axis in reverse order (ONNX reverse / bidirectional RNNs) */        \
  X(Reverse,         "reverse",          SLIMRT_OP_ALL)
// clang-format on

// Ops that are a clamp to constant bounds, y = min(max(x, lo), hi), output in the
// input's format: each runs as hard-tanh with these bounds in every backend and in the
// workbench (facts, LibTorch execution), so one row here is all such an op needs.
//   X(Name, lo, hi)
#define SLIMRT_CONST_CLAMP_OPS(X) X(Relu6, 0, 6)

namespace slimrt {

// The serialized op id: position in SLIMRT_OP_LIST.
enum class OpId : unsigned short {
#define SLIMRT_OP_ENUM_(name, ir_name, where) name,
  SLIMRT_OP_LIST(SLIMRT_OP_ENUM_)
#undef SLIMRT_OP_ENUM_
  kCount
};

struct OpInfo {
  const char* name;     // runtime name
  const char* ir_name;  // workbench name
  int where;            // SLIMRT_OP_* mask
};

inline constexpr OpInfo kOpInfo[] = {
#define SLIMRT_OP_INFO_(name, ir_name, where) {#name, ir_name, where},
    SLIMRT_OP_LIST(SLIMRT_OP_INFO_)
#undef SLIMRT_OP_INFO_
};
static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == static_cast<unsigned>(OpId::kCount),
              "one OpInfo per op");

constexpr int op_count() { return static_cast<int>(OpId::kCount); }
constexpr const OpInfo& op_info(OpId id) { return kOpInfo[static_cast<int>(id)]; }

// The same facts without kOpInfo's pointers, for code that looks them up at run time
// in a shared library (slimrt): one string and one byte per op, no relocations.
inline constexpr char kOpNames[] =
#define SLIMRT_OP_NAME_(name, ir_name, where) #name "\0"
    SLIMRT_OP_LIST(SLIMRT_OP_NAME_)
#undef SLIMRT_OP_NAME_
    ;
inline constexpr unsigned char kOpWhere[] = {
#define SLIMRT_OP_WHERE_(name, ir_name, where) (where),
    SLIMRT_OP_LIST(SLIMRT_OP_WHERE_)
#undef SLIMRT_OP_WHERE_
};
// The runtime name of op `id` ("?" when out of range).
inline const char* op_runtime_name(OpId id) {
  int i = static_cast<int>(id);
  if (i < 0 || i >= op_count()) return "?";
  const char* s = kOpNames;
  for (; i > 0; --i)
    while (*s++) {
    }
  return s;
}
constexpr bool op_in(OpId id, int mask) {
  return static_cast<int>(id) < op_count() && (kOpWhere[static_cast<int>(id)] & mask) != 0;
}

}  // namespace slimrt
