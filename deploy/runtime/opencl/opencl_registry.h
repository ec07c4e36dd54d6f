#pragma once
// The OpenCL kernel table (opencl_kernels.cpp): registry entries plus, per entry, the
// reason it cannot take given args (for the fallback log line).
#include <string>
#include <vector>

#include "kernels/kernels.h"

namespace slimrt::opencl {
struct Entry {
  kernels::Kernel kernel;
  std::string (*why)(const void* args) = nullptr;  // "" when supported
};
const std::vector<Entry>& opencl_kernels();
}  // namespace slimrt::opencl
