/* slimrt's OpenCL backend (library slimrt_opencl). The same .slim models run on an
 * OpenCL 1.2 device (phone GPUs: Adreno, Mali; desktop GPUs; PoCL on a CPU), with the
 * CPU kernels as the reference: every op whose precision the device supports runs
 * there, any other falls back to the CPU with a log line naming the op and why.
 *
 * C:   slimrt_opencl_install(); then slimrt_interpreter_create_device(model, NULL,
 *      "opencl:0", &interp) (slimrt.h).
 * C++: slimrt::opencl::install_backend(); InterpreterOptions::device = "opencl:0".
 * Device strings: "opencl" (device 0), "opencl:N" (N-th device over all platforms, as
 * devices() lists them), suffix ",fp16" for half-precision weights in float layers. */
#ifndef SLIMRT_OPENCL_H_
#define SLIMRT_OPENCL_H_

#ifdef __cplusplus
extern "C" {
#endif
/* Registers the "opencl" device backend with the runtime. Returns 0. Opening a device
 * happens when an interpreter asks for one (errors go to slimrt_last_error()). */
int slimrt_opencl_install(void);
#ifdef __cplusplus
}

#include <cstddef>
#include <string>
#include <vector>

namespace slimrt::opencl {

struct DeviceInfo {
  int index = 0;  // over all platforms, in platform then device order
  std::string platform, name, vendor, version, driver;
  bool gpu = false;   // CL_DEVICE_TYPE_GPU
  bool fp16 = false;  // cl_khr_fp16 (half arithmetic)
  bool fp64 = false;  // cl_khr_fp64 (needed by fixed-point GRU / LSTM gates)
  size_t local_mem_bytes = 0, max_work_group = 0;
  int compute_units = 0;
  std::string describe() const;  // one line: "0: pthread-… (Portable Computing Language, OpenCL 3.0, driver 3.1)"
};

// Every OpenCL device. Throws slimrt::Error with a clear message when the ICD loader
// finds no platform (no driver installed, or OCL_ICD_VENDORS pointing to an empty
// directory) or a platform has no device.
std::vector<DeviceInfo> devices();

struct Options {
  bool fp16 = false;      // float layers with half weights (DeepMon); half arithmetic when cl_khr_fp16
  bool tune = true;       // time work-group sizes once per device and kernel; cached on disk
  std::string cache_dir;  // "": $SLIMRT_OPENCL_CACHE, else $XDG_CACHE_HOME/slimrt/opencl, else ~/.cache/slimrt/opencl
  // Convolutions with groups = 1: "" = the faster of the two on this device (timed when
  // tune, else tiled on GPUs and direct on CPU devices); "tiled" = weights staged in
  // __local memory (DeepMon); "direct" = weights read from global memory.
  std::string conv;
};

// Registers the "opencl" device backend (what slimrt_opencl_install() does).
void install_backend();

// Parses "opencl", "opencl:N", "opencl:N,fp16" (also ",notune", ",tiled", ",direct").
// Throws slimrt::Error.
void parse_device(const std::string& spec, int* index, Options* options);

// Makes device `index` this process's OpenCL device: builds (or loads from the disk
// cache) the program and registers every "Op/precision/opencl" kernel (fp16 variants:
// "Op/f32/opencl-fp16") in the kernel registry, so tests and benchmarks can pick any of
// them by name. Installing another device replaces the registry entries; interpreters
// already prepared keep the device they were prepared on. Throws slimrt::Error.
const DeviceInfo& install(int index = 0, const Options& options = {});
// Names of every OpenCL kernel this build has ("Dense/f32/opencl", …); needs no device.
std::vector<std::string> kernel_names();

// The installed device (throws when none).
const DeviceInfo& installed();

// Where the program came from at install: "source" (built now) or "cache" (a cached
// binary for this device, driver and source hash), and the cache file.
struct ProgramOrigin {
  std::string from, file;
  double build_ms = 0;
};
ProgramOrigin program_origin();

// Why the installed device cannot run op/precision with these args ("" = it can):
// the kernel name is "Op/precision/opencl", args the kernel's args struct.
std::string why_not(const std::string& kernel_name, const void* args);

// Runs a kernel of the installed program on raw buffers — for the arithmetic
// self-tests only: selftest_<name>(in0, in1, out, n).
void run_selftest(const std::string& kernel, const void* in0, size_t in0_bytes, const void* in1, size_t in1_bytes,
                  void* out, size_t out_bytes, int n);

}  // namespace slimrt::opencl
#endif

#endif /* SLIMRT_OPENCL_H_ */
