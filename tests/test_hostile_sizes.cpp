// Hostile sizes (docs/RELIABILITY.md): files that claim 10^12 elements, negative or
// overflowing dimensions, deep or cyclic graphs, or nothing at all. Each must be
// rejected with an error naming the file, without allocating what it claims: this
// file replaces operator new to record the largest single request (and to refuse
// anything over 1 GiB, so that a regression fails here instead of exhausting memory).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "datasets/cifar.h"
#include "datasets/idx.h"
#include "datasets/wav.h"
#include "experiments/experiment.h"
#include "experiments/results.h"
#include "fuzz/hostile_files.h"
#include "slimrt/runtime.h"
#include "test_util.h"
#include "train/graph_io.h"

namespace {
std::atomic<size_t> g_largest{0};
constexpr size_t kRefuseAbove = size_t(1) << 30;

void* counted_new(size_t n) {
  size_t seen = g_largest.load();
  while (n > seen && !g_largest.compare_exchange_weak(seen, n)) {
  }
  if (n > kRefuseAbove) throw std::bad_alloc();
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(size_t n) { return counted_new(n); }
void* operator new[](size_t n) { return counted_new(n); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them): every
// allocation comes from malloc, so every operator delete below may free it.
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace slimlab {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMiB = size_t(1) << 20;

// Runs `load`, which must throw an exception of type E; returns its message and
// sets *largest to the largest single allocation made meanwhile.
template <class E, class F>
std::string rejected(F&& load, size_t* largest) {
  g_largest = 0;
  std::string msg = "(accepted)";
  try {
    load();
  } catch (const E& e) {
    msg = e.what();
  }
  *largest = g_largest.load();
  return msg;
}

#define EXPECT_REJECTED_SMALL(E, call, needle, max_bytes)                   \
  do {                                                                     \
    size_t largest_ = 0;                                                   \
    const std::string msg_ = rejected<E>([&] { call; }, &largest_);        \
    EXPECT_NE(msg_.find(needle), std::string::npos) << msg_;               \
    EXPECT_LE(largest_, size_t(max_bytes)) << "for: " << msg_;             \
  } while (0)

std::string be32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// ---- .slim -------------------------------------------------------------------------

using fuzz::cyclic_model;
using fuzz::relu_model;

std::string slim_error(const std::vector<uint8_t>& bytes, size_t* largest) {
  return rejected<slimrt::Error>([&] { slimrt::Model::from_memory(bytes.data(), bytes.size()); }, largest);
}

TEST(HostileSlim, TensorClaimingTenToTheTwelveElements) {
  size_t largest = 0;
  EXPECT_NE(slim_error(relu_model({1000000, 1000000}), &largest).find("'x'"), std::string::npos);
  EXPECT_LE(largest, kMiB);
}

TEST(HostileSlim, NegativeAndOverflowingDimensions) {
  size_t largest = 0;
  EXPECT_NE(slim_error(relu_model({-3, 4}), &largest).find("extent -3 is outside"), std::string::npos);
  EXPECT_NE(slim_error(relu_model({int64_t(1) << 62, 4}), &largest).find("is outside [1, 2^30]"), std::string::npos);
  const int64_t big = int64_t(1) << 30;
  EXPECT_NE(slim_error(relu_model({big, big, big}), &largest).find("too many elements"), std::string::npos);
  EXPECT_LE(largest, kMiB);
}

TEST(HostileSlim, CyclicGraph) {
  size_t largest = 0;
  EXPECT_NE(slim_error(cyclic_model(), &largest).find("before any op writes it"), std::string::npos);
}

TEST(HostileSlim, DeepChainLoadsAndRunsWithoutRecursion) {
  slimrt::ModelWriter w;
  constexpr int kDepth = 20000;
  int prev = w.add_tensor("t0", slimrt::DType::F32, {2});
  w.inputs = {prev};
  for (int i = 1; i <= kDepth; ++i) {
    const int next = w.add_tensor("t" + std::to_string(i), slimrt::DType::F32, {2});
    w.add_op(slimrt::OpType::Relu, "relu" + std::to_string(i), {prev}, {next});
    prev = next;
  }
  w.outputs = {prev};
  const auto bytes = w.finish();
  slimrt::Interpreter interp(slimrt::Model::from_memory(bytes.data(), bytes.size()));
  const float x[2] = {-1.f, 2.f};
  float y[2] = {};
  interp.set_input(0, x, 2);
  interp.invoke();
  interp.get_output(0, y, 2);
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[1], 2.f);
}

TEST(HostileSlim, EmptyFileAndEmptyBuffer) {
  test::TempDir dir;
  test::write_text(dir / "empty.slim", "");
  size_t largest = 0;
  EXPECT_NE(rejected<slimrt::Error>([&] { slimrt::Model::from_file((dir / "empty.slim").string()); }, &largest)
                .find("empty.slim"),
            std::string::npos);
  EXPECT_NE(slim_error({}, &largest), "(accepted)");
}

// ---- IDX, CIFAR-10, WAV ------------------------------------------------------------

TEST(HostileData, IdxClaimingMoreImagesThanItHolds) {
  test::TempDir dir;
  // 4096 × 4096 × 4096 pixels claimed (within each per-field limit: 6.9·10^10 bytes), 1 byte given.
  test::write_text(dir / "img", be32(2051) + be32(4096) + be32(4096) + be32(4096) + "x");
  test::write_text(dir / "lab", be32(2049) + be32(4096) + std::string(4096, '\1'));
  EXPECT_REJECTED_SMALL(data::DataError, data::load_idx(dir / "img", dir / "lab"), "img", 64 * kMiB);
  test::write_text(dir / "img", be32(2051) + be32(0xFFFFFFFFu) + be32(28) + be32(28));
  EXPECT_REJECTED_SMALL(data::DataError, data::load_idx(dir / "img", dir / "lab"), "implausible image count", kMiB);
  test::write_text(dir / "img", "");
  EXPECT_REJECTED_SMALL(data::DataError, data::load_idx(dir / "img", dir / "lab"), "img", kMiB);
}

TEST(HostileData, CifarBatchOfATerabyte) {
  test::TempDir dir;
  test::write_text(dir / "test_batch.bin", "");
  EXPECT_REJECTED_SMALL(data::DataError, data::load_cifar10_dir(dir.path(), "test"), "empty CIFAR-10 batch", kMiB);
  // A sparse file: 3073 × 2^28 bytes (≈ 825 GB) apparent size, nothing stored.
  std::error_code ec;
  fs::resize_file(dir / "test_batch.bin", uintmax_t(3073) << 28, ec);
  if (ec) GTEST_SKIP() << "no sparse files here: " << ec.message();
  EXPECT_REJECTED_SMALL(data::DataError, data::load_cifar10_dir(dir.path(), "test"), "test_batch.bin", kMiB);
}

std::string wav_header(uint16_t channels, uint32_t rate, uint32_t data_bytes) {
  auto le16 = [](uint16_t v) { return std::string{char(v), char(v >> 8)}; };
  auto le32 = [](uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
  return "RIFF" + le32(36 + data_bytes) + "WAVEfmt " + le32(16) + le16(1) + le16(channels) + le32(rate) +
         le32(rate * 2u * channels) + le16(uint16_t(2 * channels)) + le16(16) + "data" + le32(data_bytes);
}

TEST(HostileData, WavClaims) {
  test::TempDir dir;
  const fs::path p = dir / "a.wav";
  test::write_text(p, wav_header(1, 8000, 0xFFFFFFF0u) + std::string(64, '\0'));
  EXPECT_REJECTED_SMALL(data::DataError, data::read_wav(p), "a.wav", kMiB);
  test::write_text(p, wav_header(60000, 8000, 64) + std::string(64, '\0'));
  EXPECT_REJECTED_SMALL(data::DataError, data::read_wav(p), "a.wav", kMiB);
  test::write_text(p, "");
  EXPECT_REJECTED_SMALL(data::DataError, data::read_wav(p), "a.wav", kMiB);
  std::error_code ec;
  fs::resize_file(p, uintmax_t(1) << 40, ec);  // a sparse terabyte
  if (ec) GTEST_SKIP() << "no sparse files here: " << ec.message();
  EXPECT_REJECTED_SMALL(data::DataError, data::read_wav(p), "a.wav", kMiB);
}

// ---- HDF5: model.h5 and results.h5 --------------------------------------------------

using fuzz::replace_with_unwritten;

ir::Graph one_dense_graph(int64_t in, int64_t out) {
  ir::Graph g;
  g.model = "mlp";
  g.input_shape = {in};
  g.num_classes = out;
  ir::Layer x;
  x.name = "input";
  x.output_shape = {in};
  ir::Layer fc;
  fc.name = "fc";
  fc.kind = ir::LayerKind::kDense;
  fc.inputs = {"input"};
  fc.output_shape = {out};
  fc.in_features = in;
  fc.out_features = out;
  ir::Param w;
  w.name = "weight";
  w.shape = {out, in};
  w.data.assign(size_t(out * in), 0.5f);
  fc.params = {w};
  fc.bias = false;
  g.layers = {x, fc};
  return g;
}

TEST(HostileHdf5, ModelWeightsClaimingSixteenGigabytes) {
  test::TempDir dir;
  const fs::path p = dir / "model.h5";
  ir::write_graph_h5(p, one_dense_graph(4, 2));
  ASSERT_NO_THROW(ir::read_graph_h5(p));
  fuzz::claim_sixteen_gigabytes(p, "0001");
  EXPECT_REJECTED_SMALL(data::DataError, ir::read_graph_h5(p), "model.h5", 64 * kMiB);
}

TEST(HostileHdf5, ModelWithCyclicOrZeroLayers) {
  test::TempDir dir;
  const fs::path p = dir / "model.h5";
  ir::write_graph_h5(p, one_dense_graph(4, 2));
  fuzz::replace_strings(p, "/layers/0001/inputs", {"fc"});  // the dense layer reads itself
  EXPECT_REJECTED_SMALL(data::DataError, ir::read_graph_h5(p), "input 'fc' is not an earlier layer", kMiB);
  test::write_text(p, "");
  EXPECT_REJECTED_SMALL(data::DataError, ir::read_graph_h5(p), "model.h5", kMiB);
}

exp::RunRecord small_record() {
  exp::RunRecord r;
  r.experiment = "e";
  r.run_id = "r";
  r.status = "finished";
  r.num_classes = 2;
  r.class_names = {"a", "b"};
  train::EpochMetrics m;
  m.epoch = 1;
  r.result.epochs = {m};
  return r;
}

TEST(HostileHdf5, ResultsClaimingTenToTheTwelveEntries) {
  test::TempDir dir;
  const fs::path p = dir / "results.h5";
  exp::write_results(small_record(), p);
  ASSERT_NO_THROW(exp::read_results(p));
  hid_t str = fuzz::vlen_string_type();
  replace_with_unwritten(p, "/class_names", str, hsize_t(1000000) * 1000000);
  H5Tclose(str);
  EXPECT_REJECTED_SMALL(data::DataError, exp::read_results(p), "class_names", kMiB);

  exp::write_results(small_record(), p);
  replace_with_unwritten(p, "/curves/train_loss", H5T_NATIVE_DOUBLE, hsize_t(1) << 33);
  EXPECT_REJECTED_SMALL(data::DataError, exp::read_results(p), "results.h5", 64 * kMiB);

  test::write_text(p, "");
  EXPECT_REJECTED_SMALL(data::DataError, exp::read_results(p), "results.h5", kMiB);
}

// ---- TOML ---------------------------------------------------------------------------

TEST(HostileToml, EmptyHugeAndDeep) {
  test::TempDir dir;
  const fs::path p = dir / "e.toml";
  test::write_text(p, "");
  EXPECT_REJECTED_SMALL(exp::ConfigError, exp::load_experiment(p), "e.toml", kMiB);
  // A folder opens as a stream on Linux and read as an empty file before.
  EXPECT_REJECTED_SMALL(exp::ConfigError, exp::load_experiment(dir.path()), "cannot read the experiment file", kMiB);
  std::error_code ec;
  fs::resize_file(p, uintmax_t(1000000) * 1000000, ec);  // 10^12 bytes, sparse
  if (!ec) EXPECT_REJECTED_SMALL(exp::ConfigError, exp::load_experiment(p), "e.toml", 64 * kMiB);
  const std::string deep = "x = " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  EXPECT_REJECTED_SMALL(exp::ConfigError, exp::parse_experiment(deep, "deep.toml"), "deep.toml", kMiB);
  const std::string grid = "name = \"g\"\n[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n[sweep]\ngrid = { \"train.lr\" = "
                           "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], \"train.seed\" = [1, 2, 3, 4, 5, 6, 7, "
                           "8, 9, 10], \"train.epochs\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], \"train.batch_size\" = [1, "
                           "2, 3, 4, 5, 6, 7, 8, 9, 10], \"model.width\" = [0.1, 0.2, 0.3, 0.4, 0.5] }\n";
  EXPECT_REJECTED_SMALL(exp::ConfigError, exp::parse_experiment(grid, "grid.toml"), "10000 points", kMiB);
  EXPECT_REJECTED_SMALL(exp::ConfigError, exp::parse_experiment("[train]\nepochs = 1000000000000\n", "big.toml"),
                        "big.toml", kMiB);
}

}  // namespace
}  // namespace slimlab
