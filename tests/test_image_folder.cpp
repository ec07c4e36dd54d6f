#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <numeric>

#include "datasets/errors.h"
#include "datasets/image_folder.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace slimlab::data;
using namespace slimlab::test;

namespace {

using Bytes = std::vector<uint8_t>;

// Interleaved 8-bit pixels, `comp` per pixel, value depending on seed, x, y, channel.
Bytes pattern(int w, int h, int comp, int seed) {
  Bytes b;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < comp; ++c) b.push_back(uint8_t((seed * 40 + x * 17 + y * 29 + c * 70) & 0xFF));
  return b;
}

void png(const fs::path& p, int w, int h, int comp, const Bytes& px) {
  fs::create_directories(p.parent_path());
  ASSERT_TRUE(stbi_write_png(p.string().c_str(), w, h, comp, px.data(), w * comp)) << p;
}

void jpg(const fs::path& p, int w, int h, int comp, const Bytes& px) {
  fs::create_directories(p.parent_path());
  ASSERT_TRUE(stbi_write_jpg(p.string().c_str(), w, h, comp, px.data(), 95)) << p;
}

Bytes read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST(ImageFolder, GreyPngClassesSortedAndValuesExact) {
  TempDir t;
  png(t / "zebra/b.png", 5, 4, 1, pattern(5, 4, 1, 3));
  png(t / "zebra/a.PNG", 5, 4, 1, pattern(5, 4, 1, 2));
  png(t / "apple/deep/nested/x.png", 5, 4, 1, pattern(5, 4, 1, 1));
  slimlab::test::write_text(t / "apple/notes.txt", "not an image");
  slimlab::test::write_text(t / "apple/thumb.gif", "GIF89a");
  png(t / ".cache/ignored.png", 5, 4, 1, pattern(5, 4, 1, 9));
  slimlab::test::write_text(t / "README.md", "top-level files are ignored");
  EXPECT_TRUE(slimlab::data::looks_like_image_folder(t.path()));

  const ArraySet s = load_image_folder(t.path());
  EXPECT_EQ(s.modality, slimlab::data::Modality::kVision);
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"apple", "zebra"}));
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{1, 4, 5}));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.labels, (std::vector<int32_t>{0, 1, 1}));
  EXPECT_EQ(s.groups, (std::vector<int32_t>{-1, -1, -1}));
  const int seeds[3] = {1, 2, 3};  // apple/x, zebra/a.PNG, zebra/b.png
  for (size_t i = 0; i < 3; ++i) {
    const Bytes want = pattern(5, 4, 1, seeds[i]);
    for (size_t k = 0; k < 20; ++k) ASSERT_FLOAT_EQ(s.sample(i)[k], float(want[k]) / 255.0f) << i << "," << k;
  }
}

TEST(ImageFolder, RgbPngIsPlanar) {
  TempDir t;
  const Bytes px = pattern(6, 3, 3, 5);
  png(t / "only/img.png", 6, 3, 3, px);
  const ArraySet s = load_image_folder(t.path());
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{3, 3, 6}));
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 6; ++x)
        ASSERT_FLOAT_EQ(s.sample(0)[(c * 3 + y) * 6 + x], float(px[size_t((y * 6 + x) * 3 + c)]) / 255.0f);
}

TEST(ImageFolder, ChannelConversion) {
  TempDir t;
  const Bytes rgb = pattern(4, 4, 3, 7), grey = pattern(4, 4, 1, 8);
  png(t / "a/rgb.png", 4, 4, 3, rgb);
  png(t / "b/grey.png", 4, 4, 1, grey);

  ImageFolderOptions to_grey;
  to_grey.channels = 1;
  const ArraySet g = load_image_folder(t.path(), to_grey);
  EXPECT_EQ(g.sample_shape, (std::vector<int64_t>{1, 4, 4}));
  for (size_t i = 0; i < 16; ++i) {
    const float want = (0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2]) / 255.0f;
    EXPECT_NEAR(g.sample(0)[i], want, 1e-6) << i;
    EXPECT_FLOAT_EQ(g.sample(1)[i], grey[i] / 255.0f) << i;
  }

  ImageFolderOptions to_rgb;
  to_rgb.channels = 3;
  const ArraySet c = load_image_folder(t.path(), to_rgb);
  EXPECT_EQ(c.sample_shape, (std::vector<int64_t>{3, 4, 4}));
  for (int ch = 0; ch < 3; ++ch)
    for (size_t i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(c.sample(1)[size_t(ch) * 16 + i], grey[i] / 255.0f);

  // channels = 0 follows the first image (a/rgb.png): the grey one is replicated.
  const ArraySet first = load_image_folder(t.path());
  EXPECT_EQ(first.sample_shape, (std::vector<int64_t>{3, 4, 4}));
  EXPECT_EQ(first.values, c.values);
}

TEST(ImageFolder, JpegGreyAndRgb) {
  TempDir t;
  png(t / "png/flat.png", 16, 16, 3, Bytes(16 * 16 * 3, 0));  // first: fixes 3 channels
  Bytes flat;
  for (int i = 0; i < 16 * 16; ++i) flat.insert(flat.end(), {200, 60, 120});
  jpg(t / "rgb/flat.jpg", 16, 16, 3, flat);
  jpg(t / "grey/flat.JPEG", 16, 16, 1, Bytes(16 * 16, 90));
  const ArraySet s = load_image_folder(t.path());
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"grey", "png", "rgb"}));
  ASSERT_EQ(s.size(), 3u);
  // JPEG is lossy, but a flat colour at quality 95 comes back within a few levels.
  for (size_t k = 0; k < 3 * 256; ++k) EXPECT_NEAR(s.sample(0)[k] * 255.0f, 90.0f, 3.0f) << k;
  const float want[3] = {200, 60, 120};
  for (int c = 0; c < 3; ++c)
    for (size_t k = 0; k < 256; ++k) EXPECT_NEAR(s.sample(2)[size_t(c) * 256 + k] * 255.0f, want[c], 4.0f);
}

TEST(ImageFolder, ResizeBilinear) {
  TempDir t;
  // 8×8 grey, value depends on x only; and a 3×5 constant image of another size.
  Bytes ramp;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) ramp.push_back(uint8_t(x * 30));
  png(t / "a/ramp.png", 8, 8, 1, ramp);
  png(t / "b/flat.png", 3, 5, 1, Bytes(15, 77));

  // Without a size the second image is a mismatch naming both files.
  expect_data_error([&] { load_image_folder(t.path()); },
               {(t / "b/flat.png").string(), (t / "a/ramp.png").string(), "3×5", "8×8"});

  ImageFolderOptions half;
  half.size = 4;
  const ArraySet s = load_image_folder(t.path(), half);
  EXPECT_EQ(s.sample_shape, (std::vector<int64_t>{1, 4, 4}));
  // 8 → 4 with aligned centres samples source x = 2x + 0.5: the mean of columns 2x, 2x+1.
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) EXPECT_NEAR(s.sample(0)[y * 4 + x] * 255.0f, 30.0f * (2 * x + 0.5f), 1e-3);
  for (int k = 0; k < 16; ++k) EXPECT_NEAR(s.sample(1)[k] * 255.0f, 77.0f, 1e-3);  // constant stays constant

  ImageFolderOptions up;
  up.size = 16;
  const ArraySet u = load_image_folder(t.path(), up);
  // 8 → 16 samples source x = (x + 0.5)/2 − 0.5, clamped to the edges.
  for (int x = 0; x < 16; ++x) {
    const float sx = std::clamp((x + 0.5f) / 2.0f - 0.5f, 0.0f, 7.0f);
    EXPECT_NEAR(u.sample(0)[5 * 16 + x] * 255.0f, 30.0f * sx, 1e-3) << x;
  }
}

TEST(ImageFolder, EmptyClassFolder) {
  TempDir t;
  png(t / "cat/a.png", 2, 2, 1, Bytes(4, 1));
  slimlab::test::write_text(t / "dog/readme.txt", "no images here");
  expect_data_error([&] { load_image_folder(t.path()); }, {(t / "dog").string(), "no .png"});
  fs::create_directories(t / "emu");
  fs::remove_all(t / "dog");
  expect_data_error([&] { load_image_folder(t.path()); }, {(t / "emu").string()});
}

TEST(ImageFolder, NoClassFolders) {
  TempDir t;
  png(t / "loose.png", 2, 2, 1, Bytes(4, 1));
  EXPECT_FALSE(slimlab::data::looks_like_image_folder(t.path()));
  expect_data_error([&] { load_image_folder(t.path()); }, {t.path().string(), "no class folders"});
  expect_data_error([&] { load_image_folder(t / "absent"); }, {(t / "absent").string(), "not a folder"});
}

TEST(ImageFolder, CorruptImages) {
  TempDir t;
  png(t / "a/good.png", 4, 4, 1, Bytes(16, 9));
  slimlab::test::write_text(t / "b/garbage.png", "this is not a PNG file at all");
  expect_data_error([&] { load_image_folder(t.path()); }, {(t / "b/garbage.png").string(), "cannot decode"});

  // A valid PNG cut in half.
  const Bytes good = read_bytes(t / "a/good.png");
  fs::remove(t / "b/garbage.png");
  png(t / "b/big.png", 64, 64, 3, pattern(64, 64, 3, 1));
  Bytes cut = read_bytes(t / "b/big.png");
  cut.resize(cut.size() / 2);
  write_bytes(t / "b/big.png", cut);
  expect_data_error([&] { load_image_folder(t.path()); }, {(t / "b/big.png").string(), "cannot decode"});

  // A PNG header claiming 100000 × 4 pixels is refused before decoding.
  Bytes forged = good;
  forged[16] = 0x00, forged[17] = 0x01, forged[18] = 0x86, forged[19] = 0xA0;  // IHDR width
  write_bytes(t / "b/big.png", forged);
  expect_data_error([&] { load_image_folder(t.path()); }, {(t / "b/big.png").string(), "100000"});

  write_bytes(t / "b/big.png", {});
  expect_data_error([&] { load_image_folder(t.path()); }, {(t / "b/big.png").string(), "empty"});
}

TEST(ImageFolder, BadOptions) {
  TempDir t;
  png(t / "a/x.png", 2, 2, 1, Bytes(4, 1));
  ImageFolderOptions o;
  o.channels = 2;
  EXPECT_THROW(load_image_folder(t.path(), o), std::invalid_argument);
  o.channels = 0;
  o.size = -1;
  EXPECT_THROW(load_image_folder(t.path(), o), std::invalid_argument);
}
