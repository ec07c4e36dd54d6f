#pragma once
// The interpreter's worker threads: created once at prepare (InterpreterOptions::threads
// − 1 workers; the calling thread is the first), then each split node hands them its
// parts. run() allocates nothing and creates no thread: workers spin briefly on a
// generation counter after each task (parts of consecutive ops follow within
// microseconds), then sleep on a condition variable. Parts are claimed from a shared
// counter, the calling thread included: when the workers do not get a core (a loaded
// machine) the caller runs the parts itself instead of waiting for them.
#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace slimrt {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads ≥ 1 (1: no workers)
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }
  // Calls task(ctx, i) once for every i in [0, n), on whichever thread claims i first;
  // returns when all have returned.
  void run(int n, void (*task)(void*, int), void* ctx);

 private:
  void work();
  // Claims and runs parts of generation `gen` until none is left.
  void claim(unsigned gen, int n, void (*task)(void*, int), void* ctx);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<unsigned> generation_{0};
  std::atomic<uint64_t> next_{0};  // generation << 32 | the next unclaimed part
  std::atomic<int> done_{0};       // parts of the current generation finished
  bool stop_ = false;  // under mutex_
  void (*task_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  int count_ = 0;
};

}  // namespace slimrt
