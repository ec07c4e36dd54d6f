#pragma once
// Counts heap allocations made through operator new (new[] and the nothrow forms call
// it): include in exactly one file of a test executable that checks "no allocation".
#include <atomic>
#include <cstdlib>
#include <new>

static std::atomic<long> g_news{0};
void* operator new(std::size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
