#pragma once
// Shared by the OpenCL tests: one device per test process (PoCL compiles the program
// with LLVM at first use, so every test binary builds it at most once — and loads the
// cached binary after the first run), with its program and tuning caches in a
// directory of the build tree.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "slimrt/opencl.h"
#include "slimrt/runtime.h"

namespace slimrt::opencl::test {

// The tests' device options: no work-group tuning (on PoCL every work-group size is a
// separate LLVM compile of the kernel); OpenClCache.WorkGroupSizes* tests tuning itself.
inline Options test_options() {
  Options o;
  o.tune = false;
  return o;
}

// Installs device 0 once; returns "" or why OpenCL is unusable here (the tests skip).
inline const std::string& ensure_device() {
  static const std::string status = [] {
    try {
      if (!std::getenv("SLIMRT_OPENCL_CACHE")) setenv("SLIMRT_OPENCL_CACHE", "slimrt-opencl-cache", 1);
      install_backend();
      install(0, test_options());
      return std::string();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
  }();
  return status;
}

#define SLIMRT_REQUIRE_OPENCL()                                                           \
  do {                                                                                   \
    const std::string& why_ = ::slimrt::opencl::test::ensure_device();                   \
    if (why_.find("no OpenCL platform") != std::string::npos) GTEST_SKIP() << why_;       \
    ASSERT_TRUE(why_.empty()) << why_;                                                   \
  } while (0)

}  // namespace slimrt::opencl::test
