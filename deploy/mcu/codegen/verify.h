#pragma once
// Building an export folder (generate()) and running its test vectors: on the host with
// the host C compiler, and on a Cortex-M core under qemu-system-arm with semihosting.
#include <cstdint>
#include <string>
#include <vector>

namespace slimrt::mcu {

struct Target {
  std::string name;      // "cortex-m3"
  std::string cflags;    // -mcpu=… -mthumb
  std::string machine;   // qemu -M; empty for a real board (no emulator)
  std::string platform;  // the platform file: smcu_semihost.c (qemu) or board_<name>.c
  uint32_t flash_origin, flash_bytes, ram_origin, ram_bytes;
  int tick_ns_num, tick_ns_den;  // SysTick period under -icount shift=0 (1 instruction = 1 ns)
};
const std::vector<Target>& targets();
const Target& find_target(const std::string& name);  // throws slimrt::Error listing the names

struct Figures {
  size_t flash = 0;             // text + data of the deploy image (arm-none-eabi-size)
  size_t ram = 0;               // arena + stack high-water mark
  size_t arena = 0, stack = 0;
  uint64_t instructions = 0;    // per inference
  int match = 0, vectors = 0;
};

// Compiles the folder with the host C compiler (`cc`, or $CC) and runs its vectors.
Figures run_host(const std::string& dir);
// Cross-compiles for `target` (deploy and verify images) and measures the deploy image.
Figures build_target(const std::string& dir, const Target& target);
// build_target, then runs the vectors under qemu (targets with a machine only).
Figures run_target(const std::string& dir, const Target& target);
// A Makefile in `dir` with the same commands (all, run, host) for `target`.
void write_makefile(const std::string& dir, const Target& target);
// The verify lines: "flash N\nram N\ninstructions N\nmatch k/n\n".
std::string figures_text(const Figures& f);

}  // namespace slimrt::mcu
