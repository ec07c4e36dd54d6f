// Whole models on OpenCL against the CPU: the interpreter with device "opencl:0" on
// models in every precision (fp32, fixed-point int8 / int16 with a BinaryConnect layer,
// BNN, GRU / LSTM), fed real test data (MNIST digits, HMP accelerometer windows from
// ../shared/datasets): fixed-point and binary outputs bit-identical, float outputs
// within 1e-4 and the same predictions. Also the per-op fallback log, the C API and
// slimrt-run --device.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "opencl_test_util.h"
#include "opencl_test_models.h"
#include "slim_test_models.h"
#include "slimrt/bitpack.h"
#include "slimrt/fixed_point.h"
#include "slimrt/slimrt.h"
#include "slimrt/writer.h"

namespace slimrt::opencl::test {
namespace {
// ---- comparison --------------------------------------------------------------------------
struct Parity {
  size_t samples = 0, same_prediction = 0, ambiguous = 0;  // ambiguous: CPU's top-2 margin < 1e-4
  double max_abs_diff = 0;
  bool bit_identical = true;
  std::set<size_t> predictions;  // distinct CPU argmaxes: the model is not degenerate
};


Parity compare(const ModelWriter& w, const std::vector<std::vector<float>>& inputs, const std::string& device,
               std::vector<std::string>* log = nullptr, std::vector<std::string>* kernels = nullptr) {
  const auto bytes = w.finish();
  auto model = Model::from_memory(bytes.data(), bytes.size());
  Interpreter cpu(model);
  InterpreterOptions o;
  o.device = device;
  std::vector<std::string> lines;
  o.log = [&](const std::string& l) { lines.push_back(l); };
  Interpreter dev(model, o);
  if (log) *log = lines;
  if (kernels) *kernels = dev.kernel_names();
  Parity p;
  const size_t n = size_t(cpu.output(0).numel);
  std::vector<float> a(n), b(n);
  for (const auto& x : inputs) {
    cpu.set_input(0, x.data(), x.size());
    dev.set_input(0, x.data(), x.size());
    cpu.invoke();
    dev.invoke();
    cpu.get_output(0, a.data(), n);
    dev.get_output(0, b.data(), n);
    ++p.samples;
    p.predictions.insert(argmax(a));
    if (std::memcmp(a.data(), b.data(), n * 4) != 0) p.bit_identical = false;
    for (size_t i = 0; i < n; ++i)
      p.max_abs_diff = std::max(p.max_abs_diff, double(std::fabs(a[i] - b[i])) / std::max(1.0, double(std::fabs(a[i]))));
    std::vector<float> sorted = a;
    std::sort(sorted.rbegin(), sorted.rend());
    if (n > 1 && sorted[0] - sorted[1] < 1e-4f) ++p.ambiguous;
    else p.same_prediction += argmax(a) == argmax(b);
  }
  return p;
}

bool on_device(const std::vector<std::string>& kernels, size_t* cpu_ops) {
  *cpu_ops = 0;
  for (const auto& k : kernels)
    if (k.find("/opencl") == std::string::npos && k != "Reshape/copy") ++*cpu_ops;
  return *cpu_ops == 0;
}

// ---- tests ---------------------------------------------------------------------------------
TEST(OpenClModels, SmallCnnMatchesCpuAndRunsEveryOpOnTheDevice) {
  SLIMRT_REQUIRE_OPENCL();
  slimrt::test::SmallCnn net;
  std::vector<std::vector<float>> xs;
  for (uint32_t s = 0; s < 5; ++s) xs.push_back(random_values(64, 100 + s));
  std::vector<std::string> kernels, log;
  const Parity p = compare(net.writer, xs, "opencl:0", &log, &kernels);
  EXPECT_LE(p.max_abs_diff, 1e-4);
  EXPECT_EQ(p.same_prediction + p.ambiguous, p.samples);
  size_t cpu_ops = 0;
  EXPECT_TRUE(on_device(kernels, &cpu_ops)) << cpu_ops << " op(s) on the CPU";
  EXPECT_TRUE(log.empty()) << log.front();
}

TEST(OpenClModels, MnistFp32CnnSamePredictions) {
  SLIMRT_REQUIRE_OPENCL();
  const MnistSplit d = mnist_split(false);
  if (d.test.empty()) GTEST_SKIP() << "MNIST test split not found under " << datasets_dir();
  const Head head = fit_head(cnn_fp32, d.fit, d.fit_labels, 10);
  const auto& imgs = d.test;
  std::vector<std::string> kernels;
  const Parity p = compare(cnn_fp32(&head), imgs, "opencl", nullptr, &kernels);
  const double acc = accuracy(cnn_fp32(&head), imgs, d.test_labels);
  std::printf("fp32 CNN: %zu MNIST digits, CPU accuracy %.3f, %zu/%zu same predictions on OpenCL\n", p.samples, acc,
              p.same_prediction, p.samples - p.ambiguous);
  EXPECT_GT(acc, 0.3);
  EXPECT_EQ(p.samples, imgs.size());
  EXPECT_LE(p.max_abs_diff, 1e-4);
  EXPECT_EQ(p.same_prediction + p.ambiguous, p.samples);
  EXPECT_LE(p.ambiguous, p.samples / 50);
  EXPECT_GE(p.predictions.size(), 3u);
  size_t cpu_ops = 0;
  EXPECT_TRUE(on_device(kernels, &cpu_ops)) << cpu_ops << " op(s) on the CPU";
}

TEST(OpenClModels, MnistFixedPointCnnIsBitExact) {
  SLIMRT_REQUIRE_OPENCL();
  const MnistSplit d = mnist_split(false);
  if (d.test.empty()) GTEST_SKIP() << "MNIST test split not found under " << datasets_dir();
  const Head head = fit_head(cnn_fixed, d.fit, d.fit_labels, 10);
  const auto& imgs = d.test;
  std::vector<std::string> kernels;
  const Parity p = compare(cnn_fixed(&head), imgs, "opencl:0", nullptr, &kernels);
  const double acc = accuracy(cnn_fixed(&head), imgs, d.test_labels);
  std::printf("int8/int16/BinaryConnect CNN: %zu MNIST digits, CPU accuracy %.3f, outputs bit-identical: %s\n",
              p.samples, acc, p.bit_identical ? "yes" : "no");
  EXPECT_GT(acc, 0.3);
  EXPECT_EQ(p.samples, imgs.size());
  EXPECT_TRUE(p.bit_identical) << "max diff " << p.max_abs_diff;
  EXPECT_GE(p.predictions.size(), 3u);
  size_t cpu_ops = 0;
  EXPECT_TRUE(on_device(kernels, &cpu_ops)) << cpu_ops << " op(s) on the CPU";
}

TEST(OpenClModels, MnistBinaryCnnSamePredictions) {
  SLIMRT_REQUIRE_OPENCL();
  const MnistSplit d = mnist_split(true);
  if (d.test.empty()) GTEST_SKIP() << "MNIST test split not found under " << datasets_dir();
  const Head head = fit_head(cnn_bnn, d.fit, d.fit_labels, 10);
  const auto& imgs = d.test;
  std::vector<std::string> kernels;
  const Parity p = compare(cnn_bnn(&head), imgs, "opencl:0", nullptr, &kernels);
  const double acc = accuracy(cnn_bnn(&head), imgs, d.test_labels);
  std::printf("BNN CNN: %zu MNIST digits, CPU accuracy %.3f, %zu/%zu same predictions on OpenCL\n", p.samples, acc,
              p.same_prediction, p.samples - p.ambiguous);
  EXPECT_GT(acc, 0.2);
  EXPECT_LE(p.max_abs_diff, 1e-4);  // exact up to the float average and dense at the end
  EXPECT_EQ(p.same_prediction + p.ambiguous, p.samples);
  EXPECT_GE(p.predictions.size(), 3u);
  size_t cpu_ops = 0;
  EXPECT_TRUE(on_device(kernels, &cpu_ops)) << cpu_ops << " op(s) on the CPU";
}

TEST(OpenClModels, HmpRecurrentModels) {
  SLIMRT_REQUIRE_OPENCL();
  std::vector<int> labels;
  const auto wins = hmp_windows(60, 64, &labels);
  if (wins.empty()) GTEST_SKIP() << "HMP not found under " << datasets_dir();
  for (OpType t : {OpType::Gru, OpType::Lstm})
    for (DType d : {DType::F32, DType::I8, DType::I16}) {
      SCOPED_TRACE(std::string(op_name(t)) + " " + dtype_name(d));
      Head head;
      if (d == DType::F32)  // float models classify (head fitted on the same windows); fixed ones output features
        head = fit_head([&](const Head* h) { return rnn_model(t, d, 64, h); }, wins, labels, 14);
      std::vector<std::string> kernels, log;
      const Parity p = compare(rnn_model(t, d, 64, d == DType::F32 ? &head : nullptr), wins, "opencl:0", &log, &kernels);
      EXPECT_EQ(p.samples, wins.size());
      EXPECT_GE(p.predictions.size(), 3u);
      if (d == DType::F32) {
        EXPECT_LE(p.max_abs_diff, 1e-4);
        EXPECT_EQ(p.same_prediction + p.ambiguous, p.samples);
      } else if (installed().fp64) {
        EXPECT_TRUE(p.bit_identical) << "max diff " << p.max_abs_diff;
      }
      size_t cpu_ops = 0;
      on_device(kernels, &cpu_ops);
      if (d == DType::F32 || installed().fp64) EXPECT_EQ(cpu_ops, 0u);
    }
}

// fp16 weights: close to the float model; on a device without cl_khr_fp16 a note says
// the arithmetic stays float.
TEST(OpenClModels, Fp16WeightsStayClose) {
  SLIMRT_REQUIRE_OPENCL();
  const MnistSplit d = mnist_split(false);
  if (d.test.empty()) GTEST_SKIP() << "MNIST test split not found under " << datasets_dir();
  const Head head = fit_head(cnn_fp32, d.fit, d.fit_labels, 10);
  std::vector<std::string> kernels, log;
  const Parity p = compare(cnn_fp32(&head), d.test, "opencl:0,fp16", &log, &kernels);
  std::printf("fp16 weights: %zu/%zu same predictions as the fp32 CPU model, max rel. diff %.2g\n", p.same_prediction,
              p.samples - p.ambiguous, p.max_abs_diff);
  EXPECT_LE(p.max_abs_diff, 1e-2);
  size_t fp16 = 0;
  for (const auto& k : kernels) fp16 += k.find("-fp16") != std::string::npos;
  EXPECT_EQ(fp16, 4u);  // conv1, depthwise, conv2, fc
  if (!installed().fp16) {
    ASSERT_FALSE(log.empty());
    EXPECT_NE(log.front().find("cl_khr_fp16"), std::string::npos) << log.front();
  }
}

// An op the device cannot run falls back to the CPU with a line naming it and why.
TEST(OpenClModels, FallbackIsLoggedPerOp) {
  SLIMRT_REQUIRE_OPENCL();
  ModelWriter m;
  const int n = 1 << 17;  // int8 sums over 2^17 inputs: the OpenCL kernel sums in int32
  const int x = m.add_tensor("x", DType::F32, {n});
  const int xq = m.add_tensor("xq", DType::I8, {n}, 4);
  m.add_op(OpType::Quantize, "quantize", {x}, {xq});
  std::vector<int8_t> w(n, 1);
  const int wt = m.add_constant("w", DType::I8, {1, n}, w.data(), w.size(), 0);
  const int y = m.add_tensor("y", DType::I8, {1}, -8);
  m.add_op(OpType::Dense, "huge_dot", {xq, wt}, {y});
  const int s = m.add_tensor("s", DType::F32, {1});
  m.add_op(OpType::Dequantize, "dq", {y}, {s});
  const int sc = m.add_f32("scale", {1}, {2.0f});
  const int sh = m.add_f32("shift", {1}, {0.5f});
  const int z = m.add_tensor("z", DType::F32, {1});
  m.add_op(OpType::Scale, "unfolded_bn", {s, sc, sh}, {z});
  m.inputs = {x};
  m.outputs = {z};
  std::vector<float> in(n, 0.5f);
  std::vector<std::string> log, kernels;
  const Parity p = compare(m, {in}, "opencl:0", &log, &kernels);
  EXPECT_TRUE(p.bit_identical);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].find("'huge_dot' (Dense) runs on the CPU"), std::string::npos) << log[0];
  EXPECT_NE(log[0].find("2^17"), std::string::npos) << log[0];
  EXPECT_NE(log[1].find("'unfolded_bn' (Scale) runs on the CPU"), std::string::npos) << log[1];
  EXPECT_EQ(kernels[0], "Quantize/i8/opencl");
  EXPECT_EQ(kernels[1].find("Dense/i8/"), 0u);
  EXPECT_EQ(kernels[1].find("opencl"), std::string::npos);
}

// A broadcasting Mul (a channel gate [4, 1] over [4, 8]) runs on the CPU with the reason
// logged, bit-identical to the CPU interpreter; the same-shape Add after it stays on the device.
TEST(OpenClModels, BroadcastRunsOnTheCpuAndSameShapeStaysOnTheDevice) {
  SLIMRT_REQUIRE_OPENCL();
  ModelWriter m;
  const int x = m.add_tensor("x", DType::F32, {4, 8});
  const int g = m.add_f32("gate", {4, 1}, {0.5f, -1.0f, 2.0f, 0.25f});
  const int y = m.add_tensor("y", DType::F32, {4, 8});
  m.add_op(OpType::Mul, "se_gate", {x, g}, {y});
  const int z = m.add_tensor("z", DType::F32, {4, 8});
  m.add_op(OpType::Add, "skip", {y, x}, {z});
  m.inputs = {x};
  m.outputs = {z};
  std::vector<float> in(32);
  for (size_t k = 0; k < in.size(); ++k) in[k] = float(k) * 0.125f - 2.0f;
  std::vector<std::string> log, kernels;
  const Parity p = compare(m, {in}, "opencl:0", &log, &kernels);
  EXPECT_TRUE(p.bit_identical);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("'se_gate' (Mul) runs on the CPU"), std::string::npos) << log[0];
  EXPECT_NE(log[0].find("broadcasting"), std::string::npos) << log[0];
  EXPECT_EQ(kernels[0].find("opencl"), std::string::npos) << kernels[0];
  EXPECT_EQ(kernels[1], "Add/f32/opencl");
}

// Models exported by `slimlab export` from trained runs (fp32, int8, int16, binary):
// every *.slim in $SLIMRT_OPENCL_EXPORTED whose input is a 28×28 image runs on MNIST
// test digits (normalised with the file's metadata) on the CPU and on OpenCL. Fixed
// point must agree bit for bit, float and binary (float first / last layers) within
// 1e-4, all with the same predictions.
// docs/BENCHMARKS.md ("slimrt OpenCL backend") has the commands that make the files.
TEST(OpenClModels, ExportedModelsOnMnist) {
  SLIMRT_REQUIRE_OPENCL();
  const char* dir = std::getenv("SLIMRT_OPENCL_EXPORTED");
  if (!dir) GTEST_SKIP() << "set SLIMRT_OPENCL_EXPORTED to a folder of exported .slim models";
  const auto imgs = mnist_images(1000);
  const auto labels = mnist_labels(1000);
  if (imgs.size() < 1000 || labels.size() < 1000) GTEST_SKIP() << "MNIST test split not found under " << datasets_dir();
  std::vector<std::string> files;
  if (DIR* d = ::opendir(dir)) {
    while (dirent* e = ::readdir(d))
      if (std::string(e->d_name).size() > 5 && std::string(e->d_name).substr(std::string(e->d_name).size() - 5) == ".slim")
        files.push_back(std::string(dir) + "/" + e->d_name);
    ::closedir(d);
  }
  std::sort(files.begin(), files.end());
  int tested = 0;
  for (const std::string& f : files) {
    auto model = Model::from_file(f);
    const TensorDesc& in = model->tensors()[size_t(model->inputs()[0])];
    if (in.numel != 784) continue;
    SCOPED_TRACE(f);
    const Metadata& md = model->metadata();
    std::vector<std::vector<float>> xs = imgs;
    for (auto& x : xs)
      for (float& v : x) {
        if (!md.norm_mean.empty()) v -= md.norm_mean[0];
        if (!md.norm_std.empty() && md.norm_std[0] != 0) v /= md.norm_std[0];
      }
    Interpreter cpu(model);
    InterpreterOptions o;
    o.device = "opencl:0";
    std::vector<std::string> log;
    o.log = [&](const std::string& l) { log.push_back(l); };
    Interpreter dev(model, o);
    const size_t n = size_t(cpu.output(0).numel);
    std::vector<float> a(n), b(n);
    size_t same = 0, correct = 0, identical = 0;
    double maxdiff = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      cpu.set_input(0, xs[i].data(), 784);
      dev.set_input(0, xs[i].data(), 784);
      cpu.invoke();
      dev.invoke();
      cpu.get_output(0, a.data(), n);
      dev.get_output(0, b.data(), n);
      same += argmax(a) == argmax(b);
      correct += int(argmax(a)) == labels[i];
      identical += std::memcmp(a.data(), b.data(), n * 4) == 0;
      for (size_t j = 0; j < n; ++j)
        maxdiff = std::max(maxdiff, double(std::fabs(a[j] - b[j])) / std::max(1.0, double(std::fabs(a[j]))));
    }
    size_t on_cpu = 0;
    for (const auto& kn : dev.kernel_names())
      if (kn.find("/opencl") == std::string::npos && kn != "Reshape/copy") ++on_cpu;
    std::printf("%s (%s): %zu digits, CPU accuracy %.4f, same predictions %zu, bit-identical outputs %zu, max rel. diff "
                "%.2g, ops on the CPU %zu\n",
                f.substr(f.rfind('/') + 1).c_str(), md.precision.c_str(), xs.size(), double(correct) / xs.size(), same,
                identical, maxdiff, on_cpu);
    EXPECT_EQ(same, xs.size());
    EXPECT_LE(maxdiff, 1e-4);
    // Fixed-point exports are integer end to end (dequantized logits): bit for bit. Binary
    // exports keep their first and last layers in float: the tolerance above applies.
    if (md.precision == "int8" || md.precision == "int16")
      EXPECT_EQ(identical, xs.size()) << "fixed-point outputs must be bit-exact";
    ++tested;
  }
  EXPECT_GT(tested, 0) << "no 28×28-input .slim in " << dir;
}

TEST(OpenClModels, CApiSelectsTheDevice) {
  SLIMRT_REQUIRE_OPENCL();
  slimrt_opencl_install();
  slimrt::test::SmallCnn net;
  const auto bytes = net.writer.finish();
  slimrt_model* model = nullptr;
  ASSERT_EQ(slimrt_model_load_memory(bytes.data(), bytes.size(), 1, &model), SLIMRT_OK) << slimrt_last_error();
  slimrt_interpreter *cpu = nullptr, *dev = nullptr, *bad = nullptr;
  ASSERT_EQ(slimrt_interpreter_create_device(model, nullptr, "cpu", &cpu), SLIMRT_OK) << slimrt_last_error();
  ASSERT_EQ(slimrt_interpreter_create_device(model, nullptr, "opencl:0", &dev), SLIMRT_OK) << slimrt_last_error();
  EXPECT_EQ(slimrt_interpreter_create_device(model, nullptr, "opencl:99", &bad), SLIMRT_ERROR_RUNTIME);
  EXPECT_EQ(bad, nullptr);
  EXPECT_NE(std::string(slimrt_last_error()).find("no device 99"), std::string::npos) << slimrt_last_error();
  EXPECT_EQ(slimrt_interpreter_create_device(model, nullptr, "vulkan", &bad), SLIMRT_ERROR_RUNTIME);
  EXPECT_NE(std::string(slimrt_last_error()).find("no 'vulkan' backend"), std::string::npos) << slimrt_last_error();
  const auto x = random_values(64, 7);
  float a[5], b[5];
  for (slimrt_interpreter* i : {cpu, dev}) {
    ASSERT_EQ(slimrt_set_input(i, 0, x.data(), x.size()), SLIMRT_OK);
    ASSERT_EQ(slimrt_run(i), SLIMRT_OK) << slimrt_last_error();
  }
  ASSERT_EQ(slimrt_get_output(cpu, 0, a, 5), SLIMRT_OK);
  ASSERT_EQ(slimrt_get_output(dev, 0, b, 5), SLIMRT_OK);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(a[i], b[i], 1e-5f);
  slimrt_interpreter_free(cpu);
  slimrt_interpreter_free(dev);
  slimrt_model_free(model);
}

// A CPU interpreter prepared before the first OpenCL device is installed keeps working
// (installing registers ~100 kernels; the registry must not move the CPU ones). Runs in
// a child process so that the registry starts without OpenCL kernels.
TEST(OpenClModels, CpuInterpreterSurvivesLaterInstall) {
  if (std::getenv("SLIMRT_OCL_ORDER_CHILD")) {
    slimrt::test::SmallCnn net;
    const auto bytes = net.writer.finish();
    auto model = Model::from_memory(bytes.data(), bytes.size());
    Interpreter cpu(model);
    const auto x = random_values(64, 3);
    std::vector<float> before(5), after(5);
    cpu.set_input(0, x.data(), x.size());
    cpu.invoke();
    cpu.get_output(0, before.data(), 5);
    SLIMRT_REQUIRE_OPENCL();  // the first install in this process
    InterpreterOptions o;
    o.device = "opencl:0";
    Interpreter dev(model, o);
    dev.set_input(0, x.data(), x.size());
    dev.invoke();
    cpu.invoke();
    cpu.get_output(0, after.data(), 5);
    EXPECT_EQ(before, after);
    std::printf("child-ok\n");
    return;
  }
  SLIMRT_REQUIRE_OPENCL();
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(n, 0);
  self[n] = '\0';
  FILE* p = ::popen((std::string("SLIMRT_OCL_ORDER_CHILD=1 ") + self +
                     " --gtest_filter=OpenClModels.CpuInterpreterSurvivesLaterInstall 2>&1")
                        .c_str(),
                    "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_NE(out.find("child-ok"), std::string::npos) << out;
}

#ifdef SLIMRT_RUN_BIN
std::string shell(const std::string& cmd, int* status) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  *status = p ? ::pclose(p) : -1;
  return out;
}

TEST(OpenClModels, SlimrtRunDeviceFlag) {
  SLIMRT_REQUIRE_OPENCL();
  char dir[] = "/tmp/slimrt-ocl-run-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string model = std::string(dir) + "/small.slim", input = std::string(dir) + "/x.f32";
  slimrt::test::SmallCnn net;
  net.writer.write_file(model);
  const auto x = random_values(64, 9);
  std::ofstream(input, std::ios::binary).write(reinterpret_cast<const char*>(x.data()), 64 * 4);
  int st = 0;
  const std::string cpu = shell(std::string(SLIMRT_RUN_BIN) + " run " + model + " " + input, &st);
  ASSERT_EQ(st, 0) << cpu;
  const std::string dev = shell(std::string(SLIMRT_RUN_BIN) + " run " + model + " " + input + " --device opencl:0", &st);
  ASSERT_EQ(st, 0) << dev;
  EXPECT_EQ(cpu.substr(cpu.find("prediction")), dev.substr(dev.find("prediction")));
  const std::string listed = shell(std::string(SLIMRT_RUN_BIN) + " devices", &st);
  EXPECT_EQ(st, 0) << listed;
  EXPECT_EQ(listed.rfind("opencl:0: ", 0), 0u) << listed;
  // No OpenCL platform: a message and exit code 1, not a crash.
  const std::string none = shell(std::string("OCL_ICD_VENDORS=") + dir + " " + SLIMRT_RUN_BIN + " run " + model + " " +
                                     input + " --device opencl",
                                 &st);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) << none;
  EXPECT_NE(none.find("no OpenCL platform"), std::string::npos) << none;
  std::remove(model.c_str());
  std::remove(input.c_str());
  ::rmdir(dir);
}
#endif

}  // namespace
}  // namespace slimrt::opencl::test
