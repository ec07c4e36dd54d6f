// slimrt-mcu: a verified .slim → C99 sources for a Cortex-M (docs/MCU.md).
//   slimrt-mcu MODEL.slim -o DIR [--target cortex-m3] [--verify] [--host] [--vectors N]
//              [--seed S] [--inputs FILE.f32] [--fixed-front-end OUT.slim]
// --inputs: raw little-endian float32 test inputs (vectors × the input's values);
// otherwise N(0, 1) random inputs. --host runs the vectors compiled with the host's cc;
// --verify builds for the target, runs under qemu-system-arm and prints
// flash / ram / instructions / match. --fixed-front-end: a model exported with
// `slimlab export --front-end` (float AudioFeatures → Normalize → Quantize) is first
// rewritten with the fixed-point front end (written to OUT.slim), which the device runs.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "codegen/export.h"
#include "codegen/fixed_front_end.h"
#include "slimrt/runtime.h"
#include "slimrt/stream.h"

namespace {
int usage() {
  std::fprintf(stderr,
               "usage: slimrt-mcu MODEL.slim -o DIR [--target cortex-m0|cortex-m3|cortex-m4|cortex-m33] [--verify]\n"
               "                  [--host] [--vectors N] [--seed S] [--inputs FILE.f32] [--fixed-front-end OUT.slim]\n");
  return 2;
}

std::vector<float> read_floats(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw slimrt::Error(path + ": cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() % 4 != 0) throw slimrt::Error(path + ": not a float32 file (size not a multiple of 4)");
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  std::string model, dir, target = "cortex-m3", fixed_fe;
  bool verify = false, host = false;
  slimrt::mcu::GenOptions o;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw slimrt::Error(a + " needs a value");
        return argv[++i];
      };
      if (a == "-o") dir = value();
      else if (a == "--target") target = value();
      else if (a == "--verify") verify = true;
      else if (a == "--host") host = true;
      else if (a == "--vectors") o.vectors = std::stoi(value());
      else if (a == "--seed") o.seed = uint32_t(std::stoul(value()));
      else if (a == "--inputs") o.inputs = read_floats(value());
      else if (a == "--fixed-front-end") fixed_fe = value();
      else if (!a.empty() && a[0] != '-' && model.empty()) model = a;
      else return usage();
    }
    if (model.empty() || dir.empty()) return usage();
    if (!fixed_fe.empty()) {
      slimrt_frontend_register();
      const auto bytes = slimrt::mcu::fixed_audio_front_end(*slimrt::Model::from_file(model), model);
      std::ofstream f(fixed_fe, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
      if (!f.flush()) throw slimrt::Error(fixed_fe + ": cannot write");
      std::cout << "wrote " << fixed_fe << ": the fixed-point front end (" << bytes.size() << " bytes)\n";
      model = fixed_fe;
    }
    slimrt::mcu::ExportOptions eo;
    eo.target = target;
    eo.verify = verify;
    eo.gen = o;
    const auto r = slimrt::mcu::export_c(model, dir, eo, std::cout);
    int rc = r.verified && r.figures.match != r.figures.vectors ? 1 : 0;
    if (host) {
      const auto f = slimrt::mcu::run_host(dir);
      std::printf("host match %d/%d\n", f.match, f.vectors);
      rc |= f.match == f.vectors ? 0 : 1;
    }
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slimrt-mcu: %s\n", e.what());
    return 1;
  }
}
