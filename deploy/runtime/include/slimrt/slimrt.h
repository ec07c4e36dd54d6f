/* slimrt C API: load a .slim model, fill inputs, run, read outputs.
 * Every function returning slimrt_status sets a thread-local message on failure
 * (slimrt_last_error()). Inputs and outputs are float32 at the API; fixed-point and
 * binary models quantize inside the graph. Not thread-safe per interpreter: use
 * one interpreter per thread (they may share a model). */
#ifndef SLIMRT_SLIMRT_H_
#define SLIMRT_SLIMRT_H_

#include <stddef.h>
#include <stdint.h>

#if defined(SLIMRT_BUILDING_SHARED)
#define SLIMRT_API __attribute__((visibility("default")))
#else
#define SLIMRT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum slimrt_status {
  SLIMRT_OK = 0,
  SLIMRT_ERROR_INVALID_ARGUMENT = 1, /* null pointer, index or size out of range */
  SLIMRT_ERROR_INVALID_MODEL = 2,    /* the file failed verification */
  SLIMRT_ERROR_IO = 3,
  SLIMRT_ERROR_RUNTIME = 4
} slimrt_status;

typedef enum slimrt_dtype {
  SLIMRT_F32 = 0, SLIMRT_F16 = 1, SLIMRT_I8 = 2, SLIMRT_I16 = 3, SLIMRT_I32 = 4, SLIMRT_BIN = 5
} slimrt_dtype;

typedef struct slimrt_model slimrt_model;             /* a verified model, shareable */
typedef struct slimrt_interpreter slimrt_interpreter; /* prepared kernels + arena */

typedef struct slimrt_tensor_info {
  const char* name;     /* valid while the model lives */
  slimrt_dtype dtype;
  int rank;
  int64_t shape[8];     /* no batch axis */
  int64_t numel;
  int fractional_bits;  /* fixed point */
} slimrt_tensor_info;

SLIMRT_API const char* slimrt_version(void);
/* Where the optimized CPU kernels come from, one line: "built in (avx2, avx512)" for the
   static library; for the shared core libslimrt.so, the optional libslimrt_simd.so next
   to it, or why only the reference kernels run ("reference kernels only (...)").
   Loading happens here, or at the first interpreter; the string lives forever. */
SLIMRT_API const char* slimrt_kernel_library(void);
/* The message of the last failed call on this thread ("" if none). */
SLIMRT_API const char* slimrt_last_error(void);

SLIMRT_API slimrt_status slimrt_model_load_file(const char* path, slimrt_model** out);
/* copy = 0: the model points into `data` (64-byte aligned, kept alive and unchanged by the caller). */
SLIMRT_API slimrt_status slimrt_model_load_memory(const void* data, size_t size, int copy, slimrt_model** out);
/* Load flags. Format version 2 files carry CRC-32C checksums over every weight buffer and
 * the rest of the file, verified at load (a mismatch is SLIMRT_ERROR_INVALID_MODEL naming the
 * tensor). SLIMRT_LOAD_SKIP_CHECKSUMS skips that, for zero-copy images in flash whose
 * integrity the device guarantees otherwise. Version 1 files have no checksums: they load,
 * with a note on stderr. */
#define SLIMRT_LOAD_SKIP_CHECKSUMS 1u
SLIMRT_API slimrt_status slimrt_model_load_file_ex(const char* path, unsigned flags, slimrt_model** out);
SLIMRT_API slimrt_status slimrt_model_load_memory_ex(const void* data, size_t size, int copy, unsigned flags,
                                                     slimrt_model** out);
/* The file's .slim format version (1: no checksums, 2: checksums); 0 for NULL. */
SLIMRT_API unsigned slimrt_model_format_version(const slimrt_model* model);
SLIMRT_API void slimrt_model_free(slimrt_model* model);
/* Metadata: "model", "precision", "feature_type", "source_run", "exporter" (NULL if unknown key). */
SLIMRT_API const char* slimrt_model_metadata(const slimrt_model* model, const char* key);
SLIMRT_API int slimrt_model_num_classes(const slimrt_model* model);
SLIMRT_API const char* slimrt_model_class_name(const slimrt_model* model, int index);

/* isa: NULL/"" = fastest, "ref", "avx2", "avx512", "neon". One thread (see _create_ex). */
SLIMRT_API slimrt_status slimrt_interpreter_create(const slimrt_model* model, const char* isa,
                                                   slimrt_interpreter** out);
/* device: NULL, "" or "cpu" = CPU kernels; "opencl", "opencl:N", "opencl:N,fp16" = an OpenCL
 * device (needs libslimrt_opencl and slimrt_opencl_install(), see slimrt/opencl.h); ops
 * the device cannot run fall back to the CPU with a line on stderr. No OpenCL platform,
 * or no such device: SLIMRT_ERROR_RUNTIME with the reason in slimrt_last_error(). */
SLIMRT_API slimrt_status slimrt_interpreter_create_device(const slimrt_model* model, const char* isa,
                                                          const char* device, slimrt_interpreter** out);
/* Options of slimrt_interpreter_create_ex; zero-initialise, then set what you need. */
typedef struct slimrt_interpreter_options {
  const char* isa;    /* as slimrt_interpreter_create; NULL = fastest */
  const char* device; /* as slimrt_interpreter_create_device; NULL = CPU */
  int threads;        /* 0 or 1: the calling thread only. N > 1 (at most 64): a pool of N - 1
                         worker threads created here (none while running) shares each large
                         dense / conv op by output channels; outputs are bit-identical to one
                         thread. Ignored with a device. */
} slimrt_interpreter_options;
SLIMRT_API slimrt_status slimrt_interpreter_create_ex(const slimrt_model* model,
                                                      const slimrt_interpreter_options* options,
                                                      slimrt_interpreter** out);
SLIMRT_API void slimrt_interpreter_free(slimrt_interpreter* interp);
SLIMRT_API int slimrt_num_inputs(const slimrt_interpreter* interp);
SLIMRT_API int slimrt_num_outputs(const slimrt_interpreter* interp);
SLIMRT_API slimrt_status slimrt_input_info(const slimrt_interpreter* interp, int index, slimrt_tensor_info* info);
SLIMRT_API slimrt_status slimrt_output_info(const slimrt_interpreter* interp, int index, slimrt_tensor_info* info);
SLIMRT_API slimrt_status slimrt_set_input(slimrt_interpreter* interp, int index, const float* data, size_t count);
SLIMRT_API slimrt_status slimrt_run(slimrt_interpreter* interp);
SLIMRT_API slimrt_status slimrt_get_output(const slimrt_interpreter* interp, int index, float* data, size_t count);
SLIMRT_API size_t slimrt_arena_bytes(const slimrt_interpreter* interp);
/* The kernel op `index` of the prepared graph runs, "Dense/i8/neon", "Reshape/any/view", …
   (valid until the interpreter is freed or its point changes); NULL past the last op. */
SLIMRT_API const char* slimrt_op_kernel(const slimrt_interpreter* interp, int index);

/* ---- operating points (docs/ADAPTIVE.md) ----
 * A .slim may hold several operating points (widths of a slimmable network, …): graphs
 * over shared weights, each with its accuracy and costs. An interpreter prepares all
 * of them with one arena (planned for the largest); slimrt_set_point switches between
 * runs without allocating. A file without a point table has one point (index 0). */
typedef struct slimrt_point_info {
  const char* name;       /* "width_0.25"; valid while the model lives */
  const char* precision;  /* fp32 | int8 | int16 | binary */
  double width;           /* slimmable width (0: not a width point) */
  double accuracy;        /* test accuracy in the source run (-1 unknown) */
  int64_t macs;
  int64_t weight_bytes;
  double latency_us;      /* measured at export (-1 unknown) */
  double energy_uj;       /* estimated energy per inference (-1 unknown) */
  int is_main;            /* 1: the model's own graph (what a reader without points runs) */
} slimrt_point_info;
SLIMRT_API int slimrt_model_num_points(const slimrt_model* model);
SLIMRT_API slimrt_status slimrt_model_point_info(const slimrt_model* model, int index, slimrt_point_info* info);
/* Switch between runs; the interpreter starts at the main point. */
SLIMRT_API slimrt_status slimrt_set_point(slimrt_interpreter* interp, int index);
SLIMRT_API int slimrt_get_point(const slimrt_interpreter* interp);
typedef enum slimrt_budget_kind {
  SLIMRT_BUDGET_LATENCY_US = 0, SLIMRT_BUDGET_ENERGY_UJ = 1, SLIMRT_BUDGET_MACS = 2
} slimrt_budget_kind;
/* kind: a slimrt_budget_kind value (an int, so a bad value is an error, not undefined).
 * The most accurate point costing at most `budget` (the cheapest when none does).
 * current: the point in use (-1: none); hysteresis h in [0, 1): the current point is
 * kept while it fits unless a more accurate one costs at most budget * (1 - h). */
SLIMRT_API slimrt_status slimrt_choose_point(const slimrt_model* model, int kind, double budget,
                                             int current, double hysteresis, int* out);
/* A level in [0, 1] (battery, thermal headroom) mapped linearly onto [cheapest, dearest] cost. */
SLIMRT_API slimrt_status slimrt_budget_for_level(const slimrt_model* model, int kind, double level,
                                                 double* out);

#ifdef __cplusplus
}
#endif

#endif /* SLIMRT_SLIMRT_H_ */
