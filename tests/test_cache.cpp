#include <gtest/gtest.h>

#include "datasets/cache.h"
#include "datasets/errors.h"
#include "datasets/h5.h"
#include "datasets/wav.h"
#include "expect_error.h"
#include "test_util.h"

using namespace slimlab::data;
namespace fs = std::filesystem;

namespace {
DatasetConfig small_har() {
  DatasetConfig c;
  c.source = "synthetic:har";
  c.synthetic_scale = 0.25;
  return c;
}

// A tiny FSDD-style folder: 2 digits × 2 speakers × 2 takes of tones.
void write_wav_folder(const fs::path& dir) {
  fs::create_directories(dir);
  for (int digit = 0; digit < 2; ++digit)
    for (const char* spk : {"ann", "bob"})
      for (int k = 0; k < 2; ++k) {
        std::vector<float> x(4000);
        for (size_t i = 0; i < x.size(); ++i) x[i] = 0.3f * float(std::sin(0.05 * (digit + 1) * double(i) + k));
        write_wav_pcm16(dir / (std::to_string(digit) + "_" + spk + "_" + std::to_string(k) + ".wav"), x, 1, 8000);
      }
}

// A config reading the WAV folder `dir`, split stratified.
DatasetConfig wav_config(const fs::path& dir) {
  DatasetConfig c;
  c.source = "wav:" + dir.string();
  c.split = "stratified";
  return c;
}
}  // namespace

TEST(Cache, RoundTripIsExact) {
  slimlab::test::TempDir dir;
  const auto d = prepare(small_har());
  write_cache(d, dir / "c.h5");
  const auto r = read_cache(dir / "c.h5");
  EXPECT_TRUE(r.from_cache);
  EXPECT_EQ(r.train.values, d.train.values);
  EXPECT_EQ(r.test.labels, d.test.labels);
  EXPECT_EQ(r.val.groups, d.val.groups);
  EXPECT_EQ(r.train.sample_shape, d.train.sample_shape);
  EXPECT_EQ(r.source.class_names, d.source.class_names);
  EXPECT_EQ(r.train.group_names, d.train.group_names);
  EXPECT_EQ(r.normalization.mean, d.normalization.mean);
  EXPECT_EQ(r.parameters, d.parameters);
  EXPECT_EQ(r.source.items, d.source.items);
  EXPECT_EQ(r.split_method, d.split_method);
  // Every parameter is also an attribute a person can read with h5dump.
  const auto f = slimlab::h5::File::open_read(dir / "c.h5");
  EXPECT_EQ(f.attr_string("/", "param.window_seconds").value(), "2");
  EXPECT_EQ(f.attr_string("/", "source").value(), "synthetic:har");
}

TEST(Cache, ReusedWhenEverythingMatchesRebuiltOtherwise) {
  slimlab::test::TempDir dir;
  std::string why;
  auto c = small_har();
  load_or_build(c, dir / "c.h5", &why);
  EXPECT_NE(why.find("built"), std::string::npos) << why;
  const auto again = load_or_build(c, dir / "c.h5", &why);
  EXPECT_TRUE(again.from_cache);
  EXPECT_NE(why.find("reused"), std::string::npos) << why;
  c.window.window_seconds = 3.0;
  const auto changed = load_or_build(c, dir / "c.h5", &why);
  EXPECT_FALSE(changed.from_cache);
  EXPECT_NE(why.find("window_seconds"), std::string::npos) << why;
  EXPECT_EQ(changed.train.sample_shape[1], 150);
}

TEST(Cache, RebuiltWhenSourceFilesChange) {
  slimlab::test::TempDir dir;
  write_wav_folder(dir / "wav");
  const DatasetConfig c = wav_config(dir / "wav");
  std::string why;
  load_or_build(c, dir / "c.h5", &why);
  load_or_build(c, dir / "c.h5", &why);
  EXPECT_NE(why.find("reused"), std::string::npos) << why;
  std::vector<float> x(4000, 0.1f);
  write_wav_pcm16(dir / "wav" / "1_bob_2.wav", x, 1, 8000);
  const auto d = load_or_build(c, dir / "c.h5", &why);
  EXPECT_NE(why.find("source files changed"), std::string::npos) << why;
  EXPECT_EQ(d.source.items, 9u);
}

TEST(Cache, BadInputLeavesNoCacheAndKeepsTheOldOne) {
  slimlab::test::TempDir dir;
  write_wav_folder(dir / "wav");
  const DatasetConfig c = wav_config(dir / "wav");
  // 1. A truncated WAV: error names the file, no cache appears.
  slimlab::test::write_text(dir / "wav" / "1_bob_9.wav", "RIFF\x10\0\0\0WAVEfmt ");
  try {
    load_or_build(c, dir / "c.h5");
    FAIL() << "expected an error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("1_bob_9.wav"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "c.h5"));
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  // 2. With a good cache in place, a failed rebuild leaves it untouched.
  fs::remove(dir / "wav" / "1_bob_9.wav");
  load_or_build(c, dir / "c.h5");
  const auto before = fs::file_size(dir / "c.h5");
  slimlab::test::write_text(dir / "wav" / "1_bob_9.wav", "RIFF\x10\0\0\0WAVEfmt ");
  EXPECT_THROW(load_or_build(c, dir / "c.h5"), DataError);
  ASSERT_TRUE(fs::exists(dir / "c.h5"));
  EXPECT_EQ(fs::file_size(dir / "c.h5"), before);
  EXPECT_NO_THROW(read_cache(dir / "c.h5"));
}

TEST(Cache, HostileCacheIsRejected) {
  slimlab::test::TempDir dir;
  auto d = prepare(small_har());
  d.test.labels[0] = 99;  // a label outside the class list
  write_cache(d, dir / "bad.h5");
  slimlab::test::expect_error<DataError>([&] { read_cache(dir / "bad.h5"); }, {"bad.h5", "label 99"});
  // Any other HDF5 file is not a cache.
  {
    auto f = slimlab::h5::File::create(dir / "other.h5");
    f.write("x", std::vector<float>{1}, {1});
    f.commit();
  }
  EXPECT_THROW(read_cache(dir / "other.h5"), DataError);
}
