/* slimrt-classify: the smallest device app, written against slimrt's core C API only
 * (slimrt/slimrt.h) and linked to the shared core libslimrt.so — the library a device
 * ships (docs/SLIMRT.md "Library size"). It loads a .slim without a front end, runs it
 * once on a raw little-endian float32 input file (the network's input, numel values),
 * and prints where its kernels come from, the kernel of every op, the outputs and the
 * best class:
 *
 *   slimrt-classify model.slim input.f32
 *
 *   kernels	/opt/app/lib/libslimrt_simd.so (neon, 214 kernels)
 *   op	0	Conv2d/f32/neon
 *   ...
 *   output	0	-1.25
 *   class	3	walking	0.87
 *
 * Copy libslimrt_simd.so next to libslimrt.so for the SIMD kernels; without it (or with
 * SLIMRT_SIMD_LIBRARY=off) the reference kernels run. Errors: a message on stderr and
 * exit status 1. C99; see deploy/examples/README.md. */
#include <stdio.h>
#include <stdlib.h>

#include "slimrt/slimrt.h"

static int fail(const char* what, const char* detail) {
  fprintf(stderr, "slimrt-classify: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return 1;
}

/* The input file's floats: exactly `count` of them, or NULL with a message. */
static float* read_input(const char* path, size_t count) {
  FILE* f = fopen(path, "rb");
  float* x = (float*)malloc(count * sizeof(float) + 1);
  size_t got = 0;
  int extra = EOF;
  if (f && x) {
    got = fread(x, sizeof(float), count, f);
    extra = fgetc(f);
  }
  if (!f || !x || got != count || extra != EOF) {
    if (!f) fprintf(stderr, "slimrt-classify: %s: cannot open\n", path);
    else fprintf(stderr, "slimrt-classify: %s: expected %zu float32 values (%zu bytes), the file %s\n", path, count,
                 count * sizeof(float), got != count ? "is shorter" : "is longer");
    if (f) fclose(f);
    free(x);
    return NULL;
  }
  fclose(f);
  return x;
}

int main(int argc, char** argv) {
  slimrt_model* model = NULL;
  slimrt_interpreter* interp = NULL;
  slimrt_tensor_info in, out;
  float *x = NULL, *y = NULL;
  int status = 1, i, best = 0;
  if (argc != 3) return fail("usage: slimrt-classify MODEL.slim INPUT.f32", NULL);
  if (slimrt_model_load_file(argv[1], &model) != SLIMRT_OK) return fail("cannot load the model", slimrt_last_error());
  if (slimrt_interpreter_create(model, NULL, &interp) != SLIMRT_OK) {
    fail("cannot prepare the model", slimrt_last_error());
    goto done;
  }
  if (slimrt_num_inputs(interp) != 1 || slimrt_input_info(interp, 0, &in) != SLIMRT_OK ||
      slimrt_output_info(interp, 0, &out) != SLIMRT_OK) {
    fail("the model must have one input (run front-end models with slimrt-sensor-app)", NULL);
    goto done;
  }
  x = read_input(argv[2], (size_t)in.numel);
  y = (float*)malloc((size_t)out.numel * sizeof(float));
  if (!x || !y) goto done;
  if (slimrt_set_input(interp, 0, x, (size_t)in.numel) != SLIMRT_OK || slimrt_run(interp) != SLIMRT_OK ||
      slimrt_get_output(interp, 0, y, (size_t)out.numel) != SLIMRT_OK) {
    fail("inference failed", slimrt_last_error());
    goto done;
  }
  printf("kernels\t%s\n", slimrt_kernel_library());
  for (i = 0; slimrt_op_kernel(interp, i); ++i) printf("op\t%d\t%s\n", i, slimrt_op_kernel(interp, i));
  for (i = 0; i < (int)out.numel; ++i) {
    printf("output\t%d\t%.9g\n", i, y[i]);
    if (y[i] > y[best]) best = i;
  }
  {
    const char* name = best < slimrt_model_num_classes(model) ? slimrt_model_class_name(model, best) : NULL;
    printf("class\t%d\t%s\t%.9g\n", best, name ? name : "-", y[best]);
  }
  status = 0;
done:
  free(x);
  free(y);
  slimrt_interpreter_free(interp);
  slimrt_model_free(model);
  return status;
}
