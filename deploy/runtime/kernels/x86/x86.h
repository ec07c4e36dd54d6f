#pragma once
// x86 kernels. Each *_avx2.cpp / *_avx512.cpp file is compiled with its ISA's flags
// and exports only plain functions; register_x86.cpp (compiled for the baseline CPU)
// registers them, so no AVX instruction runs before the CPU check.
#include "kernels/kernels.h"

namespace slimrt::kernels::x86 {
}  // namespace slimrt::kernels::x86
