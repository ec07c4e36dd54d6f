#include "train/resources.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "train/op_facts.h"

namespace slimlab::train {

namespace {

std::string format_name(const ir::NumericFormat& f) {
  std::string base = f.precision == ir::Precision::kFixed
                         ? "fixed<" + std::to_string(f.fixed.il) + "," + std::to_string(f.fixed.fl) + ">"
                         : std::string(ir::to_string(f.precision));
  if (f.codebook_bits > 0) return "codebook" + std::to_string(f.codebook_bits) + "(" + base + ")";
  return base;
}

// The weights' precision: "-" without parameters, "mixed" when they differ.
std::string weight_precision(const ir::Layer& l) {
  if (l.params.empty()) return "-";
  const std::string first = format_name(l.params[0].format);
  for (const ir::Param& p : l.params)
    if (format_name(p.format) != first) return "mixed";
  return first;
}

// The format of the weights that multiply (weight, or weight_ih_l0 of a GRU / LSTM).
const ir::NumericFormat* mac_format(const ir::Layer& l) {
  if (const ir::Param* w = l.param("weight")) return &w->format;
  if (const ir::Param* w = l.param("weight_ih_l0")) return &w->format;
  return nullptr;
}

}  // namespace

std::string memory_tier(int64_t bytes) {
  if (bytes <= 8 * 1024) return "sram8k";
  if (bytes <= 32 * 1024) return "sram32k";
  if (bytes <= 1024 * 1024) return "sram1m";
  return "dram";
}

double energy_per_byte_pj(const std::string& tier) {
  // Horowitz: 64-bit SRAM access 10 / 20 / 100 pJ (8 KB / 32 KB / 1 MB); 32-bit DRAM read 640 pJ.
  if (tier == "sram8k") return 10.0 / 8;
  if (tier == "sram32k") return 20.0 / 8;
  if (tier == "sram1m") return 100.0 / 8;
  return 640.0 / 4;
}

double energy_per_mac_pj(const std::string& p, bool float_input) {
  // MULT at the operand precision + ADD into the accumulator (Horowitz, 45 nm).
  if (p == "fp32") return 3.7 + 0.9;
  if (p == "fp16") return 1.1 + 0.4;
  if (p == "int8") return 0.2 + 0.1;   // 8-bit MULT, 32-bit ADD
  if (p == "int16") return 0.8 + 0.1;  // 16-bit MULT: 0.2 pJ · (16/8)² (quadratic in width; 32-bit gives 3.2 ≈ 3.1)
  if (p == "binary") return float_input ? 0.9 : 0.1;  // ±w: one addition (fp32, or int32 for fixed inputs)
  if (p == "xnor") return 0.4 / 64;    // 64 MACs per 64-bit XNOR + popcount + add ≈ four 32-bit int ADDs
  return 0;
}

namespace {

bool is_binary_input(const ir::Graph& g, const ir::Layer& l) {
  for (const std::string& in : l.inputs) {
    const ir::Layer* p = g.layer(in);
    if (!p) return false;
    if (p->kind != ir::LayerKind::kSign && p->activation_format.precision != ir::Precision::kBinary) return false;
  }
  return !l.inputs.empty();
}

bool is_float_input(const ir::Graph& g, const ir::Layer& l) {
  for (const std::string& in : l.inputs) {
    const ir::Layer* p = g.layer(in);
    if (p && p->activation_format.precision == ir::Precision::kFixed) return false;
  }
  return true;
}

std::string mac_precision_of(const ir::Graph& g, const ir::Layer& l) {
  const ir::NumericFormat* f = mac_format(l);
  if (!f) return "fp32";
  switch (f->precision) {
    case ir::Precision::kFloat32: return "fp32";  // shared weights multiply their (fp32) centroids
    case ir::Precision::kFloat16: return "fp16";
    case ir::Precision::kFixed: return f->fixed.word_length() <= 8 ? "int8" : "int16";
    case ir::Precision::kBinary: return is_binary_input(g, l) ? "xnor" : "binary";
  }
  return "fp32";
}

}  // namespace

ResourceProfile profile(const ir::Graph& g) {
  ResourceProfile rp;
  std::map<std::string, size_t> index;
  std::vector<size_t> last_use(g.layers.size());
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const ir::Layer& l = g.layers[i];
    LayerResources r;
    r.name = l.name;
    r.kind = ir::to_string(l.kind);
    r.precision = weight_precision(l);
    r.output_shape = l.output_shape;
    r.params = l.parameter_count();
    for (const ir::Param& p : l.params) r.bytes += ir::param_bytes(p);
    r.macs = ir::layer_macs(l);
    if (r.macs > 0) {
      r.mac_precision = mac_precision_of(g, l);
      const std::string& mp = r.mac_precision;
      int64_t& bucket = mp == "fp16"    ? rp.macs_fp16
                        : mp == "int8"  ? rp.macs_int8
                        : mp == "int16" ? rp.macs_int16
                        : (mp == "binary" || mp == "xnor") ? rp.macs_binary
                                                           : rp.macs_fp32;
      bucket += r.macs;
      r.energy_pj = double(r.macs) * energy_per_mac_pj(mp, is_float_input(g, l));
      rp.energy_compute_pj += r.energy_pj;
    }
    r.activation_bytes = ir::packed_bytes(ir::numel(l.output_shape), l.activation_format.bits());
    rp.params += r.params;
    rp.bytes += r.bytes;
    rp.macs += r.macs;
    rp.layers.push_back(std::move(r));

    last_use[i] = i;
    for (const std::string& in : l.inputs) {
      auto it = index.find(in);
      if (it == index.end())
        throw std::invalid_argument("profile: layer '" + l.name + "' reads '" + in + "', which is not an earlier layer");
      last_use[it->second] = i;
    }
    index[l.name] = i;
  }
  // While layer i runs, its inputs and its output are live, and so is every earlier
  // output still waiting for a later consumer: output j lives over [j, last_use[j]].
  for (size_t i = 0; i < g.layers.size(); ++i) {
    int64_t live = 0;
    for (size_t j = 0; j <= i; ++j)
      if (last_use[j] >= i) live += rp.layers[j].activation_bytes;
    rp.peak_activation_bytes = std::max(rp.peak_activation_bytes, live);
  }
  // Memory traffic: weights read once; every output written once and read once per consumer.
  rp.weight_memory = memory_tier(rp.bytes);
  rp.activation_memory = memory_tier(rp.peak_activation_bytes);
  const double per_weight_byte = energy_per_byte_pj(rp.weight_memory);
  const double per_activation_byte = energy_per_byte_pj(rp.activation_memory);
  std::vector<int64_t> consumers(g.layers.size(), 0);
  for (const ir::Layer& l : g.layers)
    for (const std::string& in : l.inputs) ++consumers[index.at(in)];
  for (size_t i = 0; i < g.layers.size(); ++i) {
    LayerResources& r = rp.layers[i];
    const double w = double(r.bytes) * per_weight_byte;
    const double a = double(r.activation_bytes) * double(1 + consumers[i]) * per_activation_byte;
    r.energy_pj += w + a;
    rp.energy_weights_pj += w;
    rp.energy_activations_pj += a;
  }
  rp.energy_pj = rp.energy_compute_pj + rp.energy_weights_pj + rp.energy_activations_pj;
  return rp;
}

}  // namespace slimlab::train
