// slimrt core: the interpreter against a naive reference, the arena planner, no
// allocation during inference, the C API and the C++ wrapper.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "slim_test_models.h"
#include "slimrt/runtime.h"
#include "slimrt/slimrt.h"
#include "slimrt/slimrt.hpp"
#include "threads_views_models.h"

// Counts heap allocations so a test can prove invoke() makes none.
static std::atomic<long> g_allocations{0};
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace slimrt {
namespace {

TEST(Interpreter, SmallCnnMatchesNaiveReference) {
  test::SmallCnn net;
  const auto bytes = net.writer.finish();
  auto model = Model::from_memory(bytes.data(), bytes.size());
  EXPECT_EQ(model->metadata().model, "small_cnn");
  EXPECT_EQ(model->metadata().class_names.size(), 5u);
  EXPECT_EQ(model->macs(), 4 * 64 * 9 + 4 * 16 * 4 + 64 * 5 + 5);
  for (const char* isa : {"", "ref"}) {
    SCOPED_TRACE(isa);
    InterpreterOptions o;
    o.isa = isa;
    Interpreter in(model, o);
    for (uint32_t seed = 10; seed < 15; ++seed) {
      const auto x = test::random_values(64, seed);
      in.set_input(0, x.data(), x.size());
      in.invoke();
      std::vector<float> y(5);
      in.get_output(0, y.data(), y.size());
      const auto ref = net.reference(x);
      for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(y[i], ref[i], 1e-5) << i;
    }
  }
}

TEST(Interpreter, InvokeDoesNotAllocate) {
  test::SmallCnn net;
  const auto bytes = net.writer.finish();
  Interpreter in(Model::from_memory(bytes.data(), bytes.size()));
  const auto x = test::random_values(64, 5);
  in.set_input(0, x.data(), x.size());
  in.invoke();  // warm
  const long before = g_allocations.load();
  for (int i = 0; i < 10; ++i) in.invoke();
  EXPECT_EQ(g_allocations.load(), before) << "invoke() allocated";
}

TEST(Interpreter, InvokeWithThreadsAndViewsDoesNotAllocate) {
  const auto bytes = test::wide_model(test::Wide::kI8).finish();
  InterpreterOptions o;
  o.threads = 3;
  Interpreter in(Model::from_memory(bytes.data(), bytes.size()), o);
  const auto parts = in.node_parts();
  ASSERT_GT(*std::max_element(parts.begin(), parts.end()), 1);
  const auto x = test::random_values(size_t(in.input(0).numel), 5);
  in.set_input(0, x.data(), x.size());
  in.invoke();  // warm
  const long before = g_allocations.load();
  for (int i = 0; i < 10; ++i) in.invoke();
  EXPECT_EQ(g_allocations.load(), before) << "invoke() allocated";
}

TEST(Interpreter, ArenaIsWithinTenPercentOfTheLowerBound) {
  test::SmallCnn net;
  const auto bytes = net.writer.finish();
  Interpreter in(Model::from_memory(bytes.data(), bytes.size()));
  EXPECT_GE(in.arena_bytes(), in.arena_lower_bound());
  EXPECT_LE(double(in.arena_bytes()), 1.1 * double(in.arena_lower_bound()));
  EXPECT_EQ(in.kernel_names().size(), 5u);
}

TEST(Interpreter, WrongInputSizeIsAnError) {
  test::SmallCnn net;
  const auto bytes = net.writer.finish();
  Interpreter in(Model::from_memory(bytes.data(), bytes.size()));
  std::vector<float> x(63);
  EXPECT_THROW(in.set_input(0, x.data(), x.size()), Error);
  EXPECT_THROW(in.set_input(1, x.data(), x.size()), Error);
}

TEST(ArenaPlanner, NoOverlapBetweenLiveBuffersAndTightOnChains) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = 1 + rng() % 30;
    std::vector<size_t> sizes(n);
    std::vector<std::pair<int, int>> life(n);
    for (size_t i = 0; i < n; ++i) {
      sizes[i] = 1 + rng() % 5000;
      const int a = int(rng() % 20), b = a + int(rng() % 6);
      life[i] = {a, b};
    }
    const ArenaPlan p = plan_arena(sizes, life, 64);
    EXPECT_GE(p.arena_bytes, p.lower_bound);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(p.offsets[i] % 64, 0u);
      EXPECT_LE(p.offsets[i] + sizes[i], p.arena_bytes);
      for (size_t j = i + 1; j < n; ++j) {
        const bool live_together = life[i].first <= life[j].second && life[j].first <= life[i].second;
        const bool overlap = p.offsets[i] < p.offsets[j] + sizes[j] && p.offsets[j] < p.offsets[i] + sizes[i];
        EXPECT_FALSE(live_together && overlap) << "buffers " << i << " and " << j << " share bytes";
      }
    }
  }
  // A chain a→b→c→d: at most two alive at once, the plan reaches the bound.
  const ArenaPlan chain = plan_arena({1000, 2000, 1000, 2000}, {{0, 1}, {1, 2}, {2, 3}, {3, 4}}, 64);
  EXPECT_EQ(chain.lower_bound, 1024u + 2048u);
  EXPECT_EQ(chain.arena_bytes, chain.lower_bound);
}

TEST(CApi, LoadRunAndErrors) {
  test::SmallCnn net;
  const auto bytes = net.writer.finish();
  slimrt_model* m = nullptr;
  ASSERT_EQ(slimrt_model_load_memory(bytes.data(), bytes.size(), 1, &m), SLIMRT_OK) << slimrt_last_error();
  EXPECT_STREQ(slimrt_model_metadata(m, "model"), "small_cnn");
  EXPECT_EQ(slimrt_model_num_classes(m), 5);
  EXPECT_STREQ(slimrt_model_class_name(m, 4), "e");
  EXPECT_EQ(slimrt_model_class_name(m, 5), nullptr);
  slimrt_interpreter* in = nullptr;
  ASSERT_EQ(slimrt_interpreter_create(m, nullptr, &in), SLIMRT_OK) << slimrt_last_error();
  slimrt_tensor_info info{};
  ASSERT_EQ(slimrt_input_info(in, 0, &info), SLIMRT_OK);
  EXPECT_EQ(info.rank, 3);
  EXPECT_EQ(info.numel, 64);
  EXPECT_EQ(slimrt_input_info(in, 3, &info), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("input 3"), std::string::npos);
  const auto x = test::random_values(64, 9);
  ASSERT_EQ(slimrt_set_input(in, 0, x.data(), x.size()), SLIMRT_OK);
  EXPECT_EQ(slimrt_set_input(in, 0, x.data(), 10), SLIMRT_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(slimrt_run(in), SLIMRT_OK);
  std::vector<float> y(5);
  ASSERT_EQ(slimrt_get_output(in, 0, y.data(), y.size()), SLIMRT_OK);
  const auto ref = net.reference(x);
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(y[i], ref[i], 1e-5);
  EXPECT_GT(slimrt_arena_bytes(in), 0u);
  slimrt_interpreter_free(in);
  slimrt_model_free(m);

  EXPECT_EQ(slimrt_model_load_file("/nonexistent/model.slim", &m), SLIMRT_ERROR_INVALID_MODEL);
  EXPECT_NE(std::string(slimrt_last_error()).find("/nonexistent/model.slim"), std::string::npos);
  EXPECT_EQ(m, nullptr);
  EXPECT_EQ(slimrt_model_load_memory(nullptr, 10, 1, &m), SLIMRT_ERROR_INVALID_ARGUMENT);
}

TEST(CppWrapper, RunsAndThrows) {
  test::SmallCnn net;
  const auto bytes = net.writer.finish();
  auto model = api::ModelHandle::load(bytes.data(), bytes.size());
  EXPECT_EQ(model.metadata("precision"), "fp32");
  EXPECT_EQ(model.class_names().size(), 5u);
  api::InterpreterHandle in(model, "ref");
  const auto x = test::random_values(64, 3);
  in.set_input(x);
  in.run();
  const auto y = in.output();
  const auto ref = net.reference(x);
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(y[i], ref[i], 1e-5);
  EXPECT_THROW(in.set_input(std::vector<float>(3)), api::Failure);
  EXPECT_THROW(api::ModelHandle::load(bytes.data(), 20), api::Failure);
}

TEST(Model, FileIsMappedAndZeroCopyFromAlignedMemory) {
  test::SmallCnn net;
  const std::string path = ::testing::TempDir() + "/small.slim";
  net.writer.write_file(path);
  auto m = Model::from_file(path);
  EXPECT_STREQ(m->storage(), "mmap");
  for (const auto& t : m->tensors())
    if (t.constant()) EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % kAlign, 0u) << t.name;
  const auto bytes = net.writer.finish();
  AlignedBytes copy = aligned_alloc_bytes(bytes.size());
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  auto borrowed = Model::from_memory(copy.get(), bytes.size(), /*copy=*/false);
  EXPECT_STREQ(borrowed->storage(), "borrowed");
  AlignedBytes shifted = aligned_alloc_bytes(bytes.size() + 8);
  std::memcpy(shifted.get() + 8, bytes.data(), bytes.size());
  auto unaligned = Model::from_memory(shifted.get() + 8, bytes.size(), /*copy=*/false);
  EXPECT_STREQ(unaligned->storage(), "copied");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace slimrt
