#pragma once
// What an OpenCL kernel keeps per prepared op: its device buffers (weights uploaded
// once at load), the launches, and the host pointers of the op's inputs and outputs
// for the transfers around each run. The kernel's pack() creates one and stores its
// address in the op's packed bytes; release() deletes it.
#include <CL/cl.h>

#include <memory>
#include <string>
#include <vector>

#include "device.h"

namespace slimrt::opencl {

struct Launch {
  cl_kernel kernel = nullptr;
  cl_uint dims = 1;
  size_t global[3] = {1, 1, 1};
  size_t local[3] = {1, 1, 1};
  bool has_local = false;  // false: the driver picks the work-group size
};

struct NodeState {
  std::shared_ptr<Device> dev;
  std::vector<cl_mem> mems;  // every buffer below, released with the state
  struct Transfer {
    cl_mem mem = nullptr;
    size_t bytes = 0;
  };
  std::vector<Transfer> in, out;        // per run: host → device before, device → host after
  std::vector<const void*> in_host;     // filled by the op's io function before each run
  std::vector<void*> out_host;
  std::vector<Launch> launches;
  cl_mem dummy_ = nullptr;

  ~NodeState();
  cl_mem constant(size_t bytes, const void* host);  // uploaded now
  cl_mem scratch(size_t bytes);                     // device-only
  cl_mem input(size_t bytes);                       // written before each run
  cl_mem output(size_t bytes);                      // read after each run
  cl_mem dummy();                                   // for absent optional buffers
  Launch& launch(const char* kernel_name);
  void execute();
};

// ---- kernel arguments -----------------------------------------------------------------
struct LocalBytes {
  size_t bytes;
};
inline void set_arg(cl_kernel k, cl_uint i, cl_mem m) { check(clSetKernelArg(k, i, sizeof m, &m), "clSetKernelArg"); }
inline void set_arg(cl_kernel k, cl_uint i, int v) { check(clSetKernelArg(k, i, sizeof v, &v), "clSetKernelArg"); }
inline void set_arg(cl_kernel k, cl_uint i, float v) { check(clSetKernelArg(k, i, sizeof v, &v), "clSetKernelArg"); }
inline void set_arg(cl_kernel k, cl_uint i, cl_long v) { check(clSetKernelArg(k, i, sizeof v, &v), "clSetKernelArg"); }
inline void set_arg(cl_kernel k, cl_uint i, LocalBytes v) {
  check(clSetKernelArg(k, i, v.bytes, nullptr), "clSetKernelArg (local)");
}
template <class... A>
void set_args(cl_kernel k, A... a) {
  cl_uint i = 0;
  (set_arg(k, i++, a), ...);
}

inline size_t round_up(size_t n, size_t m) { return m ? (n + m - 1) / m * m : n; }

}  // namespace slimrt::opencl
