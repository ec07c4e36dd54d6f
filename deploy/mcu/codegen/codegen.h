#pragma once
// slimrt_mcu: a verified .slim → C99 sources for a microcontroller (docs/MCU.md).
// Weights become const arrays (flash), the op sequence and every arena offset are fixed
// here, the kernels are deploy/mcu/kernels (C99, bit-exact with slimrt's reference
// kernels). Test vectors (inputs and slimrt's outputs) let the same sources check
// themselves on the host and under qemu-system-arm (verify.h).
#include <cstdint>
#include <string>
#include <vector>

namespace slimrt::mcu {

struct GenOptions {
  int vectors = 8;      // test vectors written with the model (0: none)
  uint32_t seed = 1;    // random N(0, 1) inputs when `inputs` is empty
  // Real inputs: vectors × the model input's numel floats, back to back (e.g. the test
  // split); they are fed through slimrt (quantized as slimrt does) for the expected outputs.
  std::vector<float> inputs;
};

struct GenResult {
  size_t arena_bytes = 0;   // the static arena (activations)
  size_t weight_bytes = 0;  // const arrays written (weights, thresholds, tables)
  size_t input_bytes = 0, output_bytes = 0;
  int vectors = 0;
  int ops = 0;              // ops the device runs (leading Quantize / trailing Dequantize are the caller's)
  std::vector<std::string> files;  // written, relative to the output folder
};

// Writes into `dir` (created): slim_model.h / slim_model.c (the model), slim_vectors.c
// (test vectors), the kernel library (slim_mcu.h, slim_mcu*.c), the harness
// (smcu_main.c), the host and qemu platform files, linker scripts and a Makefile.
// Throws slimrt::Error naming the file / op / tensor that cannot be exported.
GenResult generate(const std::string& slim_path, const std::string& dir, const GenOptions& options = {});

}  // namespace slimrt::mcu
