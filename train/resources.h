#pragma once
// The resource profile of a Graph IR: parameters, bytes at the real storage
// precision, multiply-accumulates split by arithmetic precision, activation memory
// and an estimated energy per inference, per layer and in total. No LibTorch.
//
// Storage (bytes): each parameter at its format — fp32 4 B, fp16 2 B, fixed ⟨IL,FL⟩
// IL+FL bits, binary 1 bit plus one fp32 scale per tensor, shared weights
// codebook_bits-bit indices plus codebooks·2^bits centroids at the centroids'
// precision — bit-packed per tensor (⌈bits/8⌉). BN running statistics count.
//
// MAC precision of a layer (dense, conv, GRU/LSTM) follows its weights: fp32, fp16,
// int8 (fixed, word length ≤ 8), int16 (fixed, 9–16 bits), binary (±1 weights; an
// "xnor" MAC when the layer's input is binary too — a kSign layer or a binary
// activation format — else an addition at the accumulator's precision).
//
// Energy per inference (Horowitz, 45 nm; ALGORITHMS.md; the model is written out in
// docs/DESIGN-NOTES.md "Resource profile and energy model"):
//   compute     Σ MACs × energy of one MAC at its precision (energy_per_mac_pj)
//   weights     weight bytes read once, from the smallest SRAM that holds all the
//               model's weights (8 KB / 32 KB / 1 MB: 10 / 20 / 100 pJ per 64 bits)
//               or from DRAM (640 pJ per 32 bits) when they do not fit in 1 MB
//   activations every layer output written once and read once per consumer, from
//               the smallest SRAM holding the peak activation memory (or DRAM)
#include <cstdint>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::train {

struct LayerResources {
  std::string name;
  std::string kind;
  std::string precision;            // of the weights ("fp32", "fixed<4,4>", "binary", "codebook4", …)
  std::vector<int64_t> output_shape;
  int64_t params = 0;
  int64_t bytes = 0;                // parameter storage at its precision (bit-packed where < 8 bits)
  int64_t macs = 0;                 // per inference (batch 1)
  int64_t activation_bytes = 0;     // this layer's output at its activation precision
  std::string mac_precision = "-";  // "fp32" | "fp16" | "int16" | "int8" | "binary" | "xnor" | "-" (no MACs)
  double energy_pj = 0;             // compute + its weights + its activation traffic
};

struct ResourceProfile {
  std::vector<LayerResources> layers;
  int64_t params = 0;
  int64_t bytes = 0;
  int64_t macs = 0;
  int64_t peak_activation_bytes = 0;  // largest sum of live activations over the layer order
  // MACs by arithmetic precision (macs_binary counts binary-weight MACs, xnor ones included).
  int64_t macs_fp32 = 0, macs_fp16 = 0, macs_int16 = 0, macs_int8 = 0, macs_binary = 0;
  // Estimated energy of one inference, picojoules.
  double energy_pj = 0;
  double energy_compute_pj = 0, energy_weights_pj = 0, energy_activations_pj = 0;
  std::string weight_memory;      // where the weights are read from: "sram8k" | "sram32k" | "sram1m" | "dram"
  std::string activation_memory;  // the same for the activations
};

ResourceProfile profile(const ir::Graph& g);

// Energy of one MAC at `mac_precision` (LayerResources::mac_precision), pJ; for
// "binary" with a float input pass float_input = true (an fp32 addition).
double energy_per_mac_pj(const std::string& mac_precision, bool float_input = true);
// Energy of reading or writing one byte from the memory `tier` ("sram8k", …, "dram"), pJ.
double energy_per_byte_pj(const std::string& tier);
// The smallest memory holding `bytes`: "sram8k" (≤ 8 KiB), "sram32k", "sram1m" (≤ 1 MiB), else "dram".
std::string memory_tier(int64_t bytes);

}  // namespace slimlab::train
