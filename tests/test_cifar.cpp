#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>

#include "datasets/cifar.h"
#include "datasets/errors.h"
#include "expect_error.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace slimlab::data;
using namespace slimlab::test;

namespace {

using Bytes = std::vector<uint8_t>;

// Pixel byte of record `id` at channel c, row y, column x — distinct enough
// that a plane or row swap shows up.
uint8_t pixel(int id, int c, int y, int x) { return uint8_t((id * 31 + c * 85 + y * 7 + x * 3) & 0xFF); }

// One CIFAR-10 binary record: label, then the R, G and B planes.
void put_record(Bytes& b, int id, uint8_t label) {
  b.push_back(label);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) b.push_back(pixel(id, c, y, x));
}

// Five training batches of two records (ids 0..9, label = id) and a test batch
// of three (ids 100..102, labels 9, 8, 7).
void write_dataset(const fs::path& dir) {
  for (int k = 0; k < 5; ++k) {
    Bytes b;
    for (int r = 0; r < 2; ++r) put_record(b, 2 * k + r, uint8_t(2 * k + r));
    write_bytes(dir / ("data_batch_" + std::to_string(k + 1) + ".bin"), b);
  }
  Bytes t;
  for (int r = 0; r < 3; ++r) put_record(t, 100 + r, uint8_t(9 - r));
  write_bytes(dir / "test_batch.bin", t);
}

void expect_record(const ArraySet& s, size_t i, int id) {
  const float* p = s.sample(i);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; y += 5)
      for (int x = 0; x < 32; x += 3)
        ASSERT_FLOAT_EQ(p[c * 1024 + y * 32 + x], float(pixel(id, c, y, x)) / 255.0f)
            << "sample " << i << " c" << c << " y" << y << " x" << x;
}

}  // namespace

TEST(Cifar10, TrainSplitInBatchOrder) {
  TempDir t;
  write_dataset(t.path());
  EXPECT_TRUE(slimlab::data::looks_like_cifar10_dir(t.path()));
  const ArraySet s = load_cifar10_dir(t.path(), "train");
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s.modality, slimlab::data::Modality::kVision);
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(s.values.size(), 10u * 3072);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s.labels[size_t(i)], i);
  EXPECT_EQ(s.groups, std::vector<int32_t>(10, -1));
  EXPECT_TRUE(s.group_names.empty());
  ASSERT_EQ(s.class_names.size(), 10u);
  EXPECT_EQ(s.class_names[0], "airplane");
  EXPECT_EQ(s.class_names[9], "truck");
  for (int i = 0; i < 10; ++i) expect_record(s, size_t(i), i);
}

TEST(Cifar10, TestAndAllSplits) {
  TempDir t;
  write_dataset(t.path());
  const ArraySet test = load_cifar10_dir(t.path(), "test");
  ASSERT_EQ(test.size(), 3u);
  EXPECT_EQ(test.labels, (std::vector<int32_t>{9, 8, 7}));
  expect_record(test, 2, 102);
  const ArraySet all = load_cifar10_dir(t.path(), "all");
  ASSERT_EQ(all.size(), 13u);
  EXPECT_EQ(all.labels[10], 9);
  expect_record(all, 0, 0);
  expect_record(all, 12, 102);
  EXPECT_THROW(load_cifar10_dir(t.path(), "valid"), std::invalid_argument);
}

TEST(Cifar10, ParentOfExtractedFolder) {
  TempDir t;
  write_dataset(t / "cifar-10-batches-bin");
  EXPECT_TRUE(slimlab::data::looks_like_cifar10_dir(t.path()));
  EXPECT_EQ(load_cifar10_dir(t.path(), "test").size(), 3u);
}

TEST(Cifar10, ClassNamesFromMeta) {
  TempDir t;
  write_dataset(t.path());
  slimlab::test::write_text(t / "batches.meta.txt",
                            "plane\r\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n\n");
  const ArraySet s = load_cifar10_dir(t.path(), "test");
  EXPECT_EQ(s.class_names[0], "plane");
  EXPECT_EQ(s.class_names[1], "car");
  EXPECT_EQ(s.class_names[9], "truck");
  slimlab::test::write_text(t / "batches.meta.txt", "a\nb\nc\n");
  expect_data_error([&] { load_cifar10_dir(t.path(), "test"); }, {(t / "batches.meta.txt").string(), "found 3"});
}

// A batch file that is not whole records, or holds a label outside 0..9: the error names it.
TEST(Cifar10, BadBatchFileIsNamed) {
  struct Case {
    std::string file, split;
    std::vector<uint8_t> labels;  // one record each
    size_t extra_bytes;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {"test_batch.bin", "test", {1}, 100, {"3073"}},
      {"test_batch.bin", "test", {}, 0, {"empty"}},
      {"data_batch_4.bin", "train", {3, 9, 10}, 0, {"record 2", "label 10"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file + " " + c.parts.back());
    TempDir t;
    write_dataset(t.path());
    Bytes b;
    for (size_t i = 0; i < c.labels.size(); ++i) put_record(b, int(i), c.labels[i]);
    b.resize(b.size() + c.extra_bytes);
    write_bytes(t / c.file, b);
    std::vector<std::string> parts = {(t / c.file).string()};
    parts.insert(parts.end(), c.parts.begin(), c.parts.end());
    expect_data_error([&] { load_cifar10_dir(t.path(), c.split); }, parts);
  }
}

TEST(Cifar10, MissingBatch) {
  TempDir t;
  write_dataset(t.path());
  fs::remove(t / "data_batch_3.bin");
  expect_data_error([&] { load_cifar10_dir(t.path(), "train"); }, {t.path().string(), "data_batch_3.bin"});
  EXPECT_EQ(load_cifar10_dir(t.path(), "test").size(), 3u);  // the test split is still whole
}

TEST(Cifar10, NotCifar) {
  TempDir t;
  EXPECT_FALSE(slimlab::data::looks_like_cifar10_dir(t.path()));
  expect_data_error([&] { load_cifar10_dir(t.path(), "test"); }, {t.path().string(), "test_batch.bin"});
}
