#pragma once
// The interpreter's worker threads: created once at prepare (InterpreterOptions::threads
// − 1 workers; the calling thread is the first), then each split node hands them its
// parts. run() allocates nothing and creates no thread: workers spin briefly on a
// generation counter after each task (parts of consecutive ops follow within
// microseconds), then sleep on a condition variable.
#include <atomic>
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
  // Calls task(ctx, i) for every i in [0, n), n ≤ size(): i = 0 on the calling thread,
  // i on worker i; returns when all have returned.
  void run(int n, void (*task)(void*, int), void* ctx);

 private:
  void work(int index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<unsigned> generation_{0};
  std::atomic<int> pending_{0};
  bool stop_ = false;  // under mutex_
  void (*task_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  int count_ = 0;
};

}  // namespace slimrt
