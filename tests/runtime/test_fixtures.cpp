// .slim files written by earlier versions of slimrt still load and compute what they
// computed then: tests/runtime/fixtures/<name>.slim with <name>.expected (the output for
// the input x[i] = float(sin(0.31 i) · 1.7), from the reference kernels of the code that
// wrote the file; make_v1_fixtures.cpp records how). Fixed point bit-exact, float
// within 1e-5 relative, with the reference kernels and with the fastest ones.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "slim_test_models.h"
#include "slimrt/runtime.h"

namespace slimrt {
namespace {

const std::string kDir = test::fixtures_dir();

std::vector<float> expected_output(const std::string& name) {
  std::ifstream f(kDir + name + ".expected");
  std::vector<float> v;
  std::string line;
  while (std::getline(f, line))
    if (!line.empty() && line[0] != '#') v.push_back(std::stof(line));
  return v;
}

void check_fixture(const std::string& name, bool exact) {
  SCOPED_TRACE(name);
  auto model = Model::from_file(kDir + name + ".slim");
  const auto want = expected_output(name);
  ASSERT_FALSE(want.empty());
  const TensorDesc& in = model->tensors()[size_t(model->inputs()[0])];
  std::vector<float> x(size_t(in.numel));
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(0.31 * double(i)) * 1.7);
  for (const char* isa : {"ref", ""}) {
    SCOPED_TRACE(std::string("isa '") + isa + "'");
    InterpreterOptions o;
    o.isa = isa;
    Interpreter interp(model, o);
    interp.set_input(0, x.data(), x.size());
    interp.invoke();
    ASSERT_EQ(size_t(interp.output(0).numel), want.size());
    std::vector<float> y(want.size());
    interp.get_output(0, y.data(), y.size());
    for (size_t i = 0; i < y.size(); ++i) {
      if (exact) EXPECT_EQ(y[i], want[i]) << i;
      else EXPECT_NEAR(y[i], want[i], 1e-5 * std::max(1.0f, std::fabs(want[i]))) << i;
    }
  }
}

TEST(Fixtures, FormatVersion1Fp32) { check_fixture("v1_fp32", false); }
TEST(Fixtures, FormatVersion1Int8) { check_fixture("v1_int8", true); }

TEST(Fixtures, FormatVersion1Metadata) {
  auto model = Model::from_file(kDir + "v1_fp32.slim");
  EXPECT_EQ(model->metadata().model, "fixture_v1_fp32");
  EXPECT_EQ(model->metadata().class_names.size(), 4u);
  EXPECT_EQ(model->ops().size(), 14u);
  EXPECT_EQ(model->ops()[0].type, OpType::Conv2d);
  EXPECT_EQ(model->ops()[8].type, OpType::Gru);
}

}  // namespace
}  // namespace slimrt
