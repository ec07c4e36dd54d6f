// Every HDF5 file SlimLab writes (results.h5, model.h5, caches) is checksummed by
// HDF5 itself: metadata by the 1.10 format, every dataset by the Fletcher-32
// filter. A damaged byte is an error naming the dataset, or harmless — never a
// value that silently differs.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>

#include "datasets/errors.h"
#include "datasets/h5.h"
#include "test_util.h"

namespace fs = std::filesystem;
using slimlab::h5::File;
using slimlab::test::TempDir;

namespace {

struct Content {
  std::vector<float> weights, big;
  std::vector<int32_t> labels;
  std::vector<std::string> names;
  std::string config;
  double accuracy = 0;
  bool operator==(const Content& o) const {
    return weights == o.weights && big == o.big && labels == o.labels && names == o.names && config == o.config &&
           accuracy == o.accuracy;
  }
};

Content sample() {
  Content c;
  for (int i = 0; i < 300; ++i) c.weights.push_back(1234.5f + float(i));
  for (int i = 0; i < 5000; ++i) c.big.push_back(float(i % 97) * 0.25f);
  c.labels = {3, 1, 4, 1, 5, 9, 2, 6};
  c.names = {"conv1", "conv2", "a much longer layer name", ""};
  c.config = "[train]\nepochs = 3\n";
  c.accuracy = 0.9375;
  return c;
}

void write(const fs::path& p, const Content& c) {
  File f = File::create(p);
  f.write("model/weights", c.weights, {20, 15});
  f.write("model/big", c.big, {50, 100});
  f.write("labels", c.labels, {int64_t(c.labels.size())});
  f.write_strings("model/names", c.names);
  f.set_attr("/", "config", c.config);
  f.set_attr("/model", "accuracy", c.accuracy);
  f.commit();
}

Content read(const fs::path& p) {
  File f = File::open_read(p);
  Content c;
  c.weights = f.read_floats("model/weights");
  c.big = f.read_floats("model/big");
  c.labels = f.read_ints("labels");
  c.names = f.read_strings("model/names");
  c.config = f.attr_string("/", "config").value_or("?");
  c.accuracy = f.attr_double("/model", "accuracy").value_or(-1);
  return c;
}

std::vector<char> bytes_of(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void put(const fs::path& p, const std::vector<char>& b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(b.data(), std::streamsize(b.size()));
}

}  // namespace

TEST(H5Integrity, RoundTripIncludingStrings) {
  TempDir t;
  write(t / "m.h5", sample());
  EXPECT_TRUE(read(t / "m.h5") == sample());
}

TEST(H5Integrity, AFlippedWeightByteNamesTheDataset) {
  TempDir t;
  write(t / "m.h5", sample());
  std::vector<char> b = bytes_of(t / "m.h5");
  const float needle = 1234.5f + 100.0f;
  const char* n = reinterpret_cast<const char*>(&needle);
  auto it = std::search(b.begin(), b.end(), n, n + sizeof needle);
  ASSERT_NE(it, b.end());
  *it ^= 0x01;  // the weight becomes a slightly different float
  put(t / "m.h5", b);
  const std::string e = slimlab::test::error_of([&] { read(t / "m.h5"); });
  EXPECT_NE(e.find("model/weights"), std::string::npos) << e;
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;
}

TEST(H5Integrity, NoMutationIsReadAsDifferentContent) {
  TempDir t;
  const Content want = sample();
  write(t / "m.h5", want);
  const std::vector<char> orig = bytes_of(t / "m.h5");
  std::mt19937 rng(7);
  int rejected = 0, same = 0, different = 0;
  for (int k = 0; k < 600; ++k) {
    std::vector<char> b = orig;
    const size_t at = rng() % b.size();
    b[at] = char(b[at] ^ (1 << (rng() % 8)));
    put(t / "x.h5", b);
    try {
      if (read(t / "x.h5") == want) ++same;
      else {
        ++different;
        ADD_FAILURE() << "a bit flip at byte " << at << " of " << b.size() << " was read as different content";
      }
    } catch (const std::exception&) {
      ++rejected;
    }
  }
  EXPECT_EQ(different, 0);
  EXPECT_GT(rejected, 300) << "same " << same;  // most bytes of a small file matter
  std::printf("600 single-bit flips: %d rejected, %d harmless (read back equal), %d different\n", rejected, same,
              different);
}
