// Host and qemu runs of an export folder (verify.h). Commands run through the shell
// with their output kept in <dir>/verify.log; a failing step is an Error quoting its tail.
#include "codegen/verify.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "slimrt/runtime.h"

namespace slimrt::mcu {

const std::vector<Target>& targets() {
  // Memory maps and SysTick clocks of qemu 7.2's boards (hw/arm/mps2.c, mps2-tz.c, nrf51_soc.c).
  static const std::vector<Target> t = {
      {"cortex-m0", "-mcpu=cortex-m0 -mthumb", "microbit", "smcu_semihost.c", 0x00000000u, 256u << 10, 0x20000000u,
       16u << 10, 125, 2},
      {"cortex-m3", "-mcpu=cortex-m3 -mthumb", "mps2-an385", "smcu_semihost.c", 0x00000000u, 4u << 20, 0x20000000u,
       4u << 20, 40, 1},
      {"cortex-m4", "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft", "mps2-an386", "smcu_semihost.c", 0x00000000u, 4u << 20,
       0x20000000u, 4u << 20, 40, 1},
      {"cortex-m33", "-mcpu=cortex-m33 -mthumb -mfloat-abi=soft", "mps2-an505", "smcu_semihost.c", 0x10000000u,
       4u << 20, 0x38000000u, 2u << 20, 50, 1},
      // A real board (docs/MCU.md "Board recipe"): built, not emulated; ticks are core cycles.
      {"stm32f411", "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft", "", "board_stm32f411.c", 0x08000000u, 512u << 10,
       0x20000000u, 128u << 10, 1, 1},
  };
  return t;
}

const Target& find_target(const std::string& name) {
  std::string names;
  for (const Target& t : targets()) {
    if (t.name == name) return t;
    names += (names.empty() ? "" : ", ") + t.name;
  }
  throw Error("unknown target '" + name + "' (one of: " + names + ")");
}

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string read_all(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs `cmd` in `dir`, stdout and stderr into `out`; returns the exit status.
int shell(const std::string& dir, const std::string& cmd, const std::string& out) {
  const std::string full = "cd " + quote(dir) + " && ( " + cmd + " ) > " + quote(out) + " 2>&1";
  const int rc = std::system(full.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

void must(const std::string& dir, const std::string& what, const std::string& cmd) {
  const std::string log = dir + "/verify.log";
  if (shell(dir, cmd, log) != 0) {
    std::string text = read_all(log);
    if (text.size() > 2000) text = "…" + text.substr(text.size() - 2000);
    throw Error(dir + ": " + what + " failed: " + cmd + "\n" + text);
  }
}

// Parses the harness's lines (smcu_main.c) into `f`.
void parse_harness(const std::string& text, Figures* f, uint64_t* ticks) {
  std::istringstream in(text);
  std::string key;
  while (in >> key) {
    if (key == "match") {
      char slash;
      in >> f->match >> slash >> f->vectors;
    } else if (key == "ticks") in >> *ticks;
    else if (key == "stack") in >> f->stack;
    else if (key == "arena") in >> f->arena;
  }
}

const char* kSources = "slim_model.c slim_mcu.c slim_mcu_bnn.c slim_mcu_pool.c slim_mcu_rnn.c slim_mcu_frontend.c";
}  // namespace

Figures run_host(const std::string& dir) {
  const char* cc = std::getenv("CC");
  const std::string compiler = cc && *cc ? cc : "cc";
  must(dir, "host build",
       compiler + " -std=c99 -O2 -Wall -ffp-contract=off -I. -o smcu_host " + kSources +
           " slim_vectors.c smcu_main.c smcu_host.c");
  const std::string out = dir + "/host.out";
  const int rc = shell(dir, "./smcu_host", out);
  Figures f;
  uint64_t ticks = 0;
  parse_harness(read_all(out), &f, &ticks);
  if (f.vectors == 0 && rc != 0) throw Error(dir + ": the host harness failed (status " + std::to_string(rc) + ")");
  f.ram = f.arena;
  return f;
}

namespace {
std::string linker_edit(const Target& t) {
  char mem[256];
  std::snprintf(mem, sizeof mem, "s/@FLASH_ORIGIN@/0x%08x/; s/@FLASH_LENGTH@/%u/; s/@RAM_ORIGIN@/0x%08x/; s/@RAM_LENGTH@/%u/",
                t.flash_origin, t.flash_bytes, t.ram_origin, t.ram_bytes);
  return "sed " + quote(mem) + " cortexm.ld.in > " + t.name + ".ld";
}
std::string cross_cc(const Target& t) {
  return "arm-none-eabi-gcc -std=c99 -O2 -ffunction-sections -fdata-sections -ffp-contract=off " + t.cflags +
         " -I. -nostartfiles --specs=nano.specs -Wl,--gc-sections -T" + t.name + ".ld";
}
std::string qemu_cmd(const Target& t, const std::string& elf) {
  return "qemu-system-arm -M " + t.machine +
         " -nographic -monitor none -serial none -icount shift=0 -semihosting-config enable=on,target=native -kernel " +
         elf;
}
std::string platform(const Target& t) { return " smcu_cortexm.c " + t.platform; }
}  // namespace

void write_makefile(const std::string& dir, const Target& t) {
  const std::string d = "deploy-" + t.name + ".elf", v = "verify-" + t.name + ".elf";
  std::ofstream f(dir + "/Makefile");
  f << "# Generated by slimrt-mcu for " << t.name << " (docs/MCU.md).\n"
    << "#   make        " << d << " (the application image) and " << v << " (test vectors)\n"
    << "#   make run    the vectors under qemu-system-arm (" << t.machine << ")\n"
    << "#   make host   the vectors built with the host cc\n"
    << "SRC = " << kSources << "\n\nall: " << d << " " << v << "\n\n"
    << t.name << ".ld: cortexm.ld.in\n\t" << linker_edit(t) << "\n\n"
    << d << ": " << t.name << ".ld $(SRC)\n\t" << cross_cc(t) << " -o $@ $(SRC)" << platform(t)
    << " smcu_deploy.c\n\tarm-none-eabi-size $@\n\n"
    << v << ": " << t.name << ".ld $(SRC) slim_vectors.c\n\t" << cross_cc(t) << " -o $@ $(SRC)" << platform(t)
    << " slim_vectors.c smcu_main.c\n\n"
    << "%.bin: %.elf\n\tarm-none-eabi-objcopy -O binary $< $@\n\n"
    << "run: " << v << "\n\t"
    << (t.machine.empty() ? "@echo '" + t.name + ": no emulator; flash " + v + " (make " +
                                 v.substr(0, v.size() - 4) + ".bin) and read its console (docs/MCU.md)'"
                          : qemu_cmd(t, "$<"))
    << "\n\n"
    << "host:\n\tcc -std=c99 -O2 -ffp-contract=off -I. -o smcu_host $(SRC) slim_vectors.c smcu_main.c smcu_host.c"
    << " && ./smcu_host\n\n.PHONY: all run host\n";
  if (!f) throw Error(dir + "/Makefile: cannot write");
}

Figures build_target(const std::string& dir, const Target& t) {
  must(dir, "linker script", linker_edit(t));
  const std::string cc = cross_cc(t);
  const std::string common = std::string(kSources) + platform(t);
  must(dir, "cross build (deploy image)", cc + " -o deploy-" + t.name + ".elf " + common + " smcu_deploy.c");
  must(dir, "cross build (verify image)", cc + " -o verify-" + t.name + ".elf " + common + " slim_vectors.c smcu_main.c");
  const std::string size_out = dir + "/size-" + t.name + ".txt";
  if (shell(dir, "arm-none-eabi-size -A deploy-" + t.name + ".elf", size_out) != 0)
    throw Error(dir + ": arm-none-eabi-size failed");
  Figures f;
  {
    std::istringstream in(read_all(size_out));
    std::string name;
    size_t bytes = 0;
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream l(line);
      if (l >> name >> bytes && (name == ".text" || name == ".data" || name == ".ARM.exidx")) f.flash += bytes;
    }
  }
  return f;
}

Figures run_target(const std::string& dir, const Target& t) {
  if (t.machine.empty())
    throw Error(t.name + " is a board without an emulator: flash verify-" + t.name +
                ".elf and read its lines (docs/MCU.md); --verify runs on cortex-m0 / m3 / m4 / m33");
  Figures f = build_target(dir, t);
  const std::string out = dir + "/qemu-" + t.name + ".out";
  const int rc = shell(dir, "timeout 600 " + qemu_cmd(t, "verify-" + t.name + ".elf"), out);
  uint64_t ticks = 0;
  parse_harness(read_all(out), &f, &ticks);
  if (f.vectors == 0)
    throw Error(dir + ": qemu (" + t.machine + ") printed no result (status " + std::to_string(rc) + "):\n" +
                read_all(out).substr(0, 2000));
  f.instructions = ticks * uint64_t(t.tick_ns_num) / uint64_t(t.tick_ns_den) / uint64_t(f.vectors);
  f.ram = f.arena + f.stack;
  return f;
}

std::string figures_text(const Figures& f) {
  std::ostringstream s;
  s << "flash " << f.flash << "\nram " << f.ram << "\ninstructions " << f.instructions << "\nmatch " << f.match << "/"
    << f.vectors << "\n";
  return s.str();
}

}  // namespace slimrt::mcu
