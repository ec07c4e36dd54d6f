// ONNX models (import/onnx_import.h): the importer parses the ModelProto and checks every
// reference, count, dimension and attribute before use, so any input either imports to a
// validated Graph IR or is refused with an OnnxError. Seeds: fuzz/corpus/onnx/ (files
// written by torch.onnx.export, tests/onnx/make_models.py).
#include <cstdint>

#include "fuzz/fuzz_util.h"
#include "import/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  slimlab::fuzz::expect_clean_error([&] { slimlab::onnx_import::import_onnx(data, size, {}, "fuzz.onnx"); });
  return 0;
}
