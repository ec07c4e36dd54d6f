// slimlab export <run-dir | exp/id> --precision fp32|int8|int16|binary [--out model.slim]
// slimlab export <run-dir | exp/id> --format onnx [--out model.onnx]   (ONNX; fixed point as QDQ: import/onnx_export.h)
// Reads the run's model.h5 (the final Graph IR with weights) and writes a verified .slim
// with the run's class names and test accuracy in its metadata. No LibTorch needed.
//
// int8 / int16 of a float model quantizes it post-training (compress::quant): the
// run's training data are rebuilt from its config.toml for the calibration. With data
// at hand (and unless --no-measure), the .slim is also measured in slimrt — test
// accuracy, batch-1 latency, arena — and the figures are added to the run's results.h5
// (tags slimrt_<precision>_accuracy, …).
//
// --target cortex-m0|cortex-m3|cortex-m4|cortex-m33 -o DIR also writes the model as C99
// for that core (deploy/mcu, docs/MCU.md) with test vectors from the run's test split;
// --verify builds it, runs it under qemu-system-arm and prints flash / ram / instructions /
// match, recorded in results.h5 (tags mcu_<target>_*).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/export_points.h"
#include "datasets/pipeline.h"
#include "deploy/export/exporter.h"
#include "deploy/export/front_end.h"
#include "deploy/export/measure.h"
#include "codegen/export.h"
#include "codegen/fixed_front_end.h"
#include "experiments/experiment.h"
#include "experiments/results.h"
#include "import/onnx_export.h"
#include "slimrt/runtime.h"
#include "slimrt/writer.h"
#include "train/graph_io.h"

namespace slimlab::cli {

namespace fs = std::filesystem;

// --target: the exported .slim as C99 for a Cortex-M (deploy/mcu), vectors from the test split.
static void export_mcu(const fs::path& slim, const fs::path& dir, const std::string& target, bool verify,
                       const data::PreparedData* d, std::optional<exp::RunRecord>& record, const fs::path& run) {
  slimrt::mcu::ExportOptions o;
  o.target = target;
  o.verify = verify;
  o.gen.vectors = 16;
  if (d) o.gen.inputs.assign(d->test.values.begin(), d->test.values.begin() +
                                 std::min<size_t>(d->test.values.size(), 16 * size_t(d->test.sample_numel())));
  else std::cout << "  note: no test split at hand (no config.toml): random test vectors\n";
  const slimrt::mcu::ExportOutcome r = slimrt::mcu::export_c(slim.string(), dir.string(), o, std::cout);
  if (!r.verified || !record) return;
  const std::string p = "mcu_" + target + "_";
  record->tags[p + "flash_bytes"] = std::to_string(r.figures.flash);
  record->tags[p + "ram_bytes"] = std::to_string(r.figures.ram);
  record->tags[p + "instructions"] = std::to_string(r.figures.instructions);
  record->tags[p + "match"] = std::to_string(r.figures.match) + "/" + std::to_string(r.figures.vectors);
  exp::write_results(*record, run / "results.h5");
  std::cout << "recorded in " << (run / "results.h5").string() << " (tags " << p << "*)\n";
  if (r.figures.match != r.figures.vectors) throw std::runtime_error("the device outputs differ from slimrt's");
}

namespace {

// The run's data, rebuilt torch-free from its resolved configuration (calibration,
// measuring the .slim, the front end); empty when the run has no config.toml and none
// is needed for calibration.
struct RunData {
  std::optional<data::PreparedData> d;
  std::optional<exp::Experiment> experiment;
};

RunData rebuild_run_data(const fs::path& dir, const std::string& precision, bool calibrate, deploy::ExportOptions& o) {
  RunData rd;
  const fs::path cfg = dir / "config.toml";
  if (!fs::exists(cfg)) {
    if (calibrate)
      throw std::runtime_error(cfg.string() + ": missing — a float model exported as " + precision +
                               " is calibrated on the run's training data, rebuilt from it");
    return rd;
  }
  const exp::Experiment& e = rd.experiment.emplace(exp::load_experiment(cfg));
  std::cout << "rebuilding the run's data from " << cfg.string() << " (dataset.source = " << e.dataset.source
            << ") for " << (calibrate ? "post-training calibration and " : "") << "measuring the .slim\n";
  const data::PreparedData& d = rd.d.emplace(data::prepare(e.dataset));
  o.class_names = d.test.class_names;
  o.norm_mean = d.normalization.mean;
  o.norm_std = d.normalization.stddev;
  o.calibration = d.train.values.data();
  o.calibration_samples = int64_t(d.train.size());
  return rd;
}

// --front-end: the exported network `out` written again behind the sensor front end its
// dataset configuration implies.
void write_front_end(const fs::path& out, const data::DatasetConfig* config, const data::PreparedData* d) {
  if (!d || !config) throw std::runtime_error("--front-end needs the run's config.toml (the dataset configuration)");
  const slimrt::frontend::FrontEndSpec spec = deploy::front_end_spec(*config, *d);
  std::ifstream in(out, std::ios::binary);
  const std::vector<uint8_t> network((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<uint8_t> bytes = deploy::with_front_end(network, spec);
  slimrt::ModelWriter::write_bytes(out.string(), bytes);
  std::cout << "front end " << deploy::describe(spec) << "\nwrote " << out.string() << " again with it: " << bytes.size()
            << " bytes, takes raw input (slimrt-run run|stream " << out.string() << " <wav|csv|image>)\n";
}

// --front-end --target: the device runs the fixed-point audio front end, so a fixed-point
// export's float head (AudioFeatures → Normalize → Quantize) is rewritten with it
// (slimrt::mcu::fixed_audio_front_end; docs/MCU.md), and the device's test vectors are the
// test split's raw clips — the same clips in the same order, rebuilt with
// audio_features = "raw" and no normalisation (the rebuilt data holds features).
data::PreparedData device_front_end(const fs::path& out, deploy::ExportPrecision p, const exp::Experiment& e) {
  if (p != deploy::ExportPrecision::kInt8 && p != deploy::ExportPrecision::kInt16)
    throw std::runtime_error("--front-end with --target needs -p int8 or int16: the device runs the fixed-point "
                             "audio front end (docs/MCU.md)");
  std::vector<uint8_t> bytes = slimrt::mcu::fixed_audio_front_end(*slimrt::Model::from_file(out.string()), out.string());
  slimrt::ModelWriter::write_bytes(out.string(), bytes);
  std::cout << "rewrote " << out.string() << " with the fixed-point audio front end the device runs: " << bytes.size()
            << " bytes\n";
  data::DatasetConfig raw = e.dataset;
  raw.audio.type = "raw";
  raw.normalize = false;
  raw.normalize_per_group = false;
  std::cout << "rebuilding the test split as raw clips for the device's test vectors\n";
  return data::prepare(raw);
}

// The run folder (a path, or <experiment>/<run id> under `root`), checked to hold model.h5.
fs::path run_folder(const std::string& run, const std::string& root) {
  fs::path dir = run;
  if (!fs::is_directory(dir)) dir = fs::path(root) / run;
  if (!fs::is_directory(dir)) throw std::runtime_error("no run folder '" + run + "' (nor " + dir.string() + ")");
  if (!fs::exists(dir / "model.h5"))
    throw std::runtime_error((dir / "model.h5").string() + ": missing (the run has not finished, or predates model.h5)");
  return dir;
}

// --format onnx: the network as ONNX — float, or QuantizeLinear / DequantizeLinear for a fixed-point run
// (import/onnx_export.h).
void write_onnx(const ir::Graph& g, const fs::path& out) {
  const onnx_import::OnnxExport e = onnx_import::export_onnx_file(g, out);
  for (const auto& n : e.notes) std::cout << "  note: " << n << "\n";
  std::cout << "wrote " << out.string() << ": " << e.bytes.size() << " bytes, " << e.nodes << " nodes, opset "
            << onnx_import::kExportOpset << "\n";
}

// What export_and_measure found, printed and (when the run has a results.h5) recorded
// there as tags slimrt_<precision>_{accuracy,file_bytes,arena_bytes,latency_ms}.
void report_measurement(const deploy::ExportMeasurement& m, const fs::path& out, const std::string& precision,
                        std::optional<exp::RunRecord>& record, const fs::path& dir) {
  for (const auto& n : m.notes) std::cout << "  " << n << "\n";
  std::cout << "wrote " << out.string() << ": " << m.file_bytes << " bytes, " << m.ops << " ops, arena "
            << m.arena_bytes << " bytes (lower bound " << m.arena_lower_bound << ")\n"
            << std::fixed << std::setprecision(2) << "slimrt: test accuracy " << 100.0 * m.accuracy << "% on "
            << m.samples << " samples";
  if (record) std::cout << " (the run's own: " << 100.0 * record->result.test.accuracy << "%)";
  std::cout << std::setprecision(3) << ", batch-1 latency " << m.median_ms << " ms median, " << m.p90_ms
            << " ms p90\n";
  if (!record) return;
  const std::string p = "slimrt_" + precision + "_";
  record->tags[p + "accuracy"] = std::to_string(m.accuracy);
  record->tags[p + "file_bytes"] = std::to_string(m.file_bytes);
  record->tags[p + "arena_bytes"] = std::to_string(m.arena_bytes);
  record->tags[p + "latency_ms"] = std::to_string(m.median_ms);
  exp::write_results(*record, dir / "results.h5");
  std::cout << "recorded in " << (dir / "results.h5").string() << " (tags " << p << "*)\n";
}

}  // namespace

void add_export_command(CLI::App& app) {
  struct Args {
    std::string run, precision = "fp32", out, root = "runs", format = "slim", points, target;
    bool no_measure = false, front_end = false, verify = false;
    int runs = 100;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("export", "Export a run's final model to a .slim file for slimrt");
  cmd->add_option("run", a->run, "Run folder, or <experiment>/<run id> under --runs")->required();
  cmd->add_option("--precision,-p", a->precision, "fp32 | int8 | int16 | binary")->capture_default_str();
  cmd->add_option("--out,-o", a->out, "Output file (default: <run>/model-<precision>.slim, <run>/model.onnx)");
  cmd->add_option("--format", a->format, "slim (slimrt) | onnx (float, fixed point as QDQ: docs/ONNX.md)")->check(CLI::IsMember({"slim", "onnx"}));
  cmd->add_option("--runs", a->root, "Root folder of the runs")->capture_default_str();
  cmd->add_flag("--no-measure", a->no_measure,
                "Do not rebuild the run's data to measure the .slim (a float model exported as int8 / int16 still "
                "needs them for calibration)");
  cmd->add_option("--latency-runs", a->runs, "Timed invocations for the latency figure")->capture_default_str();
  cmd->add_flag("--front-end", a->front_end,
                "Put the run's sensor front end (log-mel / MFCC, DeepSense, image resize + normalisation) in front "
                "of the network: the .slim takes raw samples / pixels (docs/EXPORT.md)");
  cmd->add_option("--operating-points", a->points,
                  "widths | all: every width of the run's slimmable stage in one .slim, an operating point each "
                  "(widths: at --precision; all: fp32 and int8); slimrt switches between them at run time "
                  "(docs/ADAPTIVE.md)");
  cmd->add_option("--target", a->target,
                  "Also write C99 for a microcontroller: cortex-m0 | cortex-m3 | cortex-m4 | cortex-m33 (-o is then "
                  "the output folder; docs/MCU.md)");
  cmd->add_flag("--verify", a->verify, "With --target: build, run under qemu-system-arm, print flash / ram / "
                                       "instructions / match");
  cmd->callback([a] {
    const fs::path dir = run_folder(a->run, a->root);
    const fs::path model_h5 = dir / "model.h5";
    deploy::ExportOptions o;
    o.precision = deploy::parse_export_precision(a->precision);
    o.source_run = fs::weakly_canonical(dir).string();
    std::optional<exp::RunRecord> record;
    if (fs::exists(dir / "results.h5")) {
      record = exp::read_results(dir / "results.h5");
      o.class_names = record->class_names;
      o.accuracy = record->result.test.accuracy;
      o.source_run = record->experiment + "/" + record->run_id;
    }
    const ir::Graph g = ir::read_graph_h5(model_h5);
    if (a->format == "onnx") return write_onnx(g, a->out.empty() ? dir / "model.onnx" : fs::path(a->out));
    const deploy::GraphPrecision gp = deploy::graph_precision(g);
    if (o.precision == deploy::ExportPrecision::kBinary && !gp.binary)
      throw std::runtime_error(model_h5.string() + ": the model's weights are float, not binary (run a binaryconnect "
                               "or bnn stage first, or export --precision fp32 / int8 / int16)");
    const bool calibrate =
        (o.precision == deploy::ExportPrecision::kInt8 || o.precision == deploy::ExportPrecision::kInt16) && !gp.fixed;

    RunData rd;
    if (calibrate || !a->no_measure || a->front_end) rd = rebuild_run_data(dir, a->precision, calibrate, o);
    std::optional<data::PreparedData>& d = rd.d;
    std::optional<exp::Experiment>& experiment = rd.experiment;

    const std::string stem = a->points.empty() ? "model-" + a->precision
                             : a->points == "all"  ? std::string("model-points")
                                                   : "model-points-" + a->precision;
    const fs::path mcu_dir = a->out.empty() ? dir / ("mcu-" + a->target) : fs::path(a->out);
    const fs::path out = !a->target.empty() ? mcu_dir / "model.slim"
                         : a->out.empty()   ? dir / (stem + ".slim")
                                            : fs::path(a->out);
    if (a->verify && a->target.empty()) throw std::runtime_error("--verify needs --target");
    if (!a->target.empty() && !a->points.empty())
      throw std::runtime_error("--target and --operating-points do not combine: a microcontroller export is one "
                               "operating point (export one width, then --target)");
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    if (!a->points.empty()) {
      PointsRequest r{dir, out, a->points, o, record ? &*record : nullptr, d && !a->no_measure ? &d->test : nullptr,
                      a->runs, nullptr};
      if (a->front_end) {
        if (!d) throw std::runtime_error("--front-end needs the run's config.toml (the dataset configuration)");
        const slimrt::frontend::FrontEndSpec spec = deploy::front_end_spec(experiment->dataset, *d);
        r.transform = [spec](const std::vector<uint8_t>& net) { return deploy::with_front_end(net, spec); };
      }
      const deploy::PointsExport x = export_operating_points(r);
      if (!record) return;
      record->tags["operating_points"] = std::to_string(x.points.size()) + " in " + out.filename().string();
      return exp::write_results(*record, dir / "results.h5");
    }
    // --front-end: the network is exported (and measured on the run's features) as
    // always, then written again behind its front end.
    auto attach_front_end = [&] {
      if (a->front_end) write_front_end(out, experiment ? &experiment->dataset : nullptr, d ? &*d : nullptr);
    };
    // --target: C99 for the microcontroller (with --front-end: the device's front end and raw test clips).
    auto to_device = [&] {
      if (a->target.empty()) return;
      std::optional<data::PreparedData> raw;
      if (a->front_end) raw = device_front_end(out, o.precision, *experiment);
      const data::PreparedData* vectors = raw ? &*raw : d ? &*d : nullptr;
      export_mcu(out, mcu_dir, a->target, a->verify, vectors, record, dir);
    };
    if (d && !a->no_measure) {
      const deploy::ExportMeasurement m = deploy::export_and_measure(g, o, out, d->test, a->runs, 2000);
      report_measurement(m, out, a->precision, record, dir);
      attach_front_end();
      to_device();
      return;
    }
    const deploy::ExportResult r = deploy::export_graph_file(g, o, out);
    for (const auto& n : r.notes) std::cout << "  " << n << "\n";
    // Without the rebuilt data the file has no input normalization in its metadata: an
    // app feeding raw inputs then gets far lower accuracy (a BNN LeNet-5: 0.95 → 0.57).
    if (!d)
      std::cout << "  note: the run's data was not rebuilt, so the .slim carries no input normalization "
                   "(mean / std) in its metadata; feed inputs normalized as in training\n";
    auto m = slimrt::Model::from_file(out.string());
    slimrt::Interpreter in(m);
    std::cout << "wrote " << out.string() << ": " << r.bytes.size() << " bytes, " << r.ops << " ops, arena "
              << in.arena_bytes() << " bytes (lower bound " << in.arena_lower_bound() << "), " << m->macs()
              << " MACs\n";
    attach_front_end();
    to_device();
  });
}

}  // namespace slimlab::cli
