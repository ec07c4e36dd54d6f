#pragma once
// One call for front ends (slimlab export --target, slimrt-mcu): generate the C sources and
// a Makefile for a target, optionally verify under qemu, print what happened.
#include <ostream>
#include <string>
#include <vector>

#include "codegen/codegen.h"
#include "codegen/verify.h"

namespace slimrt::mcu {

struct ExportOptions {
  std::string target = "cortex-m3";
  bool verify = false;      // cross-build, run the vectors under qemu, print the figures
  GenOptions gen;           // vectors and their inputs
};
struct ExportOutcome {
  GenResult gen;
  bool verified = false;
  Figures figures;          // when verified
};
// Throws slimrt::Error (bad model / target, a failing build or run).
ExportOutcome export_c(const std::string& slim_path, const std::string& dir, const ExportOptions& options,
                       std::ostream& out);

}  // namespace slimrt::mcu
