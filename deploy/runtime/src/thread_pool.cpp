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
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
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

void ThreadPool::claim(unsigned gen, int n, void (*task)(void*, int), void* ctx) {
  for (uint64_t v = next_.load(std::memory_order_acquire);;) {
    if (unsigned(v >> 32) != gen || int(v & 0xffffffffu) >= n) return;  // a later run's, or all claimed
    if (!next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) continue;
    task(ctx, int(v & 0xffffffffu));
    done_.fetch_add(1, std::memory_order_release);
    v = next_.load(std::memory_order_acquire);
  }
}

void ThreadPool::run(int n, void (*task)(void*, int), void* ctx) {
  if (n <= 1 || workers_.empty()) {
    for (int i = 0; i < n; ++i) task(ctx, i);
    return;
  }
  unsigned gen;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = task;
    ctx_ = ctx;
    count_ = n;
    gen = generation_.load(std::memory_order_relaxed) + 1;
    done_.store(0, std::memory_order_relaxed);
    next_.store(uint64_t(gen) << 32, std::memory_order_relaxed);
    generation_.store(gen, std::memory_order_release);
  }
  wake_.notify_all();
  claim(gen, n, task, ctx);
  auto finished = [&] { return done_.load(std::memory_order_acquire) == n; };
  while (!spin_until(finished)) std::this_thread::yield();
}

void ThreadPool::work() {
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
    claim(seen, count, task, ctx);
  }
}

}  // namespace slimrt
