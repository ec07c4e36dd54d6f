#pragma once
// The kernel library and the harness / platform files, embedded at build time
// (embed_sources.cmake) so an export folder is complete without the source tree.
#include <vector>

namespace slimrt::mcu {
struct SourceFile {
  const char* name;
  const char* text;
};
const std::vector<SourceFile>& support_files();
}  // namespace slimrt::mcu
