// The guard of "compressed means faster" (issue #13): every model family the shipped
// experiments train, exported at every precision it supports, runs each op that
// carries ≥ 1 % of the model's MACs on an optimized kernel when the CPU has a SIMD
// instruction set slimrt targets (AVX2 here; NEON is covered by the runtime's own
// best_kernel tests under qemu). A reference kernel on a hot op fails the test with a
// table of every offender (model, precision, op, kernel, share of MACs).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>
#include <sstream>

#include "compress/quant/calibrate.h"
#include "deploy/export/exporter.h"
#include "slimrt/runtime.h"
#include "tests/test_export_fixtures.h"
#include "tests/test_export_models_torch.h"

namespace slimlab {
namespace {

using deploy::ExportPrecision;

struct Family {
  std::string name;
  std::vector<int64_t> shape;
  int64_t classes;
};

std::vector<float> calibration(const std::vector<int64_t>& shape, int n) {
  int64_t per = 1;
  for (int64_t d : shape) per *= d;
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0, 1);
  std::vector<float> v(size_t(per * n));
  for (float& x : v) x = nd(rng);
  return v;
}

bool simd_available() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#elif defined(__aarch64__)
  return true;  // NEON is part of AArch64
#else
  return false;
#endif
}

// Every hot op on a reference kernel, one line each ("" when none).
std::string hot_reference_ops(const std::string& what, const ir::Graph& g, ExportPrecision p,
                              const std::vector<float>& cal, int n) {
  deploy::ExportOptions o;
  o.precision = p;
  o.calibration = cal.data();
  o.calibration_samples = n;
  const deploy::ExportResult r = deploy::export_graph(g, o);
  auto model = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size(), /*copy=*/true);
  slimrt::Interpreter interp(model);
  const auto kernels = interp.kernel_names();
  const auto& ops = model->ops();
  int64_t total = 0;
  for (const auto& op : ops) total += op.macs;
  std::ostringstream out;
  for (size_t i = 0; i < ops.size() && i < kernels.size(); ++i) {
    const double share = total > 0 ? double(ops[i].macs) / double(total) : 0;
    const std::string& k = kernels[i];
    if (share >= 0.01 && k.size() >= 4 && k.compare(k.size() - 4, 4, "/ref") == 0)
      out << "  " << what << ": op " << i << " '" << ops[i].name << "' runs " << k << " (" << int(share * 1000) / 10.0
          << " % of " << total << " MACs)\n";
  }
  return out.str();
}

class KernelCoverage : public testing::TestWithParam<Family> {};

TEST_P(KernelCoverage, HotOpsRunOptimizedKernels) {
  if (!simd_available()) GTEST_SKIP() << "no SIMD instruction set slimrt targets on this CPU";
  const Family& f = GetParam();
  const ir::Graph g = test::random_model(f.name, f.shape, f.classes)->graph(true);
  const int n = 8;
  const std::vector<float> cal = calibration(f.shape, n);
  std::string offenders;
  for (ExportPrecision p : {ExportPrecision::kFp32, ExportPrecision::kInt8, ExportPrecision::kInt16})
    offenders += hot_reference_ops(deploy::to_string(p), g, p, cal, n);
  if (f.name != "deepsense") {  // the binary stages leave its GRUs float; its convs are covered by the quickstart
    const ir::Graph bc = test::binary_graph(g, false);
    offenders += hot_reference_ops("binaryconnect/binary", bc, ExportPrecision::kBinary, cal, n);
    offenders += hot_reference_ops("binaryconnect/fp32", bc, ExportPrecision::kFp32, cal, n);
    const ir::Graph bcq = compress::quant::quantize_post_training(bc, {8, 8, 8}, cal.data(), n);
    offenders += hot_reference_ops("binaryconnect+fixed8/binary", bcq, ExportPrecision::kBinary, cal, n);
    const ir::Graph bnn = test::binary_graph(g, true);
    offenders += hot_reference_ops("bnn/binary", bnn, ExportPrecision::kBinary, cal, n);
  }
  EXPECT_EQ(offenders, "") << f.name << ": ops with ≥ 1 % of the MACs on reference kernels:\n" << offenders;
}

INSTANTIATE_TEST_SUITE_P(ShippedFamilies, KernelCoverage,
                         testing::Values(Family{"lenet5", {1, 28, 28}, 10}, Family{"deepsense", {2, 20, 60}, 6},
                                         Family{"cnn1d", {6, 100}, 6}, Family{"deepear_dnn", {1, 40, 101}, 10},
                                         Family{"audio_cnn", {1, 40, 101}, 10}),
                         [](const testing::TestParamInfo<Family>& i) { return i.param.name; });

}  // namespace
}  // namespace slimlab
