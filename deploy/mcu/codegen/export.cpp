#include "codegen/export.h"

namespace slimrt::mcu {

ExportOutcome export_c(const std::string& slim_path, const std::string& dir, const ExportOptions& options,
                       std::ostream& out) {
  const Target& t = find_target(options.target);
  ExportOutcome r;
  r.gen = generate(slim_path, dir, options.gen);
  write_makefile(dir, t);
  out << "wrote " << dir << ": C99 for " << t.name << ", " << r.gen.ops << " ops, arena " << r.gen.arena_bytes
      << " bytes, constants " << r.gen.weight_bytes << " bytes, " << r.gen.vectors
      << " test vectors (make -C " << dir << " run)\n";
  if (options.verify && t.machine.empty()) {  // a real board: build and measure only
    r.figures = build_target(dir, t);
    out << "flash " << r.figures.flash << "\n(no emulator for " << t.name << ": flash verify-" << t.name
        << ".elf and read the match / ticks / stack lines on its console, docs/MCU.md)\n";
  } else if (options.verify) {
    r.figures = run_target(dir, t);
    r.verified = true;
    out << figures_text(r.figures);
  }
  return r;
}

}  // namespace slimrt::mcu
