// `[model] onnx = "lenet.onnx"` in an experiment, run by the slimlab binary (hence a
// test_cli_* file: tools/sanitize-test.sh leaves those to `make asan`): the model written
// by torch.onnx.export (tests/onnx/make_models.py) is imported for the data's input
// shape, trains (the loss falls), a deepiot stage prunes its derived groups and a
// fixed_point stage quantizes it; its int8 .slim computes the workbench's bit-exact
// evaluation (compress::quant::evaluate_fixed_point) integer for integer, and
// `slimlab export --format onnx` writes the pruned network back as ONNX.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "compress/quant/graph_eval.h"
#include "deploy/export/exporter.h"
#include "import/onnx_import.h"
#include "onnx/onnx_test_util.h"
#include "slimrt/runtime.h"
#include "train/graph_io.h"

namespace fs = std::filesystem;
using namespace slimlab;

namespace {

// Written once per test process (the first call decides which): every model of this file.
constexpr const char* kModels = "lenet,resnet,se,bigru";

std::string experiment(const fs::path& onnx, const std::string& extra = "") {
  return "name = \"onnx_lenet\"\n"
         "[dataset]\nsource = \"synthetic:vision\"\nsynthetic_scale = 0.25\n"
         "[model]\nonnx = \"" + onnx.string() + "\"\n" + extra +
         "[train]\nepochs = 3\nlr = 0.002\nbatch_size = 32\nthreads = 1\n"
         "[[stage]]\ntype = \"deepiot\"\nthreshold_every = 1\nmax_iterations = 60\neval_every = 20\nepochs = 1\n"
         "[[stage]]\ntype = \"fixed_point\"\nword_length = 8\n"
         "[export]\nenabled = true\nprecision = \"int8\"\n";
}

// `slimlab train` of `toml` (written into `dir`) as run "one" under dir/runs.
test::CommandResult train(const test::TempDir& dir, const std::string& toml) {
  test::write_text(dir / "exp.toml", toml);
  return test::run_slimlab("train " + (dir / "exp.toml").string() + " --run-id one --quiet --runs " +
                           (dir / "runs").string() + " --set dataset.cache_dir=" + (dir / "cache").string());
}

// Train losses of curves.csv (column "train_loss"), in epoch order.
std::vector<double> train_losses(const fs::path& csv) {
  std::ifstream f(csv);
  std::string line;
  std::getline(f, line);
  std::vector<std::string> head;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) head.push_back(c);
  const size_t col = size_t(std::find(head.begin(), head.end(), "train_loss") - head.begin());
  std::vector<double> out;
  while (std::getline(f, line)) {
    std::stringstream ls(line);
    std::string c;
    for (size_t i = 0; std::getline(ls, c, ','); ++i)
      if (i == col) out.push_back(std::stod(c));
  }
  return out;
}

// The log of run `run` after both stages ran and the train loss fell below `ratio` of
// its first epoch's by the third.
std::string expect_trained_and_staged(const fs::path& run, double ratio) {
  const std::string log = test::read_text(run / "log.txt");
  EXPECT_NE(log.find("stage 0 (deepiot): done"), std::string::npos) << log;
  EXPECT_NE(log.find("stage 1 (fixed_point): done"), std::string::npos) << log;
  const std::vector<double> losses = train_losses(run / "curves.csv");
  EXPECT_GE(losses.size(), 3u);
  if (losses.size() >= 3) EXPECT_LT(losses[2], losses[0] * ratio) << "the imported model does not learn";
  for (size_t i = 0; i < losses.size(); ++i) std::cout << (i ? ", " : "train loss per epoch: ") << losses[i];
  std::cout << "\n";
  EXPECT_TRUE(fs::exists(run / "model.slim"));
  return log;
}

// The final graph (pruned, fixed point) exported as int8: slimrt's integer logits equal
// the workbench's evaluator's.
void expect_int8_bit_exact(const ir::Graph& g, const test::OnnxReference& ref) {
  deploy::ExportOptions o;
  o.precision = deploy::ExportPrecision::kInt8;
  const deploy::ExportResult e = deploy::export_graph(g, o);
  ASSERT_GE(e.raw_output_tensor, 0);
  EXPECT_EQ(test::slimrt_raw_logits(e.bytes, e.raw_output_tensor, ref),
            compress::quant::evaluate_fixed_point(e.graph, ref.x.data(), ref.n).raw);
}

// `slimlab export --format onnx` of run `exp`/one: the pruned fixed-point network as a
// smaller dense ONNX graph in QDQ form that passes onnx.checker and imports back to the
// same fixed-point model: the float logits of model.h5, the same integers, the same
// int8 .slim; one Q/DQ pair per layer, a DequantizeLinear per conv / dense weight and bias.
void expect_onnx_export_round_trips(const test::TempDir& dir, const std::string& exp, const ir::Graph& g,
                                    const test::OnnxReference& ref) {
  const fs::path run = dir / "runs" / exp / "one";
  const auto x = test::run_slimlab("export " + exp + "/one --format onnx --runs " + (dir / "runs").string());
  ASSERT_EQ(x.code, 0) << x.out;
  EXPECT_NE(x.out.find("fixed point as QuantizeLinear / DequantizeLinear"), std::string::npos) << x.out;
  std::string check;
  EXPECT_EQ(test::run_onnx_script("check_model.py", (run / "model.onnx").string(), &check), 0) << check;
  onnx_import::ImportOptions io;
  io.model_name = g.model;
  const ir::Graph back = onnx_import::import_onnx_file(run / "model.onnx", io).graph;
  EXPECT_EQ(back.parameter_count(), g.parameter_count());
  const auto a = compress::quant::evaluate_reference(g, ref.x.data(), ref.n);
  const auto b = compress::quant::evaluate_reference(back, ref.x.data(), ref.n);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5) << i;
  EXPECT_EQ(compress::quant::evaluate_fixed_point(back, ref.x.data(), ref.n).raw,
            compress::quant::evaluate_fixed_point(g, ref.x.data(), ref.n).raw);
  deploy::ExportOptions o;
  o.precision = deploy::ExportPrecision::kInt8;
  EXPECT_EQ(deploy::export_graph(back, o).bytes, deploy::export_graph(g, o).bytes);
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(test::read_text(run / "model.onnx")));
  std::set<std::string> initializers;
  for (const auto& t : m.graph().initializer()) initializers.insert(t.name());
  int quantize = 0, data_dequantize = 0, weight_dequantize = 0;
  for (const auto& n : m.graph().node()) {
    quantize += n.op_type() == "QuantizeLinear";
    if (n.op_type() == "DequantizeLinear") (initializers.count(n.input(0)) ? weight_dequantize : data_dequantize)++;
  }
  EXPECT_EQ(quantize, int(g.layers.size()));  // the input included: the workbench quantizes every output
  EXPECT_EQ(data_dequantize, quantize);
  int weighted = 0;  // conv / dense weights and biases; GRU / LSTM weights (their biases stay float)
  for (const ir::Layer& l : g.layers)
    if (l.kind == ir::LayerKind::kDense || l.kind == ir::LayerKind::kConv1d || l.kind == ir::LayerKind::kConv2d ||
        l.kind == ir::LayerKind::kDepthwiseConv2d)
      weighted += 1 + (l.bias ? 1 : 0);
    else if (l.kind == ir::LayerKind::kGru || l.kind == ir::LayerKind::kLstm)
      weighted += 2;
  EXPECT_EQ(weight_dequantize, weighted);
}

// The final graph of run onnx_lenet/one, trained from `models`/`name`.onnx: pruned (fewer
// parameters than the import), its int8 .slim bit-exact, its ONNX export round-tripping.
ir::Graph expect_pruned_quantized_exported(const test::TempDir& dir, const fs::path& models, const std::string& name) {
  const ir::Graph g = ir::read_graph_h5(dir / "runs/onnx_lenet/one/model.h5");
  const ir::Graph first = onnx_import::import_onnx_file(models / (name + ".onnx")).graph;
  EXPECT_LT(g.parameter_count(), first.parameter_count()) << "deepiot removed no unit";
  std::cout << name << ": " << first.parameter_count() << " parameters imported, " << g.parameter_count()
            << " after deepiot\n";
  const test::OnnxReference ref = test::onnx_reference(models, name);
  expect_int8_bit_exact(g, ref);
  expect_onnx_export_round_trips(dir, "onnx_lenet", g, ref);
  return g;
}

}  // namespace

TEST(OnnxExperiment, ImportedLeNetTrainsPrunesQuantizesAndItsInt8SlimIsBitExact) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const fs::path models = test::onnx_models_dir(kModels);
  test::TempDir dir;
  const auto r = train(dir, experiment(models / "lenet.onnx"));
  ASSERT_EQ(r.code, 0) << r.out;
  const fs::path run = dir / "runs/onnx_lenet/one";
  const std::string log = expect_trained_and_staged(run, 0.8);
  EXPECT_NE(log.find("model: prunable groups conv1:6 conv2:16 fc1:32"), std::string::npos) << log;
  expect_pruned_quantized_exported(dir, models, "lenet");
}

// A squeeze-and-excitation CNN (a data-path Mul broadcasting the [16, 1, 1] gate over
// [16, 7, 7]): conv2's units are shared with the gate's dense layer se2 through the
// broadcast; the model trains, is pruned through that group and quantized bit-exactly.
TEST(OnnxExperiment, SqueezeExcitationCnnTrainsPrunesThroughTheBroadcastAndIsBitExact) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const fs::path models = test::onnx_models_dir(kModels);
  test::TempDir dir;
  const auto r = train(dir, experiment(models / "se.onnx"));
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string log = expect_trained_and_staged(dir / "runs/onnx_lenet/one", 0.8);
  EXPECT_NE(log.find("model: prunable groups conv1:8 conv2:16+se2 se1:4"), std::string::npos) << log;
  const ir::Graph g = expect_pruned_quantized_exported(dir, models, "se");
  EXPECT_EQ(g.layer("conv2")->out_features, g.layer("se2")->out_features) << "the gate follows the channels";
}

// A bidirectional GRU behind a Conv1d (torch.onnx.export's bidirectional GRU: forward and
// reverse layers, Reverse layers, a concat per step) on synthetic:har: it trains, deepiot
// prunes the conv's units (followed through the Reverse into both directions' input
// weights) and fc1's, fixed_point quantizes it; int8 .slim bit-exact, ONNX round trip.
TEST(OnnxExperiment, BidirectionalGruTrainsPrunesQuantizesAndExports) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const fs::path models = test::onnx_models_dir(kModels);
  test::TempDir dir;
  std::string toml = experiment(models / "bigru.onnx");
  toml.replace(toml.find("synthetic:vision"), 16, "synthetic:har");
  toml.replace(toml.find("lr = 0.002"), 10, "lr = 0.01");
  // The GRUs' weights are not in a group (the concat): 0.42 of the parameters stay at one unit per group.
  toml.insert(toml.find("threshold_every"), "target_size = 0.7\n");
  const auto r = train(dir, toml);
  ASSERT_EQ(r.code, 0) << r.out;
  const fs::path run = dir / "runs/onnx_lenet/one";
  const std::string log = expect_trained_and_staged(run, 0.9);
  EXPECT_NE(log.find("model: prunable groups conv:8 fc1:12"), std::string::npos) << log;
  EXPECT_NE(log.find("prunable group 'gru' left out: they feed concat"), std::string::npos) << log;
  const ir::Graph g = expect_pruned_quantized_exported(dir, models, "bigru");
  EXPECT_EQ(g.layer("gru")->in_features, g.layer("conv")->out_features);
  EXPECT_EQ(g.layer("gru_reverse")->in_features, g.layer("conv")->out_features);
}

TEST(OnnxExperiment, ResidualCnnSharesGroupsAcrossAddsAndDeepIoTPrunesThem) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const fs::path models = test::onnx_models_dir(kModels);
  test::TempDir dir;
  std::string toml = experiment(models / "resnet.onnx");
  toml.replace(toml.find("synthetic:vision"), 16, "synthetic:vision-rgb");
  toml.replace(toml.find("epochs = 3"), 10, "epochs = 1");
  const auto r = train(dir, toml);
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string log = test::read_text(dir / "runs/onnx_lenet/one/log.txt");
  // The stem and block 1's second conv feed one add: one group; block 2's conv and its shortcut another.
  EXPECT_NE(log.find("model: prunable groups stem.stem.0:8+block1.c2 block1.c1:8 block2.c1:16 "
                     "block2.c2:16+block2.short.short.0"), std::string::npos) << log;
  EXPECT_NE(log.find("stage 1 (fixed_point): done"), std::string::npos) << log;
  const ir::Graph g = ir::read_graph_h5(dir / "runs/onnx_lenet/one/model.h5");
  EXPECT_EQ(g.layer("stem.stem.0")->out_features, g.layer("block1.c2")->out_features);
  EXPECT_EQ(g.layer("block2.c2")->out_features, g.layer("block2.short.short.0")->out_features);
}

TEST(OnnxExperiment, InputShapeMismatchIsAClearError) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const fs::path models = test::onnx_models_dir(kModels);
  test::TempDir dir;
  // resnet.onnx is a classifier of [3, 32, 32] images; synthetic:vision is [1, 28, 28].
  const auto r = train(dir, experiment(models / "resnet.onnx"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("resnet.onnx"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("requested per-sample shape"), std::string::npos) << r.out;
}

TEST(OnnxExperiment, WidthDoesNotApplyToAnImportedModel) {
  test::TempDir dir;
  const auto r = train(dir, experiment(dir / "missing.onnx", "width = 0.5\n"));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("model.width"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("keeps its own widths"), std::string::npos) << r.out;
}
