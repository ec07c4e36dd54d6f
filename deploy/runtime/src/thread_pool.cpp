// The interpreter's worker threads (thread_pool.h).
#include "thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SLIMRT_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define SLIMRT_PAUSE() asm volatile("yield")
#else
#define SLIMRT_PAUSE() ((void)0)
#endif

namespace slimrt {

namespace {
// How long a worker spins for the next task before it sleeps, and the caller for the
// workers before it yields its core.
constexpr auto kSpin = std::chrono::microseconds(100);

// Spins until pred() holds or kSpin has passed; true when pred() held.
template <class P>
bool spin_until(P&& pred) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (unsigned i = 1;; ++i) {
    if (pred()) return true;
    SLIMRT_PAUSE();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > until) return false;
  }
}
}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run(int n, void (*task)(void*, int), void* ctx) {
  if (n <= 1 || workers_.empty()) {
    for (int i = 0; i < n; ++i) task(ctx, i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = task;
    ctx_ = ctx;
    count_ = n;
    pending_.store(n - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  task(ctx, 0);
  auto done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
  while (!spin_until(done)) std::this_thread::yield();
}

void ThreadPool::work(int index) {
  unsigned seen = 0;
  for (;;) {
    auto fresh = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!spin_until(fresh)) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, fresh);
    }
    void (*task)(void*, int);
    void* ctx;
    int count;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      seen = generation_.load(std::memory_order_relaxed);
      task = task_, ctx = ctx_, count = count_;
    }
    if (index < count) {
      task(ctx, index);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

}  // namespace slimrt
