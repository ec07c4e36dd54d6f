// Platform / device discovery, the program build with its on-disk binary cache, and
// the work-group size tuning cache.
#include "device.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "source_table.h"

namespace slimrt::opencl {

std::string cl_error_name(cl_int err) {
  const char* n = "unknown";
  switch (err) {
#define E(x) case x: n = #x; break;
    E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE) E(CL_COMPILER_NOT_AVAILABLE)
    E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
    E(CL_BUILD_PROGRAM_FAILURE) E(CL_INVALID_VALUE) E(CL_INVALID_PLATFORM) E(CL_INVALID_DEVICE)
    E(CL_INVALID_CONTEXT) E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_BINARY)
    E(CL_INVALID_BUILD_OPTIONS) E(CL_INVALID_PROGRAM) E(CL_INVALID_PROGRAM_EXECUTABLE)
    E(CL_INVALID_KERNEL_NAME) E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX) E(CL_INVALID_ARG_VALUE)
    E(CL_INVALID_ARG_SIZE) E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_WORK_DIMENSION)
    E(CL_INVALID_WORK_GROUP_SIZE) E(CL_INVALID_WORK_ITEM_SIZE) E(CL_INVALID_GLOBAL_OFFSET)
    E(CL_INVALID_BUFFER_SIZE) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_MISALIGNED_SUB_BUFFER_OFFSET)
    E(CL_INVALID_OPERATION)
#undef E
    case -1001: n = "CL_PLATFORM_NOT_FOUND_KHR"; break;
    default: break;
  }
  return std::string(n) + " (" + std::to_string(err) + ")";
}

void check(cl_int err, const char* what) {
  if (err != CL_SUCCESS) throw Error(std::string("OpenCL: ") + what + ": " + cl_error_name(err));
}

namespace {

// A string property through clGetPlatformInfo / clGetDeviceInfo ("" when unavailable).
template <class Id, class What>
std::string info_string(cl_int (*get)(Id, What, size_t, void*, size_t*), Id id, What what) {
  size_t n = 0;
  if (get(id, what, 0, nullptr, &n) != CL_SUCCESS || n == 0) return "";
  std::string s(n, '\0');
  get(id, what, n, s.data(), nullptr);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}
std::string platform_string(cl_platform_id p, cl_platform_info what) { return info_string(&clGetPlatformInfo, p, what); }
std::string device_string(cl_device_id d, cl_device_info what) { return info_string(&clGetDeviceInfo, d, what); }
template <class T>
T device_value(cl_device_id d, cl_device_info what) {
  T v{};
  clGetDeviceInfo(d, what, sizeof v, &v, nullptr);
  return v;
}

struct Found {
  cl_platform_id platform;
  cl_device_id device;
  DeviceInfo info;
};

std::vector<Found> find_devices() {
  cl_uint np = 0;
  const cl_int err = clGetPlatformIDs(0, nullptr, &np);
  if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (err == CL_SUCCESS && np == 0))
    throw Error(
        "OpenCL: no OpenCL platform found — the ICD loader lists no driver (install one, e.g. the Debian "
        "package pocl-opencl-icd, or check OCL_ICD_VENDORS / /etc/OpenCL/vendors)");
  check(err, "clGetPlatformIDs");
  std::vector<cl_platform_id> platforms(np);
  check(clGetPlatformIDs(np, platforms.data(), nullptr), "clGetPlatformIDs");
  std::vector<Found> out;
  for (cl_platform_id p : platforms) {
    cl_uint nd = 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &nd) != CL_SUCCESS || nd == 0) continue;
    std::vector<cl_device_id> ds(nd);
    check(clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, ds.data(), nullptr), "clGetDeviceIDs");
    for (cl_device_id d : ds) {
      Found f{p, d, {}};
      DeviceInfo& i = f.info;
      i.index = int(out.size());
      i.platform = platform_string(p, CL_PLATFORM_NAME);
      i.name = device_string(d, CL_DEVICE_NAME);
      i.vendor = device_string(d, CL_DEVICE_VENDOR);
      i.version = device_string(d, CL_DEVICE_VERSION);
      i.driver = device_string(d, CL_DRIVER_VERSION);
      const std::string ext = device_string(d, CL_DEVICE_EXTENSIONS);
      i.fp16 = ext.find("cl_khr_fp16") != std::string::npos;
      i.fp64 = ext.find("cl_khr_fp64") != std::string::npos;
      i.gpu = (device_value<cl_device_type>(d, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0;
      i.local_mem_bytes = size_t(device_value<cl_ulong>(d, CL_DEVICE_LOCAL_MEM_SIZE));
      i.max_work_group = device_value<size_t>(d, CL_DEVICE_MAX_WORK_GROUP_SIZE);
      i.compute_units = int(device_value<cl_uint>(d, CL_DEVICE_MAX_COMPUTE_UNITS));
      out.push_back(f);
    }
  }
  if (out.empty()) throw Error("OpenCL: the " + std::to_string(np) + " OpenCL platform(s) found have no device");
  return out;
}

// FNV-1a, 64 bits: the cache key of a program binary.
uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
std::string hex(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

std::string default_cache_dir(const Options& o) {
  if (!o.cache_dir.empty()) return o.cache_dir;
  if (const char* e = std::getenv("SLIMRT_OPENCL_CACHE")) return e;  // "" disables the disk cache
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/slimrt/opencl";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/slimrt/opencl";
  return "";
}

void make_dirs(const std::string& dir) {
  std::string at;
  std::stringstream ss(dir);
  std::string part;
  if (!dir.empty() && dir[0] == '/') at = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    at += part + "/";
    ::mkdir(at.c_str(), 0755);
  }
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

// Atomic: a temporary file in the same directory, then rename.
void write_file_atomic(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return;  // an unwritable cache only costs time
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f) {
      std::remove(tmp.c_str());
      return;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) std::remove(tmp.c_str());
}

std::string program_source() {
  std::string s;
  for (int i = 0; i < detail::kSourceCount; ++i) {
    s += "// ---- ";
    s += detail::kSources[i].name;
    s += "\n#line 1\n";
    s += detail::kSources[i].text;
    s += "\n";
  }
  return s;
}

constexpr const char* kBuildOptions = "-cl-std=CL1.2";

}  // namespace

std::string DeviceInfo::describe() const {
  std::ostringstream s;
  s << index << ": " << name << " (" << platform << ", " << version << ", driver " << driver << (gpu ? ", GPU" : "")
    << (fp16 ? ", fp16" : "") << (fp64 ? ", fp64" : "") << ")";
  return s.str();
}

std::vector<DeviceInfo> devices() {
  std::vector<DeviceInfo> out;
  for (const Found& f : find_devices()) out.push_back(f.info);
  return out;
}

std::shared_ptr<Device> Device::open(int index, const Options& options) {
  const auto found = find_devices();
  if (index < 0 || size_t(index) >= found.size())
    throw Error("OpenCL: no device " + std::to_string(index) + " (this machine has " + std::to_string(found.size()) +
                " OpenCL device(s): 0.." + std::to_string(found.size() - 1) + ")");
  std::shared_ptr<Device> d(new Device());
  d->info_ = found[size_t(index)].info;
  d->options_ = options;
  d->platform_ = found[size_t(index)].platform;
  d->device_ = found[size_t(index)].device;
  cl_int err = CL_SUCCESS;
  const cl_context_properties props[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(d->platform_), 0};
  d->context_ = clCreateContext(props, 1, &d->device_, nullptr, nullptr, &err);
  check(err, "clCreateContext");
  d->queue_ = clCreateCommandQueue(d->context_, d->device_, 0, &err);
  check(err, "clCreateCommandQueue");
  d->device_key_ = hex(fnv1a(d->info_.platform + "|" + d->info_.name + "|" + d->info_.version + "|" + d->info_.driver));
  d->cache_dir_ = default_cache_dir(options);
  d->build_program();
  d->load_tuning();
  return d;
}

Device::~Device() {
  if (program_) clReleaseProgram(program_);
  if (queue_) clReleaseCommandQueue(queue_);
  if (context_) clReleaseContext(context_);
}

void Device::build_program() {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string src = program_source();
  // Key: source text, build options, and the device + driver (a binary is only valid there).
  const std::string key = hex(fnv1a(src + "\n" + kBuildOptions + "\n" + device_key_));
  std::string file;
  if (!cache_dir_.empty()) file = cache_dir_ + "/program-" + key + ".bin";
  cl_int err = CL_SUCCESS;
  std::string bin;
  if (!file.empty() && read_file(file, &bin) && !bin.empty()) {
    const unsigned char* ptr = reinterpret_cast<const unsigned char*>(bin.data());
    const size_t size = bin.size();
    cl_int status = CL_SUCCESS;
    cl_program p = clCreateProgramWithBinary(context_, 1, &device_, &size, &ptr, &status, &err);
    if (err == CL_SUCCESS && status == CL_SUCCESS &&
        clBuildProgram(p, 1, &device_, kBuildOptions, nullptr, nullptr) == CL_SUCCESS) {
      program_ = p;
      origin_.from = "cache";
    } else {
      if (p) clReleaseProgram(p);
      std::remove(file.c_str());  // stale or corrupt: rebuild below
    }
  }
  if (!program_) {
    const char* text = src.c_str();
    const size_t len = src.size();
    program_ = clCreateProgramWithSource(context_, 1, &text, &len, &err);
    check(err, "clCreateProgramWithSource");
    err = clBuildProgram(program_, 1, &device_, kBuildOptions, nullptr, nullptr);
    if (err != CL_SUCCESS) {
      size_t n = 0;
      clGetProgramBuildInfo(program_, device_, CL_PROGRAM_BUILD_LOG, 0, nullptr, &n);
      std::string log(n, '\0');
      clGetProgramBuildInfo(program_, device_, CL_PROGRAM_BUILD_LOG, n, log.data(), nullptr);
      if (log.size() > 4000) log = log.substr(0, 4000) + "\n…";
      throw Error("OpenCL: building the slimrt kernels for '" + info_.name + "' failed: " + cl_error_name(err) + "\n" +
                  log);
    }
    origin_.from = "source";
    if (!file.empty()) {
      size_t size = 0;
      if (clGetProgramInfo(program_, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr) == CL_SUCCESS && size > 0) {
        std::string out(size, '\0');
        unsigned char* ptr = reinterpret_cast<unsigned char*>(out.data());
        if (clGetProgramInfo(program_, CL_PROGRAM_BINARIES, sizeof ptr, &ptr, nullptr) == CL_SUCCESS) {
          make_dirs(cache_dir_);
          write_file_atomic(file, out);
        }
      }
    }
  }
  origin_.file = file;
  origin_.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

cl_kernel Device::create_kernel(const char* name) {
  cl_int err = CL_SUCCESS;
  cl_kernel k = clCreateKernel(program_, name, &err);
  if (err != CL_SUCCESS)
    throw Error(std::string("OpenCL: kernel '") + name + "' is not in the program: " + cl_error_name(err));
  return k;
}

cl_mem Device::buffer(size_t bytes, const void* host) {
  cl_int err = CL_SUCCESS;
  const cl_mem_flags flags = CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0);
  cl_mem m = clCreateBuffer(context_, flags, bytes ? bytes : 4, host ? const_cast<void*>(host) : nullptr, &err);
  if (err != CL_SUCCESS)
    throw Error("OpenCL: allocating " + std::to_string(bytes) + " bytes on '" + info_.name + "': " + cl_error_name(err));
  return m;
}

size_t Device::max_local_size(cl_kernel k) const {
  size_t n = 0;
  if (clGetKernelWorkGroupInfo(k, device_, CL_KERNEL_WORK_GROUP_SIZE, sizeof n, &n, nullptr) != CL_SUCCESS) n = 64;
  return n ? n : 1;
}

double Device::time_launch(const std::function<void(size_t)>& launch, size_t local) {
  launch(local);  // warm-up
  check(clFinish(queue_), "clFinish");
  double best = 1e300;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    launch(local);
    check(clFinish(queue_), "clFinish");
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// Tuning file: one "key value" line per kernel and shape class, appended as measured.
void Device::load_tuning() {
  if (cache_dir_.empty()) return;
  std::ifstream f(cache_dir_ + "/tuning-" + device_key_ + ".txt");
  std::string key;
  size_t value = 0;
  while (f >> key >> value)
    if (value > 0 && value <= info_.max_work_group) tuning_[key] = value;
}

void Device::save_tuning(const std::string& key, size_t value) {
  std::lock_guard<std::mutex> lock(tuning_mutex_);
  tuning_[key] = value;
  if (cache_dir_.empty() || !options_.tune) return;
  std::ostringstream all;
  for (const auto& [k, v] : tuning_) all << k << " " << v << "\n";
  make_dirs(cache_dir_);
  write_file_atomic(cache_dir_ + "/tuning-" + device_key_ + ".txt", all.str());
}

}  // namespace slimrt::opencl
