#include "compress/share/weight_sharing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

namespace slimlab::compress::share {

namespace {

bool has_weights(ir::LayerKind k) {
  using K = ir::LayerKind;
  return k == K::kDense || k == K::kConv1d || k == K::kConv2d || k == K::kDepthwiseConv2d || k == K::kGru ||
         k == K::kLstm;
}

std::vector<std::string> weight_params(const ir::Layer& l) {
  if (l.kind == ir::LayerKind::kGru || l.kind == ir::LayerKind::kLstm) return {"weight_ih_l0", "weight_hh_l0"};
  return {"weight"};
}

}  // namespace

void check_spec(const ShareSpec& spec) {
  if (spec.bits < 1 || spec.bits > 8)
    throw std::invalid_argument("weight sharing: bits " + std::to_string(spec.bits) + " is outside 1..8");
  if (spec.block_columns < 0)
    throw std::invalid_argument("weight sharing: block_columns " + std::to_string(spec.block_columns) +
                                " must be ≥ 0");
  if (spec.iterations < 1)
    throw std::invalid_argument("weight sharing: iterations " + std::to_string(spec.iterations) + " must be ≥ 1");
}

Codebook kmeans_1d(const std::vector<float>& values, int bits, int iterations, std::vector<uint8_t>* index) {
  const size_t k = size_t(1) << bits;
  Codebook cb;
  index->assign(values.size(), 0);
  if (values.empty()) {
    cb.centroids.assign(k, 0.0f);
    return cb;
  }
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *lo_it, hi = *hi_it;
  std::vector<double> c(k);
  for (size_t j = 0; j < k; ++j) c[j] = k == 1 ? (lo + hi) / 2 : lo + (hi - lo) * double(j) / double(k - 1);
  // Sorted values make assignment a sweep: boundaries are midpoints of sorted centroids.
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<uint8_t> assign(values.size(), 0);
  for (int it = 0; it < iterations; ++it) {
    bool changed = it == 0;
    size_t j = 0;
    std::vector<double> sum(k, 0.0);
    std::vector<size_t> count(k, 0);
    for (size_t idx : order) {
      const double v = values[idx];
      while (j + 1 < k && std::fabs(v - c[j + 1]) <= std::fabs(v - c[j])) ++j;
      if (assign[idx] != j) changed = true;
      assign[idx] = uint8_t(j);
      sum[j] += v;
      ++count[j];
    }
    for (size_t q = 0; q < k; ++q)
      if (count[q]) c[q] = sum[q] / double(count[q]);
    std::sort(c.begin(), c.end());  // empty clusters keep their place; order stays monotone
    if (!changed) break;
  }
  // Final assignment to the final centroids.
  size_t j = 0;
  for (size_t idx : order) {
    const double v = values[idx];
    while (j + 1 < k && std::fabs(v - c[j + 1]) <= std::fabs(v - c[j])) ++j;
    (*index)[idx] = uint8_t(j);
  }
  cb.centroids.assign(c.begin(), c.end());
  return cb;
}

std::vector<std::pair<std::string, std::string>> shareable_weights(const ir::Graph& g,
                                                                   const std::vector<std::string>& layers) {
  std::vector<std::pair<std::string, std::string>> out;
  if (layers.empty()) {
    for (const ir::Layer& l : g.layers)
      if (has_weights(l.kind))
        for (const std::string& p : weight_params(l)) out.emplace_back(l.name, p);
    return out;
  }
  for (const std::string& name : layers) {
    const ir::Layer* l = g.layer(name);
    if (!l) throw std::invalid_argument("weight sharing: no layer '" + name + "' in the model");
    if (!has_weights(l->kind))
      throw std::invalid_argument("weight sharing: layer '" + name + "' (" + ir::to_string(l->kind) +
                                  ") has no weights to share");
    for (const std::string& p : weight_params(*l)) out.emplace_back(name, p);
  }
  return out;
}

std::vector<SharedTensor> share_weights(ir::Graph& g, const ShareSpec& spec) {
  check_spec(spec);
  std::vector<SharedTensor> result;
  for (const auto& [lname, pname] : shareable_weights(g, spec.layers)) {
    ir::Param& p = *g.layer(lname)->param(pname);
    if (int64_t(p.data.size()) != p.numel())
      throw std::invalid_argument("weight sharing: '" + lname + "." + pname + "' has no values");
    const int64_t rows = p.shape[0], cols = p.numel() / rows;
    const int64_t block = spec.block_columns > 0 ? std::min(spec.block_columns, cols) : cols;
    const int64_t blocks = (cols + block - 1) / block;
    double se = 0;
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t c0 = b * block, c1 = std::min(cols, c0 + block);
      std::vector<float> vals;
      vals.reserve(size_t(rows * (c1 - c0)));
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = c0; c < c1; ++c) vals.push_back(p.data[size_t(r * cols + c)]);
      std::vector<uint8_t> idx;
      const Codebook cb = kmeans_1d(vals, spec.bits, spec.iterations, &idx);
      size_t at = 0;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = c0; c < c1; ++c, ++at) {
          float& v = p.data[size_t(r * cols + c)];
          const float s = cb.centroids[idx[at]];
          se += (double(v) - s) * (double(v) - s);
          v = s;
        }
    }
    p.format.codebook_bits = spec.bits;
    p.format.codebooks = int(blocks);
    SharedTensor st;
    st.layer = lname;
    st.param = pname;
    st.codebooks = int(blocks);
    st.mse = p.numel() ? se / double(p.numel()) : 0.0;
    result.push_back(st);
  }
  return result;
}

}  // namespace slimlab::compress::share
