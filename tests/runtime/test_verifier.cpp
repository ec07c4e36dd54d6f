// Hostile and damaged .slim files are errors, never undefined behaviour: every
// truncation, random bit flips and crafted files that pass the FlatBuffers Verifier
// but break our own checks. Run under ASan (docs/BUILD.md) to prove "never UB".
#include <gtest/gtest.h>

#include <cstring>

#include "slim_test_models.h"
#include "slimrt/runtime.h"

namespace slimrt {
namespace {

using test::load_error;

void expect_error(const ModelWriter& w, std::initializer_list<const char*> fragments) {
  const std::string msg = load_error(w.finish());
  ASSERT_FALSE(msg.empty()) << "the model was accepted";
  for (const char* f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
}

// Tensors x (the input), a, b of f32 [4]; Relu r1 and r2 with (input, output) as given.
ModelWriter two_relus(std::pair<int, int> r1, std::pair<int, int> r2, int output) {
  ModelWriter w;
  for (const char* name : {"x", "a", "b"}) w.add_tensor(name, DType::F32, {4});
  w.add_op(OpType::Relu, "r1", {r1.first}, {r1.second});
  w.add_op(OpType::Relu, "r2", {r2.first}, {r2.second});
  w.inputs = {0};
  w.outputs = {output};
  return w;
}

TEST(Verifier, EveryTruncationIsAnError) {
  test::SmallCnn net;
  const auto bytes = net.writer.finish();
  for (size_t n = 0; n < bytes.size(); n += (n < 512 ? 1 : 7)) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(n));
    EXPECT_FALSE(load_error(cut).empty()) << "truncated at " << n << " was accepted";
  }
}

TEST(Verifier, BitFlipsAreErrorsOrValidModels) {
  test::SmallCnn net;
  const auto bytes = net.writer.finish();
  std::mt19937 rng(1234);
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    auto b = bytes;
    const int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] ^= uint8_t(1u << (rng() % 8));
    try {
      auto m = Model::from_memory(b.data(), b.size());
      Interpreter in(m);
      std::vector<float> x(size_t(in.input(0).numel), 0.5f);
      in.set_input(0, x.data(), x.size());
      in.invoke();  // a flip in weight values is a valid model: it must still run
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 100);  // most flips hit structure, not weights
}

TEST(Verifier, WrongIdentifierAndVersion) {
  test::SmallCnn net;
  auto bytes = net.writer.finish();
  auto b = bytes;
  std::memcpy(b.data() + 4, "XXXX", 4);
  EXPECT_NE(load_error(b).find("file identifier"), std::string::npos);
}

TEST(Verifier, CraftedModelsNameTheCulprit) {
  {  // a buffer that does not match dtype × shape
    ModelWriter w;
    const int x = w.add_tensor("x", DType::F32, {4});
    const int wt = w.add_f32("w", {3, 4}, std::vector<float>(12, 1.f));
    const int y = w.add_tensor("y", DType::F32, {2});  // wrong: dense gives 3
    w.add_op(OpType::Dense, "fc", {x, wt}, {y});
    w.inputs = {x};
    w.outputs = {y};
    expect_error(w, {"op 0 'fc' (Dense)", "output 'y'"});
  }
  // reading a tensor before it is written (a cycle / wrong order)
  expect_error(two_relus({2, 1}, {1, 2}, 2), {"op 0 'r1'", "before any op writes it"});
  {  // a tensor index out of range
    ModelWriter w;
    const int x = w.add_tensor("x", DType::F32, {4});
    const int y = w.add_tensor("y", DType::F32, {4});
    w.add_op(OpType::Relu, "r", {x + 100}, {y});
    w.inputs = {x};
    w.outputs = {y};
    expect_error(w, {"refers to tensor 100"});
  }
  {  // stride 0
    ModelWriter w;
    const int x = w.add_tensor("x", DType::F32, {1, 8, 8});
    const int wt = w.add_f32("w", {2, 1, 3, 3}, std::vector<float>(18, 0.1f));
    const int y = w.add_tensor("y", DType::F32, {2, 6, 6});
    auto& op = w.add_op(OpType::Conv2d, "conv", {x, wt}, {y});
    op.kernel = {3, 3};
    op.stride = {0, 1};
    w.inputs = {x};
    w.outputs = {y};
    expect_error(w, {"'conv' (Conv2d)", "stride 0"});
  }
  {  // absurd sizes: 2^30 × 2^30 activations
    ModelWriter w;
    const int x = w.add_tensor("x", DType::F32, {int64_t(1) << 30, int64_t(1) << 30});
    const int y = w.add_tensor("y", DType::F32, {int64_t(1) << 30, int64_t(1) << 30});
    w.add_op(OpType::Relu, "r", {x}, {y});
    w.inputs = {x};
    w.outputs = {y};
    expect_error(w, {"tensor 0 'x'"});
  }
  {  // non-zero padding bits in packed binary weights
    ModelWriter w;
    const int x = w.add_tensor("x", DType::F32, {70});
    std::vector<uint64_t> bits(2 * 2, 0);
    bits[1] = uint64_t(1) << 10;  // element 74 of row 0: past n = 70
    const int wt = w.add_constant("wb", DType::BIN, {2, 70}, bits.data(), bits.size() * 8);
    const int y = w.add_tensor("y", DType::F32, {2});
    w.add_op(OpType::Dense, "fc", {x, wt}, {y});
    w.inputs = {x};
    w.outputs = {y};
    expect_error(w, {"'wb'", "padding bits"});
  }
  {  // a bias at the wrong fixed-point format
    ModelWriter w;
    const int x = w.add_tensor("x", DType::F32, {4});
    const int q = w.add_tensor("xq", DType::I8, {4}, 5);
    w.add_op(OpType::Quantize, "q", {x}, {q});
    std::vector<int8_t> wv(12, 3);
    const int wt = w.add_constant("w", DType::I8, {3, 4}, wv.data(), wv.size(), 6);
    const int b = w.add_i32("b", {3}, {1, 2, 3}, 7);  // should be 5 + 6 = 11
    const int y = w.add_tensor("yq", DType::I8, {3}, 4);
    w.add_op(OpType::Dense, "fc", {q, wt, b}, {y});
    const int yf = w.add_tensor("y", DType::F32, {3});
    w.add_op(OpType::Dequantize, "dq", {y}, {yf});
    w.inputs = {x};
    w.outputs = {yf};
    expect_error(w, {"bias 'b'", "FL 7", "accumulator's is 11"});
  }
  // writing the same tensor twice
  expect_error(two_relus({0, 1}, {0, 1}, 1), {"op 1 'r2'", "already written"});
  {  // an unknown op type from a newer exporter
    ModelWriter w;
    const int x = w.add_tensor("x", DType::F32, {4});
    const int y = w.add_tensor("y", DType::F32, {4});
    w.add_op(static_cast<OpType>(999), "future", {x}, {y});
    w.inputs = {x};
    w.outputs = {y};
    expect_error(w, {"unknown op type 999"});
  }
}

// Add / Mul broadcast: x [2, 3] times a constant [2, 1] runs (each row scaled); inputs
// that do not broadcast, or an output that is not their broadcast, are errors naming the shapes.
ModelWriter broadcast_mul(std::vector<int64_t> c_shape, std::vector<int64_t> y_shape) {
  ModelWriter w;
  const int x = w.add_tensor("x", DType::F32, {2, 3});
  std::vector<float> cv(size_t(c_shape[0] * (c_shape.size() > 1 ? c_shape[1] : 1)));
  for (size_t k = 0; k < cv.size(); ++k) cv[k] = float(k + 2);
  const int c = w.add_f32("c", c_shape, cv);
  const int y = w.add_tensor("y", DType::F32, y_shape);
  w.add_op(OpType::Mul, "scale", {x, c}, {y});
  w.inputs = {x};
  w.outputs = {y};
  return w;
}

TEST(Verifier, BroadcastingInputsRunAndMismatchesNameBothShapes) {
  const std::vector<uint8_t> bytes = broadcast_mul({2, 1}, {2, 3}).finish();
  auto model = Model::from_memory(bytes.data(), bytes.size());
  Interpreter in(model);
  const float x[6] = {1, 2, 3, 4, 5, 6};
  in.set_input(0, x, 6);
  in.invoke();
  float y[6];
  in.get_output(0, y, 6);
  const float want[6] = {2, 4, 6, 12, 15, 18};
  for (int k = 0; k < 6; ++k) EXPECT_EQ(y[k], want[k]) << k;
  expect_error(broadcast_mul({3, 1}, {2, 3}), {"'scale' (Mul)", "'x' [2, 3]", "'c' [3, 1]", "do not broadcast"});
  expect_error(broadcast_mul({2, 1}, {2, 1}), {"'scale' (Mul)", "output 'y'", "expected [2, 3]"});
}

}  // namespace
}  // namespace slimrt
