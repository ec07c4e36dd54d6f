// slimlab import model.onnx [-o model.h5] [--slim model.slim] [--input-shape 1,28,28]
// Reads an ONNX model (import/onnx_import.h, docs/ONNX.md) into the Graph IR with its
// weights and writes it as a model.h5 (the file `slimlab export`, experiments'
// `[model] onnx` and the GUI read) and / or an fp32 .slim for slimrt. No LibTorch needed.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "deploy/export/exporter.h"
#include "import/onnx_import.h"
#include "train/graph_io.h"
#include "train/op_facts.h"

namespace slimlab::cli {

namespace fs = std::filesystem;

namespace {

void print_graph(const onnx_import::ImportResult& r) {
  const ir::Graph& g = r.graph;
  std::cout << "model " << g.model << " (opset " << r.opset << (r.producer.empty() ? "" : ", from " + r.producer)
            << "): input " << ir::to_string(g.input_shape) << ", " << g.num_classes << " classes, "
            << g.layers.size() << " layers, " << g.parameter_count() << " parameters\n";
  for (const ir::Layer& l : g.layers)
    std::cout << "  " << std::left << std::setw(30) << l.name << " " << std::setw(17) << ir::to_string(l.kind)
              << ir::to_string(l.output_shape) << (l.parameter_count() ? "  " + std::to_string(l.parameter_count()) + " params" : "")
              << "\n";
  std::cout << "prunable groups (units; +layers sharing them): " << onnx_import::describe_groups(g) << "\n";
  for (const std::string& n : r.notes) std::cout << "note: " << n << "\n";
}

}  // namespace

void add_import_command(CLI::App& app) {
  struct Args {
    std::string onnx, out, slim, input_shape, name;
    bool no_groups = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("import", "Import an ONNX model into the Graph IR (model.h5) and / or an fp32 .slim");
  cmd->add_option("model", a->onnx, "The .onnx file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out,-o", a->out, "Graph IR with weights to write (default: <model>.h5 unless only --slim is given)");
  cmd->add_option("--slim", a->slim, "Also write an fp32 .slim for slimrt");
  cmd->add_option("--input-shape", a->input_shape,
                  "Per-sample input shape, e.g. 1,28,28 (needed when the ONNX input has dynamic axes besides the batch)");
  cmd->add_option("--name", a->name, "Model name in the graph (default: onnx:<file stem>)");
  cmd->add_flag("--no-groups", a->no_groups, "Do not derive prunable groups");
  cmd->footer(
      "Examples:\n"
      "  slimlab import lenet.onnx -o lenet.h5\n"
      "  slimlab import kws.onnx --slim kws.slim && slimrt-run describe kws.slim\n"
      "  slimlab import har.onnx --input-shape 6,128 -o har.h5   # then [model] onnx = \"har.onnx\" in an experiment");
  cmd->callback([a] {
    onnx_import::ImportOptions o;
    if (!a->input_shape.empty()) o.input_shape = onnx_import::parse_shape(a->input_shape);
    o.model_name = a->name;
    o.prunable_groups = !a->no_groups;
    const onnx_import::ImportResult r = onnx_import::import_onnx_file(a->onnx, o);
    print_graph(r);
    std::string out = a->out;
    if (out.empty() && a->slim.empty()) out = (fs::path(a->onnx).replace_extension(".h5")).string();
    if (!out.empty()) {
      ir::write_graph_h5(out, r.graph);
      std::cout << "wrote " << out << "\n";
    }
    if (!a->slim.empty()) {
      const deploy::ExportResult e = deploy::export_graph_file(r.graph, {}, a->slim);
      std::cout << "wrote " << a->slim << " (fp32, " << e.ops << " ops, " << e.bytes.size() << " bytes)\n";
      for (const std::string& n : e.notes) std::cout << "  " << n << "\n";
    }
  });
}

}  // namespace slimlab::cli
