// The exporter's output bytes: every model family at every precision it supports
// (fp32, int8, int16 post-training, BinaryConnect with float and fixed-point
// activations, BNN with packed signs and thresholds, batch norm after a binary conv)
// exports deterministically to a .slim slimrt loads, and, with
// SLIMLAB_EXPORT_GOLDEN=<dir>, to exactly the bytes and notes recorded in <dir> (a
// case missing there is recorded). That is how a refactor of deploy/export proves it
// changed no byte: record with the old code, compare with the new (docs/EXPORT.md).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
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

using Model = test::ModelFamily;

ir::Graph float_graph(const Model& c) { return test::random_model(c.name, c.shape, c.classes)->graph(true); }

using test::calibration;

// One export: the file's bytes and notes, or the error it gave.
std::string export_text(const ir::Graph& g, ExportPrecision p, const std::vector<float>& cal, int n,
                        std::vector<uint8_t>* bytes) {
  deploy::ExportOptions o;
  o.precision = p;
  o.class_names = {"a", "b"};
  o.calibration = cal.data();
  o.calibration_samples = n;
  std::ostringstream notes;
  try {
    const deploy::ExportResult r = deploy::export_graph(g, o);
    *bytes = r.bytes;
    notes << "ops " << r.ops << " raw " << r.raw_output_tensor << " fl " << r.raw_output_fl << " q "
          << r.quantized_at_export << "\n";
    for (const auto& s : r.notes) notes << s << "\n";
  } catch (const std::exception& e) {
    bytes->clear();
    notes << "error: " << e.what() << "\n";
  }
  return notes.str();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void check_case(const std::string& name, const ir::Graph& g, ExportPrecision p, const std::vector<float>& cal, int n) {
  SCOPED_TRACE(name);
  std::vector<uint8_t> a, b;
  const std::string notes = export_text(g, p, cal, n, &a);
  EXPECT_EQ(export_text(g, p, cal, n, &b), notes);
  EXPECT_EQ(a, b) << "two exports of the same graph differ";
  if (!a.empty()) EXPECT_NO_THROW(slimrt::Model::from_memory(a.data(), a.size()));
  const char* dir = std::getenv("SLIMLAB_EXPORT_GOLDEN");
  if (!dir) return;
  const std::filesystem::path base = std::filesystem::path(dir) / name;
  const std::string got(a.begin(), a.end());
  if (!std::filesystem::exists(base.string() + ".notes")) {
    std::filesystem::create_directories(dir);
    std::ofstream(base.string() + ".slim", std::ios::binary) << got;
    std::ofstream(base.string() + ".notes") << notes;
    return;
  }
  EXPECT_EQ(read_file(base.string() + ".notes"), notes);
  EXPECT_TRUE(read_file(base.string() + ".slim") == got) << "the .slim bytes differ from " << base << ".slim";
}

class ExportBytes : public testing::TestWithParam<Model> {};

TEST_P(ExportBytes, EveryPrecisionIsDeterministic) {
  const Model& m = GetParam();
  const ir::Graph g = float_graph(m);
  const int n = 8;
  const std::vector<float> cal = calibration(m.shape, n);
  for (const test::ExportCase& c : test::export_cases(m.name, g, cal, n)) check_case(c.name, c.graph, c.precision, cal, n);
}

INSTANTIATE_TEST_SUITE_P(Models, ExportBytes, testing::ValuesIn(test::export_families()), test::family_name);

}  // namespace
}  // namespace slimlab
