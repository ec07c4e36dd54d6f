#pragma once
// One opened OpenCL device: context, in-order queue and the backend's program (built
// from the embedded sources or loaded from the on-disk binary cache), plus the
// work-group sizes tuned for it. Internal to slimrt_opencl.
#include <CL/cl.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "slimrt/opencl.h"
#include "slimrt/runtime.h"

namespace slimrt::opencl {

// "clCreateBuffer: CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)".
std::string cl_error_name(cl_int err);
void check(cl_int err, const char* what);  // throws slimrt::Error on failure

class Device {
 public:
  static std::shared_ptr<Device> open(int index, const Options& options);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const DeviceInfo& info() const { return info_; }
  const Options& options() const { return options_; }
  cl_context context() const { return context_; }
  cl_command_queue queue() const { return queue_; }
  cl_device_id id() const { return device_; }
  cl_program program() const { return program_; }
  const ProgramOrigin& origin() const { return origin_; }

  cl_kernel create_kernel(const char* name);  // throws naming the kernel
  cl_mem buffer(size_t bytes, const void* host = nullptr);  // read-write; copies host when given

  // The work-group size for `kernel_key` (a kernel name plus a shape class) along
  // dimension 0: measured once per device over `candidates` by calling `launch(local)`
  // (which enqueues one run), then read from the cache (memory and disk).
  template <class Launch>
  size_t tuned_local_size(const std::string& kernel_key, const std::vector<size_t>& candidates, Launch&& launch);
  size_t max_local_size(cl_kernel k) const;

 private:
  Device() = default;
  void build_program();
  void load_tuning();
  void save_tuning(const std::string& key, size_t value);
  double time_launch(const std::function<void(size_t)>& launch, size_t local);

  DeviceInfo info_;
  Options options_;
  cl_platform_id platform_ = nullptr;
  cl_device_id device_ = nullptr;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;
  cl_program program_ = nullptr;
  ProgramOrigin origin_;
  std::string cache_dir_, device_key_;
  std::mutex tuning_mutex_;
  std::map<std::string, size_t> tuning_;
};

template <class Launch>
size_t Device::tuned_local_size(const std::string& kernel_key, const std::vector<size_t>& candidates, Launch&& launch) {
  {
    std::lock_guard<std::mutex> lock(tuning_mutex_);
    auto it = tuning_.find(kernel_key);
    if (it != tuning_.end()) return it->second;
  }
  size_t best = candidates.empty() ? 0 : candidates.front();
  if (options_.tune && candidates.size() > 1) {
    double best_ms = 1e300;
    std::function<void(size_t)> f = launch;
    for (size_t c : candidates) {
      const double ms = time_launch(f, c);
      if (ms < best_ms) {
        best_ms = ms;
        best = c;
      }
    }
  }
  save_tuning(kernel_key, best);
  return best;
}

// The installed device (null when none).
std::shared_ptr<Device> current_device();

}  // namespace slimrt::opencl
