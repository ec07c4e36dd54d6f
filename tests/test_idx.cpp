#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <numeric>

#include "datasets/errors.h"
#include "datasets/idx.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace slimlab::data;
using namespace slimlab::test;

namespace {

using Bytes = std::vector<uint8_t>;

void put_be32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

Bytes idx_images(uint32_t count, uint32_t rows, uint32_t cols, const Bytes& pixels, uint32_t magic = 2051) {
  Bytes b;
  put_be32(b, magic);
  put_be32(b, count);
  put_be32(b, rows);
  put_be32(b, cols);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

Bytes idx_labels(uint32_t count, const Bytes& labels, uint32_t magic = 2049) {
  Bytes b;
  put_be32(b, magic);
  put_be32(b, count);
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

void write_raw(const fs::path& p, const Bytes& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

void write_gz(const fs::path& p, const Bytes& b) {
  gzFile f = gzopen(p.string().c_str(), "wb");
  ASSERT_NE(f, nullptr);
  if (!b.empty()) {
    ASSERT_EQ(gzwrite(f, b.data(), unsigned(b.size())), int(b.size()));
  }
  gzclose(f);
}

// 3 images of 4×5 with pixel value (i*20 + k) and labels 7, 0, 9.
struct Small {
  Bytes pixels, labels{7, 0, 9};
  Small() {
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 20; ++k) pixels.push_back(uint8_t(i * 20 + k));
  }
};

void expect_small(const ArraySet& s) {
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{1, 4, 5}));
  EXPECT_EQ(s.labels, (std::vector<int32_t>{7, 0, 9}));
  EXPECT_EQ(s.groups, (std::vector<int32_t>{-1, -1, -1}));
  EXPECT_TRUE(s.group_names.empty());
  ASSERT_EQ(s.class_names.size(), 10u);
  EXPECT_EQ(s.class_names[3], "3");
  ASSERT_EQ(s.values.size(), 60u);
  for (size_t i = 0; i < 60; ++i) EXPECT_FLOAT_EQ(s.values[i], float(i) / 255.0f) << i;
}

}  // namespace

TEST(IdxReal, MnistTestSplit) {
  SLIMLAB_REQUIRE_DATASET("mnist/t10k-images-idx3-ubyte.gz");
  const fs::path dir = slimlab::test::shared_datasets() / "mnist";
  EXPECT_TRUE(slimlab::data::looks_like_mnist_dir(dir));
  const ArraySet s = load_mnist_dir(dir, "test");
  ASSERT_EQ(s.size(), 10000u);
  EXPECT_EQ(s.modality, slimlab::data::Modality::kVision);
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{1, 28, 28}));
  ASSERT_EQ(s.values.size(), size_t(10000) * 784);
  EXPECT_EQ(s.labels[0], 7);  // the first MNIST test digit is a 7
  EXPECT_EQ(s.labels[1], 2);
  EXPECT_EQ(s.labels[2], 1);
  const auto counts = s.class_counts();
  ASSERT_EQ(counts.size(), 10u);
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), int64_t(0)), 10000);
  EXPECT_EQ(counts[0], 980);  // the published test-set class counts
  EXPECT_EQ(counts[1], 1135);
  EXPECT_EQ(counts[9], 1009);
  const auto [lo, hi] = std::minmax_element(s.values.begin(), s.values.end());
  EXPECT_EQ(*lo, 0.0f);
  EXPECT_EQ(*hi, 1.0f);
  const double mean = std::accumulate(s.values.begin(), s.values.end(), 0.0) / double(s.values.size());
  EXPECT_NEAR(mean, 0.1325, 0.002);  // the well-known MNIST test mean
  for (size_t i = 0; i < s.values.size(); i += 97) {
    const float v = s.values[i] * 255.0f;
    EXPECT_NEAR(v, std::round(v), 1e-3) << "pixel " << i << " is not k/255";
  }
}

TEST(IdxReal, LoadIdxByPathMatchesDir) {
  SLIMLAB_REQUIRE_DATASET("mnist/t10k-labels-idx1-ubyte.gz");
  const fs::path dir = slimlab::test::shared_datasets() / "mnist";
  const ArraySet a = load_idx(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz");
  const ArraySet b = load_mnist_dir(dir, "test", /*fashion=*/true);
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(b.class_names[0], "T-shirt/top");
  EXPECT_EQ(b.class_names[9], "Ankle boot");
}

TEST(Idx, RawAndGzipRoundTrip) {
  TempDir t;
  Small s;
  write_raw(t / "img", idx_images(3, 4, 5, s.pixels));
  write_raw(t / "lab", idx_labels(3, s.labels));
  expect_small(load_idx(t / "img", t / "lab"));
  write_gz(t / "img.gz", idx_images(3, 4, 5, s.pixels));
  write_gz(t / "lab.gz", idx_labels(3, s.labels));
  expect_small(load_idx(t / "img.gz", t / "lab.gz"));
}

TEST(Idx, GzipDetectedByMagicNotByName) {
  TempDir t;
  Small s;
  write_gz(t / "images-plain-name", idx_images(3, 4, 5, s.pixels));
  write_raw(t / "labels.gz", idx_labels(3, s.labels));  // raw despite the .gz
  expect_small(load_idx(t / "images-plain-name", t / "labels.gz"));
}

TEST(Idx, MnistDirFindsDistributedNames) {
  TempDir t;
  Small s;
  write_gz(t / "train-images-idx3-ubyte.gz", idx_images(3, 4, 5, s.pixels));
  write_raw(t / "train-labels-idx1-ubyte", idx_labels(3, s.labels));
  EXPECT_TRUE(slimlab::data::looks_like_mnist_dir(t.path()));
  expect_small(load_mnist_dir(t.path(), "train"));
  expect_data_error([&] { load_mnist_dir(t.path(), "test"); },
               {t.path().string(), "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte"});
  EXPECT_THROW(load_mnist_dir(t.path(), "validation"), std::invalid_argument);
}

TEST(Idx, EmptyDirIsNotMnist) {
  TempDir t;
  EXPECT_FALSE(slimlab::data::looks_like_mnist_dir(t.path()));
  write_raw(t / "train-images-idx3-ubyte", {});
  EXPECT_FALSE(slimlab::data::looks_like_mnist_dir(t.path()));  // labels missing
}

// Fewer pixels than the header promises, raw and gzipped.
TEST(Idx, TruncatedImages) {
  for (const bool gz : {false, true}) {
    TempDir t;
    Small s;
    const long keep = gz ? 41 : 50;
    const std::string ext = gz ? ".gz" : "";
    Bytes cut(s.pixels.begin(), s.pixels.begin() + keep);
    auto write = gz ? write_gz : write_raw;
    write(t / ("img" + ext), idx_images(3, 4, 5, cut));
    write(t / ("lab" + ext), idx_labels(3, s.labels));
    expect_data_error(
        [&] { load_idx(t / ("img" + ext), t / ("lab" + ext)); },
        {(t / ("img" + ext)).string(), gz ? "expected 60" : "expected 60 bytes", "got " + std::to_string(keep)});
  }
}

TEST(Idx, TruncatedGzipStream) {
  // A gzip file cut in the middle of its compressed stream.
  TempDir t;
  Bytes pixels(3 * 20 * 20);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t((i * 7919u) >> 3);
  write_gz(t / "full.gz", idx_images(3, 20, 20, pixels));
  std::ifstream in(t / "full.gz", std::ios::binary);
  Bytes gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gz.resize(gz.size() / 2);
  write_raw(t / "img.gz", gz);
  write_raw(t / "lab", idx_labels(3, {1, 2, 3}));
  expect_data_error([&] { load_idx(t / "img.gz", t / "lab"); }, {(t / "img.gz").string()});
}

TEST(Idx, CorruptGzip) {
  TempDir t;
  Bytes junk = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03};
  for (int i = 0; i < 64; ++i) junk.push_back(uint8_t(0xFF - i));
  write_raw(t / "img.gz", junk);
  write_raw(t / "lab", idx_labels(1, {1}));
  expect_data_error([&] { load_idx(t / "img.gz", t / "lab"); }, {(t / "img.gz").string()});
}

TEST(Idx, TrailingBytes) {
  TempDir t;
  Small s;
  Bytes longer = s.pixels;
  longer.push_back(0);
  write_raw(t / "img", idx_images(3, 4, 5, longer));
  write_raw(t / "lab", idx_labels(3, s.labels));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "img").string(), "expected 60 bytes", "longer"});
}

TEST(Idx, WrongMagic) {
  TempDir t;
  Small s;
  write_raw(t / "lab", idx_labels(3, s.labels));
  write_raw(t / "img", idx_images(3, 4, 5, s.pixels, /*magic=*/0x12345678));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "img").string(), "not an IDX file", "2051"});
  // Files passed the wrong way round.
  write_raw(t / "img", idx_images(3, 4, 5, s.pixels));
  expect_data_error([&] { load_idx(t / "lab", t / "img"); }, {(t / "lab").string(), "label file"});
  // Right layout, wrong element type (0x0D = float).
  write_raw(t / "img", idx_images(3, 4, 5, s.pixels, 0x00000D03));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "img").string(), "element type"});
  // Labels with the image magic.
  write_raw(t / "img", idx_images(3, 4, 5, s.pixels));
  write_raw(t / "lab", idx_labels(3, s.labels, /*magic=*/0x00000802));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "lab").string(), "dimensions"});
}

TEST(Idx, EmptyFile) {
  TempDir t;
  write_raw(t / "img", {});
  write_raw(t / "lab", idx_labels(0, {}));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "img").string(), "header"});
  expect_data_error([&] { load_idx(t / "missing", t / "lab"); }, {(t / "missing").string(), "cannot open"});
}

TEST(Idx, LabelCountMismatch) {
  TempDir t;
  Small s;
  write_raw(t / "img", idx_images(3, 4, 5, s.pixels));
  write_raw(t / "lab", idx_labels(2, {1, 2}));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "lab").string(), "2 labels", "3 images"});
}

TEST(Idx, LabelOutOfRange) {
  TempDir t;
  Small s;
  write_raw(t / "img", idx_images(3, 4, 5, s.pixels));
  write_gz(t / "lab", idx_labels(3, {1, 4, 10}));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "lab").string(), "label 10", "index 2"});
  // With three custom classes, label 4 at index 1 is the first bad one.
  expect_data_error([&] { load_idx(t / "img", t / "lab", {"a", "b", "c"}); }, {(t / "lab").string(), "index 1"});
}

TEST(Idx, AbsurdSizesRejectedWithoutAllocating) {
  TempDir t;
  write_raw(t / "lab", idx_labels(1, {1}));
  write_raw(t / "img", idx_images(1, 100000, 28, {}));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "img").string(), "image size"});
  write_raw(t / "img", idx_images(4000000000u, 28, 28, {}));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "img").string(), "image count"});
  // A plausible header over a tiny file: 50M images of 4096×4096 would be
  // 800 TB; the loader must notice the file is short, not try to allocate it.
  write_raw(t / "img", idx_images(50000000u, 4096, 4096, Bytes(100, 1)));
  write_raw(t / "lab", idx_labels(50000000u, Bytes(10, 1)));
  expect_data_error([&] { load_idx(t / "img", t / "lab"); }, {(t / "img").string(), "truncated", "got 100"});
}
