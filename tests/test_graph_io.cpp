// The Graph IR's HDF5 form: exact round trips (structure, formats, weights,
// prunable groups) and clear errors on damaged or hostile files.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "datasets/errors.h"
#include "datasets/h5.h"
#include "tests/h5_edit.h"
#include "tests/ir_fixtures.h"
#include "tests/test_util.h"
#include "train/graph_io.h"

namespace slimlab {
namespace {

ir::Graph lenet_with_weights() {
  ir::Graph g = test::lenet5_graph();
  std::mt19937 rng(7);
  test::fill_normal(g, rng, 0.1f);
  // Formats of every kind, so each field is exercised.
  g.layer("conv1")->params[0].format = {ir::Precision::kFixed, {2, 6}};
  g.layer("conv2")->params[0].format = {ir::Precision::kBinary, {}};
  g.layer("fc1")->params[1].format = {ir::Precision::kFloat16, {}};
  g.layer("fc1")->activation_format = {ir::Precision::kFixed, {4, 12}};
  g.layer("relu1")->min_value = -3.5f;
  g.layer("relu1")->alpha = 0.125f;
  g.layer("relu1")->beta = -0.5f;
  g.layer("fc2")->params[0].format.codebook_bits = 4;
  g.layer("fc2")->params[0].format.codebooks = 2;
  return g;
}

// A recurrent graph with a slice, transpose and concat, so the other attributes round-trip.
ir::Graph gru_graph() {
  using ir::LayerKind;
  ir::Graph g;
  g.model = "tiny_gru";
  g.input_shape = {5, 6};
  g.num_classes = 3;
  auto in = test::layer("input", LayerKind::kInput, {}, {5, 6});
  auto a = test::layer("a", LayerKind::kSlice, {"input"}, {5, 2});
  a.axis = 1;
  a.begin = 0;
  a.end = 2;
  auto b = test::layer("b", LayerKind::kSlice, {"input"}, {5, 4});
  b.axis = 1;
  b.begin = 2;
  b.end = 6;
  auto cat = test::layer("cat", LayerKind::kConcat, {"a", "b"}, {5, 6});
  cat.axis = 1;
  auto gru = test::layer("gru", LayerKind::kGru, {"cat"}, {5, 4});
  gru.in_features = 6;
  gru.out_features = 4;
  gru.gate_preactivation_format = {ir::Precision::kFixed, {6, 10}};
  gru.gate_format = {ir::Precision::kFixed, {1, 7}};
  gru.cell_format = {ir::Precision::kFixed, {4, 12}};
  gru.params = {test::param("weight_ih_l0", {12, 6}), test::param("weight_hh_l0", {12, 4}),
                test::param("bias_ih_l0", {12}), test::param("bias_hh_l0", {12})};
  auto mean = test::layer("mean", LayerKind::kMeanOverTime, {"gru"}, {4});
  auto fc = test::dense("fc", "mean", 4, 3);
  g.layers = {in, a, b, cat, gru, mean, fc};
  g.groups = {{"gru", "rnn", 4,
               {{"gru", "weight_ih_l0", 0, 1, 4}, {"gru", "weight_hh_l0", 0, 1, 4}, {"gru", "weight_hh_l0", 1}},
               {{"fc", "weight", 1}}}};
  return g;
}

void expect_same(const ir::Graph& a, const ir::Graph& b) {
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.input_shape, b.input_shape);
  EXPECT_EQ(a.num_classes, b.num_classes);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const auto &x = a.layers[i], &y = b.layers[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.output_shape, y.output_shape);
    EXPECT_EQ(x.in_features, y.in_features);
    EXPECT_EQ(x.out_features, y.out_features);
    EXPECT_EQ(x.kernel, y.kernel);
    EXPECT_EQ(x.stride, y.stride);
    EXPECT_EQ(x.padding, y.padding);
    EXPECT_EQ(x.dilation, y.dilation);
    EXPECT_EQ(x.groups, y.groups);
    EXPECT_EQ(x.axis, y.axis);
    EXPECT_EQ(x.begin, y.begin);
    EXPECT_EQ(x.end, y.end);
    EXPECT_EQ(x.perm, y.perm);
    EXPECT_EQ(x.bias, y.bias);
    EXPECT_EQ(x.min_value, y.min_value);
    EXPECT_EQ(x.max_value, y.max_value);
    EXPECT_EQ(x.alpha, y.alpha);
    EXPECT_EQ(x.beta, y.beta);
    EXPECT_EQ(x.activation_format.precision, y.activation_format.precision);
    EXPECT_EQ(x.activation_format.fixed.il, y.activation_format.fixed.il);
    EXPECT_EQ(x.activation_format.fixed.fl, y.activation_format.fixed.fl);
    for (auto [fa, fb] : {std::pair{&x.gate_preactivation_format, &y.gate_preactivation_format},
                          std::pair{&x.gate_format, &y.gate_format}, std::pair{&x.cell_format, &y.cell_format}}) {
      EXPECT_EQ(fa->precision, fb->precision);
      EXPECT_EQ(fa->fixed.il, fb->fixed.il);
      EXPECT_EQ(fa->fixed.fl, fb->fixed.fl);
    }
    ASSERT_EQ(x.params.size(), y.params.size());
    for (size_t j = 0; j < x.params.size(); ++j) {
      EXPECT_EQ(x.params[j].name, y.params[j].name);
      EXPECT_EQ(x.params[j].shape, y.params[j].shape);
      EXPECT_EQ(x.params[j].trainable, y.params[j].trainable);
      EXPECT_EQ(x.params[j].format.precision, y.params[j].format.precision);
      EXPECT_EQ(x.params[j].format.fixed.il, y.params[j].format.fixed.il);
      EXPECT_EQ(x.params[j].format.fixed.fl, y.params[j].format.fixed.fl);
      EXPECT_EQ(x.params[j].format.codebook_bits, y.params[j].format.codebook_bits);
      EXPECT_EQ(x.params[j].format.codebooks, y.params[j].format.codebooks);
      EXPECT_EQ(x.params[j].data, y.params[j].data);  // bit-exact floats
    }
  }
  ASSERT_EQ(a.groups.size(), b.groups.size());
  for (size_t k = 0; k < a.groups.size(); ++k) {
    EXPECT_EQ(a.groups[k].name, b.groups[k].name);
    EXPECT_EQ(a.groups[k].kind, b.groups[k].kind);
    EXPECT_EQ(a.groups[k].units, b.groups[k].units);
    for (int side = 0; side < 2; ++side) {
      const auto& ra = side ? a.groups[k].consumers : a.groups[k].producers;
      const auto& rb = side ? b.groups[k].consumers : b.groups[k].producers;
      ASSERT_EQ(ra.size(), rb.size());
      for (size_t i = 0; i < ra.size(); ++i) {
        EXPECT_EQ(ra[i].layer, rb[i].layer);
        EXPECT_EQ(ra[i].param, rb[i].param);
        EXPECT_EQ(ra[i].axis, rb[i].axis);
        EXPECT_EQ(ra[i].block, rb[i].block);
        EXPECT_EQ(ra[i].gate_stride, rb[i].gate_stride);
      }
    }
  }
}

TEST(GraphIo, RoundTripWithWeightsAndFormats) {
  test::TempDir dir;
  const ir::Graph g = lenet_with_weights();
  ir::write_graph_h5(dir / "model.h5", g);
  expect_same(g, ir::read_graph_h5(dir / "model.h5"));
}

// Files written before leaky_relu / hard_sigmoid have no alpha / beta attributes: 0.
TEST(GraphIo, FilesWithoutAlphaAndBetaReadAsZero) {
  test::TempDir dir;
  const ir::Graph g = lenet_with_weights();
  ir::write_graph_h5(dir / "old.h5", g);
  {
    test::H5Edit e(dir / "old.h5");
    ASSERT_TRUE(e.ok());
    for (size_t i = 0; i < g.layers.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "/layers/%04zu", i);
      const hid_t o = H5Oopen(e.f, name, H5P_DEFAULT);
      ASSERT_GE(o, 0) << name;
      EXPECT_GE(H5Adelete(o, "alpha"), 0);
      EXPECT_GE(H5Adelete(o, "beta"), 0);
      H5Oclose(o);
    }
  }
  const ir::Graph back = ir::read_graph_h5(dir / "old.h5");
  EXPECT_EQ(back.layer("relu1")->alpha, 0.0f);
  EXPECT_EQ(back.layer("relu1")->beta, 0.0f);
  EXPECT_EQ(back.layer("relu1")->min_value, -3.5f);
  EXPECT_EQ(back.parameter_count(), g.parameter_count());
}

TEST(GraphIo, RoundTripStructureOnlyAndRecurrent) {
  test::TempDir dir;
  const ir::Graph g = gru_graph();
  g.validate();
  ir::write_graph_h5(dir / "gru.h5", g);
  const ir::Graph back = ir::read_graph_h5(dir / "gru.h5");
  expect_same(g, back);
  EXPECT_TRUE(back.layer("gru")->params[0].data.empty());
}

TEST(GraphIo, WriteIsAtomicAndOverwrites) {
  test::TempDir dir;
  ir::write_graph_h5(dir / "m.h5", gru_graph());
  ir::write_graph_h5(dir / "m.h5", lenet_with_weights());
  EXPECT_EQ(ir::read_graph_h5(dir / "m.h5").model, "lenet5");
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename(), "m.h5") << "left a temporary file behind";
}

// Expects a DataError whose message contains every fragment.
void expect_error(const std::filesystem::path& p, std::initializer_list<const char*> fragments) {
  try {
    ir::read_graph_h5(p);
    ADD_FAILURE() << "no error for " << p;
  } catch (const data::DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
    for (const char* f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  }
}

TEST(GraphIo, MissingAndNonHdf5Files) {
  test::TempDir dir;
  expect_error(dir / "none.h5", {"no such file"});
  test::write_text(dir / "text.h5", "not hdf5 at all");
  expect_error(dir / "text.h5", {"not an HDF5 file"});
}

TEST(GraphIo, TruncatedAndCorruptedFilesAreErrors) {
  test::TempDir dir;
  ir::write_graph_h5(dir / "m.h5", lenet_with_weights());
  std::ifstream in(dir / "m.h5", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 4096u);
  for (size_t cut : {size_t(100), bytes.size() / 3, bytes.size() / 2, bytes.size() - 100}) {
    const auto p = dir / ("cut" + std::to_string(cut) + ".h5");
    std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(cut));
    EXPECT_THROW(ir::read_graph_h5(p), data::DataError) << "cut at " << cut;
  }
  // Flipped bytes: either an error or, when the flip hit unused space or weight
  // values, a graph that still validates — never a crash.
  std::mt19937 rng(3);
  for (int trial = 0; trial < 40; ++trial) {
    std::string b = bytes;
    for (int k = 0; k < 8; ++k) b[rng() % b.size()] ^= char(1 + rng() % 255);
    const auto p = dir / "flip.h5";
    std::ofstream(p, std::ios::binary | std::ios::trunc).write(b.data(), std::streamsize(b.size()));
    try {
      ir::read_graph_h5(p).validate();
    } catch (const data::DataError&) {
    }
  }
}

TEST(GraphIo, CraftedFilesNameTheCulprit) {
  test::TempDir dir;
  // Not our format at all.
  {
    auto f = h5::File::create(dir / "other.h5");
    f.set_attr("/", "format", std::string("something-else"));
    f.commit();
    expect_error(dir / "other.h5", {"not a SlimLab graph file"});
  }
  // A future version.
  {
    auto f = h5::File::create(dir / "v9.h5");
    f.set_attr("/", "format", std::string("slimlab-graph"));
    f.set_attr("/", "version", int64_t(9));
    f.commit();
    expect_error(dir / "v9.h5", {"version 9"});
  }
  // Take a good file and rebuild it with one field broken: write the graph, then
  // patch attributes / datasets in place with the HDF5 C API.
  const ir::Graph g = lenet_with_weights();
  auto patch = [&](const std::string& name, auto fn) -> std::filesystem::path {
    const auto p = dir / (name + ".h5");
    ir::write_graph_h5(p, g);
    test::H5Edit e(p);
    if (e.ok()) fn(e);
    return p;
  };
  {
    std::filesystem::path p;
    p = patch("kind", [&](test::H5Edit& e) { e.attr("/layers/0003", "kind", std::string("warp_drive")); });
    expect_error(p, {"/layers/0003", "conv2", "unknown layer kind 'warp_drive'"});
  }
  {
    auto p = patch("count", [&](test::H5Edit& e) { e.attr("/layers", "count", int64_t(1) << 40); });
    expect_error(p, {"/layers", "count"});
  }
  {
    auto p = patch("missing_layer", [&](test::H5Edit& e) { e.attr("/layers", "count", int64_t(12)); });
    expect_error(p, {"missing '/layers/0009'"});
  }
  {
    auto p = patch("precision",
                   [&](test::H5Edit& e) { e.attr("/layers/0001/params/0000", "precision", std::string("int3")); });
    expect_error(p, {"/layers/0001/params/0000", "unknown precision 'int3'"});
  }
  {
    // Weights whose count does not match the declared shape.
    auto p =
        patch("data", [&](test::H5Edit& e) { e.put_floats("/layers/0006/params/0001/data", std::vector<float>(7)); });
    expect_error(p, {"/layers/0006/params/0001/data", "fc1", "holds 7 values", "needs 500"});
  }
  {
    // Structure that Graph::validate() rejects: an input that does not exist.
    auto p = patch("dangling", [&](test::H5Edit& e) { e.put_strings("/layers/0008/inputs", {"nowhere"}); });
    expect_error(p, {"invalid graph", "fc2"});
  }
  {
    auto p = patch("huge_shape", [&](test::H5Edit& e) {
      e.put("/layers/0002/output_shape", std::vector<int64_t>(4, int64_t(1) << 30), {4});
    });
    expect_error(p, {"/layers/0002/output_shape", "too many entries"});
  }
}

}  // namespace
}  // namespace slimlab
