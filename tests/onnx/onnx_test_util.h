#pragma once
// ONNX import tests: ONNX files written at test time by tests/onnx/make_models.py with
// the system Python's PyTorch (torch.onnx.export), their inputs and PyTorch's logits.
// The interpreter is the one CMake found (/usr/bin/python3, SLIMLAB_ONNX_PYTHON); a test
// that needs it skips, saying why, only when it cannot import torch and onnx.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../test_util.h"
#include "slimrt/runtime.h"

#ifndef SLIMLAB_ONNX_PYTHON
#define SLIMLAB_ONNX_PYTHON "/usr/bin/python3"
#endif

namespace slimlab::test {

inline std::string onnx_python() { return SLIMLAB_ONNX_PYTHON; }

// Empty when the interpreter imports torch and onnx; otherwise why not (checked once).
inline const std::string& onnx_python_problem() {
  static const std::string problem = [] {
    const std::string py = onnx_python();
    if (py.empty() || !std::filesystem::exists(py)) return "no Python interpreter at '" + py + "'";
    const std::string cmd = py + " -c 'import torch, onnx' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0)
      return py + " cannot import torch and onnx (Debian: apt-get install python3-torch python3-onnx)";
    return std::string();
  }();
  return problem;
}

#define SLIMLAB_REQUIRE_ONNX_PYTHON()                                                         \
  do {                                                                                        \
    if (!::slimlab::test::onnx_python_problem().empty())                                      \
      GTEST_SKIP() << "PyTorch ONNX exporter unavailable: " << ::slimlab::test::onnx_python_problem(); \
  } while (0)

// Runs a Python script of tests/onnx/ with `args`; returns its exit code (output in `log`).
inline int run_onnx_script(const std::string& script, const std::string& args, std::string* log = nullptr) {
  const std::string cmd = onnx_python() + " " + (std::filesystem::path(SLIMLAB_SOURCE_DIR) / "tests/onnx" / script).string() +
                          " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  if (log) *log = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The models of make_models.py (`models`: a comma-separated subset, empty: all), written
// once per test process into a scratch folder: the first call decides which.
inline const std::filesystem::path& onnx_models_dir(const std::string& models = "") {
  static TempDir dir;
  static bool written = false;
  if (!written) {
    std::string log;
    const std::string only = models.empty() ? "" : " --models " + models;
    const int rc = run_onnx_script("make_models.py", "--out " + dir.path().string() + only, &log);
    if (rc != 0) ADD_FAILURE() << "make_models.py failed (" << rc << "):\n" << log;
    written = true;
  }
  return dir.path();
}

struct OnnxReference {
  int64_t n = 0, input_numel = 0, classes = 0;
  std::vector<float> x, logits;
};

inline std::vector<float> read_floats(const std::filesystem::path& p, int64_t count) {
  std::vector<float> v(size_t(std::max<int64_t>(count, 0)));
  std::ifstream f(p, std::ios::binary);
  f.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * sizeof(float)));
  if (!f) ADD_FAILURE() << p << ": expected " << count << " floats";
  return v;
}

inline OnnxReference onnx_reference(const std::filesystem::path& dir, const std::string& name) {
  OnnxReference r;
  std::istringstream(read_text(dir / (name + ".txt"))) >> r.n >> r.input_numel >> r.classes;
  r.x = read_floats(dir / (name + ".in.bin"), r.n * r.input_numel);
  r.logits = read_floats(dir / (name + ".out.bin"), r.n * r.classes);
  return r;
}

// Tests parameterized by a model of make_models.py (SLIMLAB_ONNX_MODELS lists them all).
class OnnxModelTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::filesystem::path onnx_file() const { return onnx_models_dir(GetParam()) / (GetParam() + ".onnx"); }
  OnnxReference reference() const { return onnx_reference(onnx_models_dir(GetParam()), GetParam()); }
};
#define SLIMLAB_ONNX_MODELS ::testing::Values("lenet", "resnet", "dskws", "convlstm", "gru2")

// The integer logits (tensor `raw_tensor`, int8 or int16) of a fixed-point .slim on r's inputs.
inline std::vector<int64_t> slimrt_raw_logits(const std::vector<uint8_t>& bytes, int raw_tensor, const OnnxReference& r) {
  auto model = slimrt::Model::from_memory(bytes.data(), bytes.size());
  slimrt::Interpreter in(model);
  const bool i8 = model->tensors()[size_t(raw_tensor)].dtype == slimrt::DType::I8;
  std::vector<int64_t> got;
  for (int64_t i = 0; i < r.n; ++i) {
    in.set_input(0, r.x.data() + i * r.input_numel, size_t(r.input_numel));
    in.invoke();
    const void* y = in.tensor_data(raw_tensor);
    for (int64_t k = 0; k < r.classes; ++k)
      got.push_back(i8 ? int64_t(static_cast<const int8_t*>(y)[k]) : int64_t(static_cast<const int16_t*>(y)[k]));
  }
  return got;
}

inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - double(b[i])));
  return m;
}

}  // namespace slimlab::test
