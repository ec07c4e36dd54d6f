#pragma once
// The Graph IR on disk: one HDF5 file (runs/<exp>/<id>/model.h5) holding the
// structure, the numeric formats and the weights of a model, so that the
// exporter and the slimrt tooling read a trained model without LibTorch.
//
// Layout (format "slimlab-graph", version 1):
//   /                   attrs format, version, model, num_classes
//   /input_shape        int64
//   /layers/<i>         group per layer, i = 0..n-1 in topological order;
//                       attrs name, kind, in_features, out_features, groups, axis,
//                       begin, end, bias, min_value, max_value, alpha, beta (absent in
//                       older files: 0), act_precision/_il/_fl;
//                       int64 datasets output_shape, kernel, stride, padding,
//                       dilation, perm; string dataset inputs
//   /layers/<i>/params/<j>   group: attrs name, precision, il, fl, trainable;
//                       dataset shape (int64), dataset data (float, only with weights)
//   /groups/<k>         attrs name, kind, units; producers/consumers as string
//                       datasets *_layer, *_param and an int64 [n, 4] table
//                       (axis, block, gate_stride, 0)
#include <filesystem>

#include "train/graph_ir.h"

namespace slimlab::ir {

// Writes atomically (temporary file, then rename). Throws data::DataError.
void write_graph_h5(const std::filesystem::path& path, const Graph& graph);

// Reads untrusted input: every count and size is checked before it is used and
// Graph::validate() runs on the result. Errors are data::DataError naming the
// file and the dataset or attribute at fault.
Graph read_graph_h5(const std::filesystem::path& path);

}  // namespace slimlab::ir
