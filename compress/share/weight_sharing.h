#pragma once
// Weight sharing (codebooks): k-means on a layer's weights with k = 2^bits centroids;
// each weight is then stored as a bits-wide index plus the codebook (Han et al.'s
// "trained quantization"). Optional product quantization as ALGORITHMS.md puts it:
// the weight matrix [rows, cols] (conv kernels flattened per output channel) is
// split into column blocks of `block_columns`, each with its own codebook. Scalar
// k-means per codebook, centroids initialised linearly between min and max (Han et
// al. found linear initialisation best), then Lloyd iterations. Torch-free.
//
// The IR records it: the weight's NumericFormat gets codebook_bits and codebooks,
// so the resource profile counts indices + centroids, and Param::data holds each
// weight's centroid value (the exporter recovers codebook and indices from them).
#include <cstdint>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::compress::share {

struct ShareSpec {
  int bits = 4;               // k = 2^bits centroids per codebook, 1..8
  int64_t block_columns = 0;  // product quantization: columns per block (0 = one codebook per tensor)
  int iterations = 30;        // Lloyd iterations (stops early when no assignment changes)
  std::vector<std::string> layers;  // layers to share; empty = every conv / dense / GRU / LSTM
};

// std::invalid_argument naming the field.
void check_spec(const ShareSpec& spec);

struct Codebook {
  std::vector<float> centroids;  // sorted ascending
};

// k-means of `values` into 2^bits centroids; `index` (same length as values) receives
// each value's centroid. Deterministic.
Codebook kmeans_1d(const std::vector<float>& values, int bits, int iterations, std::vector<uint8_t>* index);

struct SharedTensor {
  std::string layer, param;
  int codebooks = 0;
  double mse = 0;  // mean squared error of the shared weights
};

// Shares the weights of the selected layers in place (values replaced by centroids,
// formats annotated). Returns one entry per shared tensor. std::invalid_argument for
// an unknown layer or one without weights, naming it.
std::vector<SharedTensor> share_weights(ir::Graph& g, const ShareSpec& spec);

// The weight tensors share_weights would touch: (layer, param) pairs.
std::vector<std::pair<std::string, std::string>> shareable_weights(const ir::Graph& g,
                                                                   const std::vector<std::string>& layers);

}  // namespace slimlab::compress::share
