// The shared core and its optional SIMD library (docs/SLIMRT.md "Library size"), as a
// device app uses them: slimrt-classify (deploy/examples/classify.c, linked to
// libslimrt.so only) on the format fixtures. With libslimrt_simd.so next to the core,
// SIMD kernels run; with SLIMRT_SIMD_LIBRARY=off, a missing path or a library that is
// not the pair's, the reference kernels run — and the outputs are the fixtures' own
// (fixed point bit-exact, float within 1e-5 relative) either way. Built where the
// shared libraries are (SLIMRT_BUILD_SHARED=ON: tools/cross-test.sh's aarch64 build).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.h"
#include "slim_test_models.h"
#include "slimrt/runtime.h"

#if defined(SLIMRT_CLASSIFY_BIN) && defined(SLIMRT_CORE_LIBRARY)
namespace slimrt::test {
namespace {

struct AppRun {
  int status = -1;
  std::string kernels;               // the "kernels" line
  std::vector<std::string> op_kernels;
  std::vector<float> outputs;
  std::string text;
};

std::string emulator() {
  const char* emu = std::getenv("SLIMRT_TEST_EMULATOR");
  return emu ? std::string(emu) + " " : "";
}

// The fixture's input (x[i] = sin(0.31 i) · 1.7, as test_fixtures.cpp) as a float32 file.
std::string input_file(const std::string& name) {
  auto model = Model::from_file(fixtures_dir() + name + ".slim");
  const TensorDesc& in = model->tensors()[size_t(model->inputs()[0])];
  std::vector<float> x(size_t(in.numel));
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(0.31 * double(i)) * 1.7);
  const std::string path = ::testing::TempDir() + "shared_" + name + ".f32";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(x.data()), std::streamsize(x.size() * 4));
  return path;
}

AppRun classify(const std::string& name, const std::string& env) {
  const std::string cmd = env + " " + emulator() + SLIMRT_CLASSIFY_BIN + " " + fixtures_dir() + name + ".slim " +
                          input_file(name) + " 2>&1";
  const CommandOutput r = run_command(cmd);
  AppRun out;
  out.status = r.status;
  out.text = r.out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> col;
    std::istringstream fields(line);
    for (std::string f; std::getline(fields, f, '\t');) col.push_back(f);
    if (col.size() == 2 && col[0] == "kernels") out.kernels = col[1];
    if (col.size() == 3 && col[0] == "op") out.op_kernels.push_back(col[2]);
    if (col.size() == 3 && col[0] == "output") out.outputs.push_back(std::stof(col[2]));
  }
  return out;
}

std::vector<float> expected_output(const std::string& name) {
  std::ifstream f(fixtures_dir() + name + ".expected");
  std::vector<float> v;
  for (std::string line; std::getline(f, line);)
    if (!line.empty() && line[0] != '#') v.push_back(std::stof(line));
  return v;
}

void expect_fixture_output(const AppRun& r, const std::string& name, bool exact) {
  const std::vector<float> want = expected_output(name);
  ASSERT_FALSE(want.empty());
  ASSERT_EQ(r.outputs.size(), want.size()) << r.text;
  for (size_t i = 0; i < want.size(); ++i) {
    if (exact) EXPECT_EQ(r.outputs[i], want[i]) << i;
    else EXPECT_NEAR(r.outputs[i], want[i], 1e-5 * std::max(1.0f, std::fabs(want[i]))) << i;
  }
}

bool is_simd(const std::string& kernel) {
  for (const char* isa : {"/neon", "/avx2", "/avx512"})
    if (kernel.size() > std::string(isa).size() && kernel.compare(kernel.size() - std::string(isa).size(), std::string::npos, isa) == 0)
      return true;
  return false;
}

size_t simd_ops(const AppRun& r) {
  size_t n = 0;
  for (const std::string& k : r.op_kernels) n += is_simd(k);
  return n;
}

std::string directory_of(const std::string& path) { return path.substr(0, path.find_last_of('/') + 1); }

TEST(SharedLibrary, SimdLibraryNextToTheCoreIsLoaded) {
  for (const char* name : {"v1_fp32", "v1_int8", "v2_small_cnn"}) {
    SCOPED_TRACE(name);
    const AppRun r = classify(name, "env -u SLIMRT_SIMD_LIBRARY");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(r.kernels.rfind(directory_of(SLIMRT_CORE_LIBRARY) + "libslimrt_simd.so (", 0), 0u) << r.text;
    EXPECT_NE(r.kernels.find(" kernels)"), std::string::npos) << r.text;
    EXPECT_GT(simd_ops(r), 0u) << r.text;  // which kernels run: SIMD ones for the weighted ops
    if (std::string(name) != "v2_small_cnn") expect_fixture_output(r, name, std::string(name) == "v1_int8");
  }
}

TEST(SharedLibrary, WithoutTheSimdLibraryTheReferenceKernelsGiveTheSameOutputs) {
  for (const char* name : {"v1_fp32", "v1_int8"}) {
    SCOPED_TRACE(name);
    const AppRun r = classify(name, "SLIMRT_SIMD_LIBRARY=off");
    ASSERT_EQ(r.status, 0) << r.text;
    EXPECT_EQ(r.kernels, "reference kernels only (SLIMRT_SIMD_LIBRARY=off)");
    EXPECT_EQ(simd_ops(r), 0u) << r.text;
    EXPECT_FALSE(r.op_kernels.empty());
    expect_fixture_output(r, name, std::string(name) == "v1_int8");
  }
  const AppRun simd = classify("v2_small_cnn", "env -u SLIMRT_SIMD_LIBRARY");
  const AppRun ref = classify("v2_small_cnn", "SLIMRT_SIMD_LIBRARY=off");
  ASSERT_EQ(simd.outputs.size(), ref.outputs.size()) << simd.text << ref.text;
  ASSERT_FALSE(ref.outputs.empty());
  for (size_t i = 0; i < ref.outputs.size(); ++i)
    EXPECT_NEAR(simd.outputs[i], ref.outputs[i], 1e-5 * std::max(1.0f, std::fabs(ref.outputs[i]))) << i;
}

TEST(SharedLibrary, AMissingLibraryIsNamedAndTheReferenceKernelsRun) {
  const AppRun r = classify("v1_int8", "SLIMRT_SIMD_LIBRARY=/nonexistent/libslimrt_simd.so");
  ASSERT_EQ(r.status, 0) << r.text;
  EXPECT_EQ(r.kernels.rfind("reference kernels only (", 0), 0u) << r.text;
  EXPECT_NE(r.kernels.find("/nonexistent/libslimrt_simd.so"), std::string::npos) << r.text;
  EXPECT_EQ(simd_ops(r), 0u) << r.text;
  expect_fixture_output(r, "v1_int8", true);
}

TEST(SharedLibrary, ALibraryThatIsNotThePairsIsRefused) {
  // The core itself: a shared library without the entry.
  const AppRun r = classify("v1_int8", std::string("SLIMRT_SIMD_LIBRARY=") + SLIMRT_CORE_LIBRARY);
  ASSERT_EQ(r.status, 0) << r.text;
  EXPECT_EQ(r.kernels, std::string("reference kernels only (") + SLIMRT_CORE_LIBRARY +
                           " refused: it has no slimrt_simd_add_kernels)");
  EXPECT_EQ(simd_ops(r), 0u) << r.text;
  expect_fixture_output(r, "v1_int8", true);
}

TEST(SharedLibrary, BadInputIsAClearError) {
  const std::string short_input = ::testing::TempDir() + "shared_short.f32";
  std::ofstream(short_input, std::ios::binary).write("\0\0\0\0", 4);
  const CommandOutput r = run_command(emulator() + SLIMRT_CLASSIFY_BIN + " " + fixtures_dir() + "v1_int8.slim " +
                                      short_input + " 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find(short_input + ": expected "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the file is shorter"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace slimrt::test
#endif
