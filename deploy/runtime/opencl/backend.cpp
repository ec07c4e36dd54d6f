// install(): opens a device and registers the OpenCL kernels; the "opencl" device
// backend the interpreter consults per op; the C entry point.
#include <cstdlib>
#include <mutex>

#include "device.h"
#include "kernels/kernels.h"
#include "node_state.h"
#include "opencl_registry.h"

namespace slimrt::opencl {
namespace k = slimrt::kernels;

namespace {
std::mutex g_mutex;
std::shared_ptr<Device> g_device;
std::map<std::string, std::shared_ptr<Device>>& opened() {  // one Device per index + options, opened once
  static std::map<std::string, std::shared_ptr<Device>> m;
  return m;
}
std::string device_key(int index, const Options& o) {
  return std::to_string(index) + (o.fp16 ? ",fp16" : "") + (o.tune ? "" : ",notune") + "," + o.conv + "|" + o.cache_dir;
}
}  // namespace

std::shared_ptr<Device> current_device() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_device;
}

void parse_device(const std::string& spec, int* index, Options* options) {
  std::string s = spec;
  std::vector<std::string> flags;
  for (size_t c; (c = s.rfind(',')) != std::string::npos;) {
    flags.push_back(s.substr(c + 1));
    s = s.substr(0, c);
  }
  *index = 0;
  if (s.rfind("opencl", 0) != 0) throw Error("device '" + spec + "': expected opencl[:N][,fp16]");
  const std::string rest = s.substr(6);
  if (!rest.empty()) {
    char* end = nullptr;
    const long v = rest[0] == ':' ? std::strtol(rest.c_str() + 1, &end, 10) : -1;
    if (rest[0] != ':' || rest.size() < 2 || *end != '\0' || v < 0 || v > 1000)
      throw Error("device '" + spec + "': expected opencl[:N][,fp16] with N a device number");
    *index = int(v);
  }
  for (const std::string& f : flags) {
    if (f == "fp16") options->fp16 = true;
    else if (f == "notune") options->tune = false;
    else if (f == "tiled" || f == "direct") options->conv = f;
    else throw Error("device '" + spec + "': unknown option '" + f + "' (fp16, notune, tiled, direct)");
  }
}

const DeviceInfo& install(int index, const Options& options) {
  std::shared_ptr<Device> dev;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto& m = opened();
    auto it = m.find(device_key(index, options));
    if (it != m.end()) dev = it->second;
  }
  if (!dev) {
    dev = Device::open(index, options);  // throws: no platform, no such device, build failure
    std::lock_guard<std::mutex> lock(g_mutex);
    opened()[device_key(index, options)] = dev;
  }
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_device = dev;
  }
  for (const Entry& e : opencl_kernels()) k::register_kernel(e.kernel);
  return dev->info();
}

std::vector<std::string> kernel_names() {
  std::vector<std::string> names;
  for (const Entry& e : opencl_kernels()) names.push_back(e.kernel.name);
  return names;
}

const DeviceInfo& installed() {
  auto d = current_device();
  if (!d) throw Error("OpenCL: no device installed");
  return d->info();
}

ProgramOrigin program_origin() {
  auto d = current_device();
  return d ? d->origin() : ProgramOrigin{};
}

std::string why_not(const std::string& kernel_name, const void* args) {
  for (const Entry& e : opencl_kernels())
    if (e.kernel.name == kernel_name) return e.why(args);
  return "no OpenCL kernel '" + kernel_name + "'";
}

void run_selftest(const std::string& kernel, const void* in0, size_t in0_bytes, const void* in1, size_t in1_bytes,
                  void* out, size_t out_bytes, int n) {
  NodeState st;
  st.dev = current_device();
  if (!st.dev) throw Error("OpenCL: no device installed");
  std::vector<cl_mem> args;
  Launch& l = st.launch(("selftest_" + kernel).c_str());
  cl_mem a = st.constant(in0_bytes, in0);
  cl_mem y = st.output(out_bytes);
  st.out_host[0] = out;
  if (in1) set_args(l.kernel, a, st.constant(in1_bytes, in1), y, n);
  else set_args(l.kernel, a, y, n);
  l.global[0] = size_t(std::max(n, 1));
  st.execute();
}

namespace {
// The interpreter's view: per op, the OpenCL kernel (fp16 variant first when asked
// for) or the reason it stays on the CPU.
class OpenClBackend : public DeviceBackend {
 public:
  explicit OpenClBackend(const std::string& spec) {
    int index = 0;
    parse_device(spec, &index, &options_);
    info_ = install(index, options_);
  }
  std::string describe() const override { return "OpenCL device " + info_.describe(); }
  const k::Kernel* kernel_for(k::Op op, k::Precision p, const void* args, std::string* why) override {
    const std::string base = std::string(k::to_string(op)) + "/" + k::to_string(p) + "/opencl";
    if (options_.fp16 && p == k::Precision::kF32) {
      if (const k::Kernel* h = k::find_kernel(base + "-fp16"); h && h->supports(args)) {
        if (!info_.fp16 && !warned_fp16_) {
          warned_fp16_ = true;
          note_ = "device lacks cl_khr_fp16: fp16 weights are stored as half and converted to float for the arithmetic";
        }
        return h;
      }
    }
    const k::Kernel* kern = k::find_kernel(base);
    if (!kern) {
      *why = "no OpenCL kernel for " + std::string(k::to_string(op)) + "/" + k::to_string(p);
      return nullptr;
    }
    const std::string w = why_not(base, args);
    if (!w.empty()) {
      *why = w;
      return nullptr;
    }
    return kern;
  }
  std::string take_note() override {
    std::string n;
    n.swap(note_);
    return n;
  }

 private:
  Options options_;
  DeviceInfo info_;
  bool warned_fp16_ = false;
  std::string note_;
};

std::shared_ptr<DeviceBackend> make_backend(const std::string& spec) { return std::make_shared<OpenClBackend>(spec); }
}  // namespace

void install_backend() { register_device_backend("opencl", &make_backend); }

}  // namespace slimrt::opencl

extern "C" int slimrt_opencl_install(void) {
  slimrt::opencl::install_backend();
  return 0;
}
