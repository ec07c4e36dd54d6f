#include "deploy/export/exporter.h"

#include <algorithm>
#include <stdexcept>

#include "compress/quant/calibrate.h"
#include "compress/quant/graph_eval.h"
#include "deploy/export/export_ir.h"
#include "deploy/export/passes/passes.h"
#include "deploy/export/serializer.h"
#include "slimrt/writer.h"

namespace slimlab::deploy {

using ir::LayerKind;
namespace quant = compress::quant;

const char* to_string(ExportPrecision p) {
  switch (p) {
    case ExportPrecision::kFp32: return "fp32";
    case ExportPrecision::kInt8: return "int8";
    case ExportPrecision::kInt16: return "int16";
    case ExportPrecision::kBinary: return "binary";
  }
  return "?";
}

ExportPrecision parse_export_precision(const std::string& s) {
  for (auto p : {ExportPrecision::kFp32, ExportPrecision::kInt8, ExportPrecision::kInt16, ExportPrecision::kBinary})
    if (s == to_string(p)) return p;
  throw std::invalid_argument("unknown export precision '" + s + "' (fp32, int8, int16, binary)");
}

GraphPrecision graph_precision(const ir::Graph& g) {
  GraphPrecision p;
  auto word = [&](const ir::NumericFormat& f) {
    if (f.precision == ir::Precision::kFixed) p.max_word_length = std::max(p.max_word_length, f.fixed.word_length());
  };
  for (const ir::Layer& l : g.layers) {
    if (l.activation_format.precision == ir::Precision::kFixed) p.fixed = true;
    word(l.activation_format);
    word(l.gate_preactivation_format);
    word(l.gate_format);
    word(l.cell_format);
    for (const ir::Param& prm : l.params)
      if (prm.name.rfind("weight", 0) == 0) word(prm.format);  // biases are int32 by definition
    p.binary |= binary_weight(l);
    p.sign |= l.kind == LayerKind::kSign;
  }
  return p;
}

namespace {

slimrt::Metadata metadata(const ir::Graph& g, const ExportOptions& o) {
  slimrt::Metadata md;
  md.model = g.model;
  md.precision = to_string(o.precision);
  md.class_names = o.class_names;
  md.feature_type = o.feature_type;
  md.sample_rate = o.sample_rate;
  md.window_length = o.window_length;
  md.norm_mean = o.norm_mean;
  md.norm_std = o.norm_std;
  md.source_run = o.source_run;
  md.accuracy = o.accuracy;
  md.exporter = "slimlab 0.1.0";
  return md;
}

}  // namespace

ExportResult export_graph(const ir::Graph& graph, const ExportOptions& options) {
  graph.validate();
  const GraphPrecision gp = graph_precision(graph);
  ir::Graph g = graph;
  std::vector<std::string> notes;
  bool fixed = false, quantized = false;
  auto fold = [&] { passes::fold_batchnorm(g, notes); };
  switch (options.precision) {
    case ExportPrecision::kFp32:
      fold();
      if (gp.fixed || gp.binary)
        notes.push_back(std::string("the model's ") + (gp.binary ? "binary" : "fixed-point") +
                        " weights are written as their float values (export with --precision " +
                        (gp.binary ? "binary" : "int8 / int16") + " to run them as such)");
      break;
    case ExportPrecision::kInt8:
    case ExportPrecision::kInt16: {
      const int bits = options.precision == ExportPrecision::kInt8 ? 8 : 16;
      if (gp.fixed) {
        if (gp.max_word_length > bits)
          throw std::invalid_argument("export: the model carries " + std::to_string(gp.max_word_length) +
                                      "-bit fixed-point formats (its fixed_point stage); export it as int16");
        notes.push_back("fixed-point formats taken from the model (its fixed_point stage)");
      } else {
        if (!options.calibration || options.calibration_samples <= 0)
          throw std::invalid_argument(std::string("export: the model is float; a ") + to_string(options.precision) +
                                      " export quantizes it post-training and needs calibration samples "
                                      "(slimlab export rebuilds the run's training data for them)");
        const int64_t n = std::min<int64_t>(options.calibration_samples, 512);
        quant::FixedPointSpec spec;
        spec.weight_bits = spec.activation_bits = spec.state_bits = bits;
        g = quant::quantize_post_training(graph, spec, options.calibration, n);
        quantized = true;
        notes.push_back("quantized post-training at export: " + std::to_string(bits) + "-bit weights, activations and "
                        "state, ranges calibrated on " + std::to_string(n) + " training samples");
      }
      fixed = true;
      break;
    }
    case ExportPrecision::kBinary:
      if (!gp.binary)
        throw std::invalid_argument(
            "export: --precision binary needs binary weights, and this model's are not (run a binaryconnect or bnn "
            "stage first)");
      fixed = gp.fixed;
      if (!fixed) fold();
      break;
  }
  // The evaluator's constructor checks every format a fixed-point graph needs, naming the layer.
  if (fixed) quant::FixedPointEvaluator check(g);
  ExportGraph eg = ExportGraph::from(g, fixed, options.precision == ExportPrecision::kBinary);
  eg.notes = std::move(notes);
  passes::run_all(eg);
  const Serialized s = serialize(eg, metadata(g, options));
  ExportResult r;
  r.bytes = s.bytes;
  r.notes = eg.all_notes();
  r.ops = s.ops;
  r.raw_output_tensor = s.raw_output_tensor;
  if (!eg.raw_output.empty()) r.raw_output_fl = eg.at(eg.raw_output).ann.out.fl;
  r.graph = std::move(g);
  r.quantized_at_export = quantized;
  return r;
}

ExportResult export_graph_file(const ir::Graph& graph, const ExportOptions& options, const std::filesystem::path& path) {
  ExportResult r = export_graph(graph, options);
  slimrt::ModelWriter::write_bytes(path.string(), r.bytes);
  return r;
}

}  // namespace slimlab::deploy
