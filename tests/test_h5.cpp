#include <gtest/gtest.h>

#include <fstream>

#include "datasets/errors.h"
#include "datasets/h5.h"
#include "test_util.h"

using slimlab::h5::File;

TEST(H5, RoundTripsDatasetsAndAttributes) {
  slimlab::test::TempDir dir;
  const auto path = dir / "x.h5";
  {
    File f = File::create(path);
    std::vector<float> big(10000);
    for (size_t i = 0; i < big.size(); ++i) big[i] = float(i) * 0.5f;
    f.write("a/b/floats", big, {100, 100});
    f.write("ints", std::vector<int32_t>{1, -2, 3}, {3});
    f.write_strings("names", {"walk", "run", ""});
    f.set_attr("/", "source", std::string("synthetic:har"));
    f.set_attr("/", "rate", 50.0);
    f.set_attr("a/b/floats", "count", int64_t(7));
    EXPECT_FALSE(std::filesystem::exists(path)) << "visible before commit";
    f.commit();
  }
  File f = File::open_read(path);
  std::vector<int64_t> shape;
  const auto big = f.read_floats("a/b/floats", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{100, 100}));
  EXPECT_FLOAT_EQ(big[9999], 4999.5f);
  EXPECT_EQ(f.read_ints("ints"), (std::vector<int32_t>{1, -2, 3}));
  EXPECT_EQ(f.read_strings("names"), (std::vector<std::string>{"walk", "run", ""}));
  EXPECT_EQ(f.attr_string("/", "source").value(), "synthetic:har");
  EXPECT_DOUBLE_EQ(f.attr_double("/", "rate").value(), 50.0);
  EXPECT_DOUBLE_EQ(f.attr_double("a/b/floats", "count").value(), 7.0);
  EXPECT_FALSE(f.attr_string("/", "missing").has_value());
  EXPECT_TRUE(f.exists("a/b"));
  EXPECT_FALSE(f.exists("a/c/d"));
}

TEST(H5, UncommittedFileLeavesNothing) {
  slimlab::test::TempDir dir;
  const auto path = dir / "half.h5";
  {
    File f = File::create(path);
    f.write("x", std::vector<float>{1, 2}, {2});
    // destroyed without commit(), as when an exception unwinds
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) (void)e, ++files;
  EXPECT_EQ(files, 0u);
}

TEST(H5, BadFilesGiveErrorsNamingThem) {
  slimlab::test::TempDir dir;
  slimlab::test::write_text(dir / "not.h5", "definitely not HDF5");
  try {
    File::open_read(dir / "not.h5");
    FAIL();
  } catch (const slimlab::data::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("not.h5"), std::string::npos);
  }
  // A truncated real file.
  {
    File f = File::create(dir / "t.h5");
    f.write("x", std::vector<float>(100000, 1.0f), {100000});
    f.commit();
  }
  std::filesystem::resize_file(dir / "t.h5", 3000);
  EXPECT_THROW(
      {
        File g = File::open_read(dir / "t.h5");
        g.read_floats("x");
      },
      slimlab::data::DataError);
}
