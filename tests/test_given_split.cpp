// Datasets that ship their split use it by default (split = "auto" → "given"):
// image folders with train/ val/ test/, MNIST train + t10k files, CIFAR-10's
// data_batch_* + test_batch, UCI HAR train/ + test/, Speech Commands' lists.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "datasets/audio_folder.h"
#include "datasets/cifar.h"
#include "datasets/errors.h"
#include "datasets/idx.h"
#include "datasets/image_folder.h"
#include "datasets/pipeline.h"
#include "datasets/split.h"
#include "datasets/wav.h"
#include "expect_error.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace slimlab::data;
using slimlab::test::TempDir;

namespace {

using Bytes = std::vector<uint8_t>;

// A w × h grey PNG whose every pixel is `value`.
void png(const fs::path& p, int value, int w = 4, int h = 4) {
  fs::create_directories(p.parent_path());
  const Bytes px(size_t(w * h), uint8_t(value));
  ASSERT_TRUE(stbi_write_png(p.string().c_str(), w, h, 1, px.data(), w)) << p;
}

void write_raw(const fs::path& p, const Bytes& b) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

void put_be32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

// n 2×2 MNIST-format images with pixel value `pixel`, labels 0, 1, 0, 1, …
void write_mnist(const fs::path& dir, const std::string& prefix, uint32_t n, uint8_t pixel) {
  Bytes img, lab;
  put_be32(img, 2051);
  put_be32(img, n);
  put_be32(img, 2);
  put_be32(img, 2);
  put_be32(lab, 2049);
  put_be32(lab, n);
  for (uint32_t i = 0; i < n; ++i) {
    for (int k = 0; k < 4; ++k) img.push_back(pixel);
    lab.push_back(uint8_t(i % 2));
  }
  write_raw(dir / (prefix + "-images-idx3-ubyte"), img);
  write_raw(dir / (prefix + "-labels-idx1-ubyte"), lab);
}

// An image folder whose train images are dark (10) and test images bright (200),
// so a test sample's pixel says which split it came from.
void split_image_folder(const fs::path& root, bool with_val) {
  for (const char* cls : {"cat", "dog"}) {
    for (int k = 0; k < 10; ++k) png(root / "train" / cls / (std::to_string(k) + ".png"), 10);
    for (int k = 0; k < 4; ++k) png(root / "test" / cls / (std::to_string(k) + ".png"), 200);
    if (with_val)
      for (int k = 0; k < 3; ++k) png(root / "val" / cls / (std::to_string(k) + ".png"), 100);
  }
}

// Pixel values of one prepared split, without normalisation.
std::set<int> pixel_values(const ArraySet& a) {
  std::set<int> v;
  for (size_t i = 0; i < a.size(); ++i) v.insert(int(std::lround(a.sample(i)[0] * 255)));
  return v;
}

// The message of whatever std::exception f throws.
template <class F>
std::string error_of(F&& f) {
  return slimlab::test::message_of<std::exception>(std::forward<F>(f), "(no error)");
}

DatasetConfig raw_config(const fs::path& source) {
  DatasetConfig c;
  c.source = source.string();
  c.normalize = false;
  return c;
}

}  // namespace

TEST(GivenSplit, ImageFolderTrainTestIsTheSplitNotTwoClasses) {
  TempDir t;
  split_image_folder(t.path(), false);
  const ArraySet a = load_image_folder(t.path());
  EXPECT_EQ(a.class_names, (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(a.given_splits.size(), a.size());
  EXPECT_EQ(std::count(a.given_splits.begin(), a.given_splits.end(), GivenSplit::kTest), 8);

  const PreparedData d = prepare(raw_config(t.path()));
  EXPECT_EQ(d.split_method, "given");
  EXPECT_EQ(d.train.class_names.size(), 2u);
  EXPECT_EQ(d.test.size(), 8u);
  EXPECT_EQ(pixel_values(d.test), std::set<int>{200});
  EXPECT_EQ(pixel_values(d.train), std::set<int>{10});
  EXPECT_EQ(pixel_values(d.val), std::set<int>{10});  // val drawn from the training images
  EXPECT_EQ(d.train.size() + d.val.size(), 20u);
  EXPECT_GT(d.val.size(), 0u);
  for (const auto& [k, v] : d.parameters) EXPECT_NE(k, "split_test_fraction") << "does not apply to a given split";
}

TEST(GivenSplit, ImageFolderWithValUsesIt) {
  TempDir t;
  split_image_folder(t.path(), true);
  const PreparedData d = prepare(raw_config(t.path()));
  EXPECT_EQ(pixel_values(d.val), std::set<int>{100});
  EXPECT_EQ(d.val.size(), 6u);
  EXPECT_EQ(d.train.size(), 20u);
  EXPECT_EQ(d.test.size(), 8u);
}

TEST(GivenSplit, ExplicitMethodReSplitsEverything) {
  TempDir t;
  split_image_folder(t.path(), false);
  DatasetConfig c = raw_config(t.path());
  c.split = "stratified";
  const PreparedData d = prepare(c);
  EXPECT_EQ(d.split_method, "stratified");
  EXPECT_EQ(d.train.size() + d.val.size() + d.test.size(), 28u);
  EXPECT_EQ(pixel_values(d.train), (std::set<int>{10, 200}));
}

TEST(GivenSplit, SplitNamedClassFoldersAreAnErrorThatSaysWhatToDo) {
  TempDir t;
  png(t / "train/a.png", 10);
  png(t / "test/b.png", 200);
  const std::string e = error_of([&] { load_image_folder(t.path()); });
  EXPECT_NE(e.find("'test', 'train'"), std::string::npos) << e;
  EXPECT_NE(e.find("/train/<class>/"), std::string::npos) << e;

  TempDir u;
  split_image_folder(u.path(), false);
  png(u / "extra/cls/c.png", 10);
  const std::string e2 = error_of([&] { load_image_folder(u.path()); });
  EXPECT_NE(e2.find("other folders ('extra')"), std::string::npos) << e2;
}

TEST(GivenSplit, SubsetThatDoesNotApplyIsAnError) {
  TempDir t;
  split_image_folder(t.path(), false);
  DatasetConfig c = raw_config(t.path());
  c.subset = "train";
  const std::string e = error_of([&] { prepare(c); });
  EXPECT_NE(e.find("subset = \"train\" does not apply to images source"), std::string::npos) << e;

  DatasetConfig h;
  h.source = "synthetic:har";
  h.subset = "test";
  EXPECT_NE(error_of([&] { prepare(h); }).find("does not apply to synthetic-har"), std::string::npos);
}

TEST(GivenSplit, GivenOnASourceWithoutOneIsAnError) {
  DatasetConfig c;
  c.source = "synthetic:vision";
  c.synthetic_scale = 0.05;
  c.split = "given";
  const std::string e = error_of([&] { prepare(c); });
  EXPECT_NE(e.find("ships no split"), std::string::npos) << e;
}

TEST(GivenSplit, MnistTrainAndT10kFiles) {
  TempDir t;
  write_mnist(t.path(), "train", 40, 10);
  write_mnist(t.path(), "t10k", 12, 200);
  const PreparedData d = prepare(raw_config(t.path()));
  EXPECT_EQ(d.split_method, "given");
  EXPECT_EQ(d.test.size(), 12u);
  EXPECT_EQ(pixel_values(d.test), std::set<int>{200});
  EXPECT_EQ(d.train.size() + d.val.size(), 40u);

  // Only the test file (as in ../shared/datasets/mnist): no given split, re-split as before.
  TempDir u;
  write_mnist(u.path(), "t10k", 30, 200);
  const PreparedData e = prepare(raw_config(u.path()));
  EXPECT_EQ(e.split_method, "stratified");
  EXPECT_EQ(e.train.size() + e.val.size() + e.test.size(), 30u);

  // An explicit subset reads that file only and re-splits it.
  DatasetConfig c = raw_config(t.path());
  c.subset = "train";
  const PreparedData f = prepare(c);
  EXPECT_EQ(f.split_method, "stratified");
  EXPECT_EQ(pixel_values(f.test), std::set<int>{10});
}

TEST(GivenSplit, Cifar10BatchesAreTheSplit) {
  TempDir t;
  auto batch = [&](const std::string& name, int n, uint8_t pixel) {
    Bytes b;
    for (int i = 0; i < n; ++i) {
      b.push_back(uint8_t(i % 10));
      b.insert(b.end(), 3072, pixel);
    }
    write_raw(t / name, b);
  };
  for (int i = 1; i <= 5; ++i) batch("data_batch_" + std::to_string(i) + ".bin", 4, 10);
  batch("test_batch.bin", 6, 200);
  const PreparedData d = prepare(raw_config(t.path()));
  EXPECT_EQ(d.split_method, "given");
  EXPECT_EQ(d.test.size(), 6u);
  EXPECT_EQ(pixel_values(d.test), std::set<int>{200});
  EXPECT_EQ(d.train.size() + d.val.size(), 20u);
}

TEST(GivenSplit, SpeechCommandsLists) {
  TempDir t;
  const std::vector<float> tone(800, 0.1f);
  for (const char* label : {"no", "yes"})
    for (const char* spk : {"aa", "bb", "cc", "dd"}) {
      fs::create_directories(t / label);
      write_wav_pcm16(t / label / (std::string(spk) + "_nohash_0.wav"), tone, 1, 8000);
    }
  slimlab::test::write_text(t / "validation_list.txt", "no/bb_nohash_0.wav\nyes/bb_nohash_0.wav\n");
  slimlab::test::write_text(t / "testing_list.txt", "no/cc_nohash_0.wav\r\nyes/cc_nohash_0.wav\r\n");
  const RecordingSet set = load_audio_folder(t.path());
  int val = 0, test = 0, train = 0;
  for (const Recording& r : set.recordings) {
    val += r.given_split == GivenSplit::kVal;
    test += r.given_split == GivenSplit::kTest;
    train += r.given_split == GivenSplit::kTrain;
    if (r.given_split == GivenSplit::kTest) EXPECT_EQ(r.group, "cc");
  }
  EXPECT_EQ(val, 2);
  EXPECT_EQ(test, 2);
  EXPECT_EQ(train, 4);
}

TEST(GivenSplit, MakeGivenSplitDrawsValByGroupFromTrain) {
  const std::vector<int32_t> labels = {0, 1, 0, 1, 0, 1, 0, 1};
  const std::vector<std::string> groups = {"a", "a", "b", "b", "c", "c", "t", "t"};
  const std::vector<GivenSplit> tags = {GivenSplit::kTrain, GivenSplit::kTrain, GivenSplit::kTrain,
                                        GivenSplit::kTrain, GivenSplit::kTrain, GivenSplit::kTrain,
                                        GivenSplit::kTest,  GivenSplit::kTest};
  SplitOptions o;
  o.method = SplitMethod::kByGroup;
  o.val_fraction = 0.34;
  const SplitIndices s = make_given_split(labels, groups, tags, o);
  EXPECT_EQ(s.test, (std::vector<size_t>{6, 7}));
  ASSERT_EQ(s.val.size(), 2u);
  EXPECT_EQ(groups[s.val[0]], groups[s.val[1]]);  // one whole subject
  EXPECT_EQ(s.train.size(), 4u);

  const std::vector<GivenSplit> no_test(8, GivenSplit::kTrain);
  EXPECT_THROW(make_given_split(labels, groups, no_test, o), std::invalid_argument);
}
