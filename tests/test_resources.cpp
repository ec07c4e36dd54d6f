// The resource profile against numbers worked out by hand.
#include "train/resources.h"

#include <gtest/gtest.h>

#include "ir_fixtures.h"

namespace slimlab {
namespace {

using ir::LayerKind;
using namespace test;

const train::LayerResources& find(const train::ResourceProfile& rp, const std::string& name) {
  for (const auto& l : rp.layers)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

TEST(Resources, LeNet5ByHand) {
  const train::ResourceProfile rp = train::profile(lenet5_graph());
  ASSERT_EQ(rp.layers.size(), 9u);
  // MACs = out · in/groups · ∏k · ∏(output spatial) for a conv, in · out for a dense layer.
  EXPECT_EQ(find(rp, "conv1").macs, 20 * 1 * 25 * 24 * 24);  // 288,000
  EXPECT_EQ(find(rp, "conv2").macs, 50 * 20 * 25 * 8 * 8);   // 1,600,000
  EXPECT_EQ(find(rp, "fc1").macs, 800 * 500);                // 400,000
  EXPECT_EQ(find(rp, "fc2").macs, 500 * 10);                 // 5,000
  EXPECT_EQ(find(rp, "pool1").macs, 0);
  EXPECT_EQ(rp.macs, 2293000);

  EXPECT_EQ(find(rp, "conv1").params, 520);
  EXPECT_EQ(find(rp, "conv2").params, 25050);
  EXPECT_EQ(find(rp, "fc1").params, 400500);
  EXPECT_EQ(find(rp, "fc2").params, 5010);
  EXPECT_EQ(rp.params, 431080);
  EXPECT_EQ(rp.bytes, 431080 * 4);
  EXPECT_EQ(find(rp, "fc1").precision, "fp32");
  EXPECT_EQ(find(rp, "relu1").precision, "-");
  EXPECT_EQ(find(rp, "conv2").kind, "conv2d");
  EXPECT_EQ(find(rp, "pool2").output_shape, (std::vector<int64_t>{50, 4, 4}));

  // Activations in fp32: input 784·4, conv1 11,520·4, pool1 2,880·4, …
  EXPECT_EQ(find(rp, "input").activation_bytes, 3136);
  EXPECT_EQ(find(rp, "conv1").activation_bytes, 46080);
  EXPECT_EQ(find(rp, "pool1").activation_bytes, 11520);
  EXPECT_EQ(find(rp, "fc2").activation_bytes, 40);
  // The peak is while pool1 runs: conv1's output (46,080) and pool1's (11,520) are live.
  EXPECT_EQ(rp.peak_activation_bytes, 46080 + 11520);
}

TEST(Resources, StorageAtItsPrecision) {
  ir::Graph g = lenet5_graph();
  ir::Layer* fc1 = g.layer("fc1");
  // ⟨4, 4⟩ fixed point: 1 byte per weight; the bias stays fp32.
  fc1->params[0].format.precision = ir::Precision::kFixed;
  fc1->params[0].format.fixed = {4, 4};
  train::ResourceProfile rp = train::profile(g);
  EXPECT_EQ(find(rp, "fc1").bytes, 400000 + 500 * 4);
  EXPECT_EQ(find(rp, "fc1").precision, "mixed");
  EXPECT_EQ(find(rp, "fc1").macs, 400000);  // precision does not change the count

  // Binary weights and bias: bit-packed, ⌈n / 8⌉ bytes, plus one fp32 scale per tensor.
  for (ir::Param& p : fc1->params) p.format.precision = ir::Precision::kBinary;
  rp = train::profile(g);
  EXPECT_EQ(find(rp, "fc1").bytes, (50000 + 4) + (63 + 4));
  EXPECT_EQ(find(rp, "fc1").precision, "binary");

  fc1->params[0].format.precision = ir::Precision::kFixed;
  fc1->params[0].format.fixed = {2, 6};
  fc1->params[1].format = fc1->params[0].format;
  EXPECT_EQ(find(train::profile(g), "fc1").precision, "fixed<2,6>");

  // 8-bit activations for conv1 shrink its output and the peak.
  g = lenet5_graph();
  g.layer("conv1")->activation_format.precision = ir::Precision::kFixed;
  g.layer("conv1")->activation_format.fixed = {4, 4};
  rp = train::profile(g);
  EXPECT_EQ(find(rp, "conv1").activation_bytes, 11520);
  // Now the step of conv2 holds the most: pool1 (11,520) + conv2 (12,800); conv1 + pool1 = 23,040.
  EXPECT_EQ(rp.peak_activation_bytes, 11520 + 12800);
}

TEST(Resources, SharedWeightsStoreIndicesAndCodebooks) {
  ir::Graph g = lenet5_graph();
  ir::Param& w = g.layer("fc1")->params[0];
  w.format.codebook_bits = 4;  // 16 fp32 centroids
  w.format.codebooks = 1;
  train::ResourceProfile rp = train::profile(g);
  EXPECT_EQ(find(rp, "fc1").bytes, 400000 * 4 / 8 + 16 * 4 + 500 * 4);
  EXPECT_EQ(find(rp, "fc1").mac_precision, "fp32");  // the MACs use the fp32 centroids
  w.format.codebooks = 8;  // product quantization: one codebook per column block
  EXPECT_EQ(find(train::profile(g), "fc1").bytes, 400000 * 4 / 8 + 8 * 16 * 4 + 500 * 4);
}

TEST(Resources, MacsByPrecisionAndEnergyByHand) {
  // Float LeNet-5: every MAC is fp32 (3.7 pJ MULT + 0.9 pJ ADD).
  train::ResourceProfile rp = train::profile(lenet5_graph());
  EXPECT_EQ(rp.macs_fp32, rp.macs);
  EXPECT_EQ(rp.macs_int8 + rp.macs_int16 + rp.macs_fp16 + rp.macs_binary, 0);
  EXPECT_EQ(find(rp, "conv1").mac_precision, "fp32");
  EXPECT_EQ(find(rp, "pool1").mac_precision, "-");
  EXPECT_NEAR(rp.energy_compute_pj, 2293000 * 4.6, 1e-3);
  // 1.72 MB of weights do not fit a 1 MB SRAM: read from DRAM at 640 pJ per 32 bits.
  EXPECT_EQ(rp.weight_memory, "dram");
  EXPECT_NEAR(rp.energy_weights_pj, 431080.0 * 4 * 160, 1e-3);
  // Activations (peak 57,600 B → the 1 MB SRAM, 100 pJ per 64 bits): each output written
  // once and read once per consumer; fc2's output has no consumer.
  EXPECT_EQ(rp.activation_memory, "sram1m");
  const double traffic = 2.0 * (3136 + 46080 + 11520 + 12800 + 3200 + 3200 + 2000 + 2000) + 40;
  EXPECT_NEAR(rp.energy_activations_pj, traffic * 12.5, 1e-3);
  EXPECT_NEAR(rp.energy_pj, rp.energy_compute_pj + rp.energy_weights_pj + rp.energy_activations_pj, 1e-3);
  double per_layer = 0;
  for (const auto& l : rp.layers) per_layer += l.energy_pj;
  EXPECT_NEAR(per_layer, rp.energy_pj, 1e-6 * rp.energy_pj);

  // Quantized: fc1 8-bit → int8 MACs, conv2 12-bit → int16, conv1 binary with a float
  // input → additions; fc2 binary after a sign layer → xnor.
  ir::Graph g = lenet5_graph();
  auto set = [&](const std::string& layer, ir::Precision p, int il, int fl) {
    for (ir::Param& q : g.layer(layer)->params) {
      q.format.precision = p;
      q.format.fixed = {il, fl};
    }
  };
  set("fc1", ir::Precision::kFixed, 4, 4);
  set("conv2", ir::Precision::kFixed, 4, 8);
  set("conv1", ir::Precision::kBinary, 0, 0);
  set("fc2", ir::Precision::kBinary, 0, 0);
  g.layer("relu1")->kind = LayerKind::kSign;
  rp = train::profile(g);
  EXPECT_EQ(find(rp, "fc1").mac_precision, "int8");
  EXPECT_EQ(find(rp, "conv2").mac_precision, "int16");
  EXPECT_EQ(find(rp, "conv1").mac_precision, "binary");
  EXPECT_EQ(find(rp, "fc2").mac_precision, "xnor");
  EXPECT_EQ(rp.macs_int8, 400000);
  EXPECT_EQ(rp.macs_int16, 1600000);
  EXPECT_EQ(rp.macs_binary, 288000 + 5000);
  EXPECT_EQ(rp.macs_fp32, 0);
  EXPECT_NEAR(rp.energy_compute_pj, 400000 * 0.3 + 1600000 * 0.9 + 288000 * 0.9 + 5000 * 0.4 / 64, 1e-3);
  // 8/12-bit and binary weights: 400 KB + 37.6 KB + … fit in the 1 MB SRAM now.
  EXPECT_EQ(rp.weight_memory, "sram1m");
  EXPECT_LT(rp.energy_pj, train::profile(lenet5_graph()).energy_pj / 10);
}

TEST(Resources, EnergyTable) {
  EXPECT_DOUBLE_EQ(train::energy_per_mac_pj("fp32"), 4.6);
  EXPECT_DOUBLE_EQ(train::energy_per_mac_pj("fp16"), 1.5);
  EXPECT_DOUBLE_EQ(train::energy_per_mac_pj("int8"), 0.3);
  EXPECT_DOUBLE_EQ(train::energy_per_mac_pj("binary", /*float_input=*/false), 0.1);
  EXPECT_EQ(train::memory_tier(8 * 1024), "sram8k");
  EXPECT_EQ(train::memory_tier(8 * 1024 + 1), "sram32k");
  EXPECT_EQ(train::memory_tier(1024 * 1024 + 1), "dram");
  EXPECT_DOUBLE_EQ(train::energy_per_byte_pj("dram"), 160.0);
}

TEST(Resources, RecurrentAndBatchNormMacs) {
  ir::Graph g;
  g.model = "rnn";
  g.input_shape = {20, 10};
  g.num_classes = 3;
  ir::Layer gru = layer("gru", LayerKind::kGru, {"input"}, {20, 8});
  gru.in_features = 10;
  gru.out_features = 8;
  gru.params = {param("weight_ih_l0", {24, 10}), param("weight_hh_l0", {24, 8}), param("bias_ih_l0", {24}),
                param("bias_hh_l0", {24})};
  ir::Layer lstm = layer("lstm", LayerKind::kLstm, {"gru"}, {20, 6});
  lstm.in_features = 8;
  lstm.out_features = 6;
  lstm.params = {param("weight_ih_l0", {24, 8}), param("weight_hh_l0", {24, 6}), param("bias_ih_l0", {24}),
                 param("bias_hh_l0", {24})};
  ir::Layer bn = layer("bn", LayerKind::kBatchNorm, {"lstm"}, {20, 6});
  bn.params = {param("weight", {20}), param("bias", {20}), param("running_mean", {20}, false),
               param("running_var", {20}, false)};
  g.layers = {layer("input", LayerKind::kInput, {}, {20, 10}), gru, lstm, bn,
              layer("mean", LayerKind::kMeanOverTime, {"bn"}, {6}), dense("fc", "mean", 6, 3)};
  ASSERT_NO_THROW(g.validate());
  const train::ResourceProfile rp = train::profile(g);
  EXPECT_EQ(find(rp, "gru").macs, 20 * 3 * 8 * (10 + 8));   // T · 3H · (F + H)
  EXPECT_EQ(find(rp, "lstm").macs, 20 * 4 * 6 * (8 + 6));   // T · 4H · (F + H)
  EXPECT_EQ(find(rp, "bn").macs, 0);                        // folded into the layer before it
  EXPECT_EQ(find(rp, "bn").params, 40);                     // γ, β
  EXPECT_EQ(find(rp, "bn").bytes, 80 * 4);                  // the running statistics are stored too
  EXPECT_EQ(rp.macs, 8640 + 6720 + 18);
}

TEST(Resources, GroupedAndOneDimensionalConvs) {
  ir::Graph g;
  g.model = "conv1d";
  g.input_shape = {8, 50};
  ir::Layer c = layer("conv", LayerKind::kConv1d, {"input"}, {16, 46});
  c.in_features = 8;
  c.out_features = 16;
  c.groups = 4;
  c.kernel = {5};
  c.params = {param("weight", {16, 2, 5}), param("bias", {16})};
  g.layers = {layer("input", LayerKind::kInput, {}, {8, 50}), c};
  ASSERT_NO_THROW(g.validate());
  EXPECT_EQ(train::profile(g).macs, 16 * 2 * 5 * 46);
}

TEST(Resources, PeakCountsOutputsWaitingForALaterConsumer) {
  // input → a → b → sum(a, b): a stays live while b runs, so the step of `sum`
  // holds a, b and sum at once.
  ir::Graph g;
  g.model = "skip";
  g.input_shape = {100};
  g.layers = {layer("input", LayerKind::kInput, {}, {100}), layer("a", LayerKind::kRelu, {"input"}, {100}),
              layer("b", LayerKind::kRelu, {"a"}, {100}), layer("sum", LayerKind::kAdd, {"a", "b"}, {100})};
  EXPECT_EQ(train::profile(g).peak_activation_bytes, 3 * 400);
  g.layers[3] = layer("c", LayerKind::kRelu, {"b"}, {100});  // a chain: two live at a time
  EXPECT_EQ(train::profile(g).peak_activation_bytes, 2 * 400);
}

}  // namespace
}  // namespace slimlab
