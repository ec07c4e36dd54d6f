// LibTorch archives do not check their zip CRCs on load: a flipped weight byte loads
// silently. Every SlimLab checkpoint is sealed (CRC-32C, datasets/sealed_file.h), so a
// damaged one is an error naming the file, and one written before seals still loads.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <iterator>

#include "datasets/sealed_file.h"
#include "test_util.h"
#include "train/checkpoint.h"

namespace fs = std::filesystem;
using slimlab::test::TempDir;

namespace {
std::string bytes_of(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST(CheckpointSeal, AFlippedWeightByteIsAnErrorNotADifferentModel) {
  TempDir t;
  torch::serialize::OutputArchive out;
  out.write("w", torch::full({64, 64}, 1234.5f));
  slimlab::train::save_archive(out, t / "c.pt");
  std::string b = bytes_of(t / "c.pt");
  const float needle = 1234.5f;
  const auto at = b.find(std::string(reinterpret_cast<const char*>(&needle), 4), 200);
  ASSERT_NE(at, std::string::npos);
  b[at] ^= 0x01;
  std::ofstream(t / "bad.pt", std::ios::binary) << b;
  try {
    torch::serialize::InputArchive in;
    slimlab::train::load_archive(in, t / "bad.pt");
    FAIL() << "a damaged checkpoint loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.pt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
  }
  // The good one loads back exactly.
  torch::serialize::InputArchive in;
  slimlab::train::load_archive(in, t / "c.pt");
  torch::Tensor w;
  in.read("w", w);
  EXPECT_TRUE(torch::equal(w, torch::full({64, 64}, 1234.5f)));
  // A checkpoint written before seals (a plain LibTorch archive) still loads.
  torch::serialize::OutputArchive old;
  old.write("w", torch::ones({3}));
  old.save_to((t / "old.pt").string());
  torch::serialize::InputArchive in2;
  slimlab::train::load_archive(in2, t / "old.pt");
  in2.read("w", w);
  EXPECT_TRUE(torch::equal(w, torch::ones({3})));
}
