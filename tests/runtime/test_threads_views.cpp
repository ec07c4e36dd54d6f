// Threads (InterpreterOptions::threads > 1: weighted ops split by output channels or
// rows, bit-identical to one thread) and views (Reshape, outermost Slice and Concat
// without copies, a smaller arena).
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "slim_test_models.h"
#include "slimrt/runtime.h"
#include "slimrt/slimrt.hpp"
#include "threads_views_models.h"

namespace {

using namespace slimrt;
using slimrt::test::random_values;

std::shared_ptr<const Model> load(const ModelWriter& w) {
  const auto bytes = w.finish();
  return Model::from_memory(bytes.data(), bytes.size());
}

// Every output's bytes after inferences on a fixed input (the models' outputs depend on
// every split op).
std::vector<std::vector<float>> run_all(const std::shared_ptr<const Model>& m, InterpreterOptions o,
                                        std::vector<int>* parts = nullptr) {
  Interpreter in(m, o);
  for (int run = 0; run < 2; ++run) {  // twice: nothing depends on the arena's previous contents
    for (size_t i = 0; i < in.num_inputs(); ++i) {
      const auto x = random_values(size_t(in.input(i).numel), 7 + uint32_t(i));
      in.set_input(i, x.data(), x.size());
    }
    in.invoke();
  }
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i < in.num_outputs(); ++i) {
    out.emplace_back(size_t(in.output(i).numel));
    in.get_output(i, out.back().data(), out.back().size());
  }
  if (parts) *parts = in.node_parts();
  return out;
}

int max_parts(const std::vector<int>& parts) {
  int n = 1;
  for (int p : parts) n = std::max(n, p);
  return n;
}

void expect_threads_identical(const std::string& label, const ModelWriter& w, bool must_split) {
  const auto m = load(w);
  for (const char* isa : {"", "ref"}) {
    InterpreterOptions o;
    o.isa = isa;
    const auto one = run_all(m, o);
    for (int threads : {2, 3, 4}) {
      o.threads = threads;
      std::vector<int> parts;
      const auto many = run_all(m, o, &parts);
      for (size_t t = 0; t < one.size(); ++t)
        EXPECT_EQ(0, std::memcmp(one[t].data(), many[t].data(), one[t].size() * sizeof(float)))
            << label << " isa '" << isa << "' threads " << threads << ": output " << t << " differs from one thread";
      if (must_split) EXPECT_GT(max_parts(parts), 1) << label << ": no op was split over " << threads << " threads";
      EXPECT_LE(max_parts(parts), threads);
    }
  }
}

TEST(Threads, WideModelsBitIdenticalAtEveryPrecision) {
  using slimrt::test::Wide;
  for (Wide k : {Wide::kF32, Wide::kI8, Wide::kI16, Wide::kBcF32, Wide::kBcI8, Wide::kBcI16})
    expect_threads_identical(slimrt::test::wide_name(k), slimrt::test::wide_model(k), true);
  expect_threads_identical("bnn", slimrt::test::wide_bnn(), true);
}

TEST(Threads, TestModelsBitIdentical) {
  namespace ot = slimrt::opencl::test;
  expect_threads_identical("small_cnn", slimrt::test::SmallCnn().writer, false);
  expect_threads_identical("cnn_fp32", ot::cnn_fp32(nullptr), false);
  expect_threads_identical("cnn_fixed", ot::cnn_fixed(nullptr), false);
  expect_threads_identical("cnn_bnn", ot::cnn_bnn(nullptr), true);
  for (OpType t : {OpType::Gru, OpType::Lstm})
    for (DType d : {DType::F32, DType::I8, DType::I16}) expect_threads_identical("rnn", ot::rnn_model(t, d, 20), false);
  expect_threads_identical("views", slimrt::test::view_model(), true);
}

TEST(Threads, SplitsOnlyWhereWorthIt) {
  const auto m = load(slimrt::test::wide_model(slimrt::test::Wide::kF32));
  InterpreterOptions o;
  o.threads = 2;
  Interpreter in(m, o);
  const auto parts = in.node_parts();
  const auto names = in.kernel_names();
  ASSERT_EQ(parts.size(), m->ops().size());
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& op = m->ops()[i];
    const bool weighted = op.type == OpType::Conv2d || op.type == OpType::DepthwiseConv2d || op.type == OpType::Dense;
    if (weighted) EXPECT_EQ(parts[i], 2) << op.name << " (" << names[i] << ")";
    else EXPECT_EQ(parts[i], 1) << op.name;
    if (op.name == "conv" && names[i].find("/ref") == std::string::npos) {  // a SIMD ISA: split Winograd parts
      EXPECT_NE(names[i].find("winograd"), std::string::npos) << names[i];
    }
  }
  o.threads = 1;
  for (int p : Interpreter(m, o).node_parts()) EXPECT_EQ(p, 1);
}

TEST(Threads, BadThreadCountsAreErrors) {
  const auto m = load(slimrt::test::SmallCnn().writer);
  InterpreterOptions o;
  o.threads = -1;
  try {
    Interpreter in(m, o);
    FAIL() << "threads -1 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("threads -1"), std::string::npos) << e.what();
  }
  o.threads = kMaxThreads + 1;
  EXPECT_THROW(Interpreter(m, o), Error);
}

TEST(Threads, CApi) {
  const auto bytes = slimrt::test::wide_model(slimrt::test::Wide::kI8).finish();
  slimrt_model* model = nullptr;
  ASSERT_EQ(slimrt_model_load_memory(bytes.data(), bytes.size(), 1, &model), SLIMRT_OK) << slimrt_last_error();
  const auto x = random_values(slimrt::test::kWideIn * 14 * 14, 3);
  std::vector<std::vector<float>> ys;
  for (int threads : {0, 1, 2, 3}) {
    slimrt_interpreter_options o{};
    o.threads = threads;
    slimrt_interpreter* in = nullptr;
    ASSERT_EQ(slimrt_interpreter_create_ex(model, &o, &in), SLIMRT_OK) << slimrt_last_error();
    ASSERT_EQ(slimrt_set_input(in, 0, x.data(), x.size()), SLIMRT_OK);
    ASSERT_EQ(slimrt_run(in), SLIMRT_OK);
    ys.emplace_back(50);
    ASSERT_EQ(slimrt_get_output(in, 0, ys.back().data(), 50), SLIMRT_OK);
    slimrt_interpreter_free(in);
  }
  for (const auto& y : ys) EXPECT_EQ(0, std::memcmp(y.data(), ys[0].data(), 50 * sizeof(float)));
  slimrt_interpreter_options bad{};
  bad.threads = 1000;
  slimrt_interpreter* in = nullptr;
  EXPECT_EQ(slimrt_interpreter_create_ex(model, &bad, &in), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(in, nullptr);
  EXPECT_NE(std::string(slimrt_last_error()).find("threads 1000"), std::string::npos) << slimrt_last_error();
  slimrt_model_free(model);

  auto handle = api::ModelHandle::load(bytes.data(), bytes.size());
  api::InterpreterHandle h(handle, nullptr, 2);
  h.set_input(x);
  h.run();
  EXPECT_EQ(0, std::memcmp(h.output().data(), ys[0].data(), 50 * sizeof(float)));
}

// ---- views -----------------------------------------------------------------------------

std::vector<float> output_of(const std::shared_ptr<const Model>& m, bool views, size_t* arena = nullptr) {
  InterpreterOptions o;
  o.views = views;
  Interpreter in(m, o);
  const auto x = random_values(size_t(in.input(0).numel), 5);
  in.set_input(0, x.data(), x.size());
  in.invoke();
  std::vector<float> y(size_t(in.output(0).numel));
  in.get_output(0, y.data(), y.size());
  if (arena) *arena = in.arena_bytes();
  return y;
}

int count(const std::vector<std::string>& names, const std::string& name) {
  return int(std::count(names.begin(), names.end(), name));
}

TEST(Views, ReshapeSliceConcatBecomeViewsAndTheArenaShrinks) {
  const auto m = load(slimrt::test::view_model());
  const auto names = Interpreter(m).kernel_names();
  EXPECT_EQ(count(names, "Reshape/any/view"), 1);
  EXPECT_EQ(count(names, "Slice/any/view"), 1);
  EXPECT_EQ(count(names, "Concat/any/view"), 1);
  InterpreterOptions off;
  off.views = false;
  const auto copies = Interpreter(m, off).kernel_names();
  EXPECT_EQ(count(copies, "Reshape/any/view") + count(copies, "Slice/any/view") + count(copies, "Concat/any/view"), 0);
  size_t with = 0, without = 0;
  const auto a = output_of(m, true, &with), b = output_of(m, false, &without);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
  // Copies: both halves and the concat (16 + 16 + 32 KiB) at the concat. Views: the
  // halves live inside the concat, the slice and the flat tensor take no bytes — the
  // input and the concat (8 + 32 KiB) at most, plus a conv's scratch, whose size
  // depends on the ISA's kernel (measured: 8 KiB with AVX2, 9 KiB with NEON).
  EXPECT_LT(with, without);
  EXPECT_GE(without, size_t(65536));
  EXPECT_LE(with, size_t(40960) + 12288) << "without views: " << without;
}

TEST(Views, InnerSliceStaysACopy) {
  const auto m = load(slimrt::test::view_model(/*slice_axis=*/1));
  const auto names = Interpreter(m).kernel_names();
  EXPECT_EQ(count(names, "Slice/any/view"), 0);
  EXPECT_EQ(count(names, "Concat/any/view"), 1);  // along the outermost axis still
  const auto a = output_of(m, true), b = output_of(m, false);
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
}

TEST(Views, ConcatOfATensorTwiceOrOfAViewCopies) {
  ModelWriter w;
  const int x = w.add_tensor("x", DType::F32, {4, 6});
  const int r = w.add_tensor("r", DType::F32, {24});
  w.add_op(OpType::Reshape, "r", {x}, {r});
  const int c = w.add_tensor("c", DType::F32, {48});
  w.add_op(OpType::Concat, "twice", {r, r}, {c}).axis = 0;
  const int k = w.add_f32("k", {24}, random_values(24, 9));
  const int c2 = w.add_tensor("c2", DType::F32, {72});
  w.add_op(OpType::Concat, "with_constant", {c, k}, {c2}).axis = 0;
  w.inputs = {x};
  w.outputs = {c2};
  const auto m = load(w);
  const auto names = Interpreter(m).kernel_names();
  EXPECT_EQ(names[0], "Reshape/any/view");
  EXPECT_NE(names[1], "Concat/any/view");
  EXPECT_NE(names[2], "Concat/any/view");
  const auto a = output_of(m, true), b = output_of(m, false);
  ASSERT_EQ(a.size(), 72u);
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
  const auto x0 = random_values(24, 5), k0 = random_values(24, 9);
  for (int i = 0; i < 24; ++i) {
    EXPECT_EQ(a[size_t(i)], x0[size_t(i)]);
    EXPECT_EQ(a[size_t(24 + i)], x0[size_t(i)]);
    EXPECT_EQ(a[size_t(48 + i)], k0[size_t(i)]) << "the constant input is copied from the file";
  }
}

TEST(Views, ExistingModelsUnchanged) {
  namespace ot = slimrt::opencl::test;
  const std::vector<std::function<ModelWriter()>> models = {
      [] { return slimrt::test::SmallCnn().writer; }, [] { return ot::cnn_fp32(nullptr); },
      [] { return ot::cnn_fixed(nullptr); }, [] { return ot::cnn_bnn(nullptr); },
      [] { return slimrt::test::wide_model(slimrt::test::Wide::kI16); }, [] { return slimrt::test::wide_bnn(); }};
  for (const auto& build : models) {
    const auto m = load(build());
    size_t with = 0, without = 0;
    const auto a = output_of(m, true, &with), b = output_of(m, false, &without);
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float))) << m->metadata().model;
    EXPECT_LE(with, without) << m->metadata().model;
  }
}

}  // namespace
