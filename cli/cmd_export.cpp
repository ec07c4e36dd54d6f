// slimlab export <run-dir | exp/id> --precision fp32 --out model.slim
// Reads the run's model.h5 (the final Graph IR with weights), writes a verified .slim
// with the run's class names and test accuracy in its metadata. No LibTorch needed.
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "cli/commands.h"
#include "deploy/export/exporter.h"
#include "experiments/results.h"
#include "slimrt/runtime.h"
#include "train/graph_io.h"

namespace slimlab::cli {

namespace fs = std::filesystem;

void add_export_command(CLI::App& app) {
  struct Args {
    std::string run, precision = "fp32", out, root = "runs";
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("export", "Export a run's final model to a .slim file for slimrt");
  cmd->add_option("run", a->run, "Run folder, or <experiment>/<run id> under --runs")->required();
  cmd->add_option("--precision,-p", a->precision, "fp32 | int8 | int16 | binary")->capture_default_str();
  cmd->add_option("--out,-o", a->out, "Output file (default: <run>/model-<precision>.slim)");
  cmd->add_option("--runs", a->root, "Root folder of the runs")->capture_default_str();
  cmd->callback([a] {
    fs::path dir = a->run;
    if (!fs::is_directory(dir)) dir = fs::path(a->root) / a->run;
    if (!fs::is_directory(dir)) throw std::runtime_error("no run folder '" + a->run + "' (nor " + dir.string() + ")");
    const fs::path model_h5 = dir / "model.h5";
    if (!fs::exists(model_h5))
      throw std::runtime_error(model_h5.string() + ": missing (the run has not finished, or predates model.h5)");
    deploy::ExportOptions o;
    o.precision = deploy::parse_export_precision(a->precision);
    o.source_run = fs::weakly_canonical(dir).string();
    if (fs::exists(dir / "results.h5")) {
      const exp::RunRecord r = exp::read_results(dir / "results.h5");
      o.class_names = r.class_names;
      o.accuracy = r.result.test.accuracy;
      o.source_run = r.experiment + "/" + r.run_id;
    }
    const ir::Graph g = ir::read_graph_h5(model_h5);
    const fs::path out = a->out.empty() ? dir / ("model-" + a->precision + ".slim") : fs::path(a->out);
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    const deploy::ExportResult r = deploy::export_graph_file(g, o, out);
    for (const auto& n : r.notes) std::cout << "  " << n << "\n";
    auto m = slimrt::Model::from_file(out.string());
    slimrt::Interpreter in(m);
    std::cout << "wrote " << out.string() << ": " << r.bytes.size() << " bytes, " << r.ops << " ops, arena "
              << in.arena_bytes() << " bytes (lower bound " << in.arena_lower_bound() << "), " << m->macs()
              << " MACs\n";
  });
}

}  // namespace slimlab::cli
