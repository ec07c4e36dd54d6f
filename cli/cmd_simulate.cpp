// slimlab simulate-context <run> --trace trace.csv [--synth battery|contention|duty] [--csv rows.csv]
// [--summary-csv summary.csv]
// Replays a budget trace over the run's real test data through a .slim with operating
// points (deploy/export/context_sim.h): slimrt's policy picks a point per inference;
// accuracy and energy over time against every fixed point. docs/ADAPTIVE.md.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "cli/commands.h"
#include "datasets/pipeline.h"
#include "deploy/export/context_sim.h"
#include "experiments/experiment.h"

namespace slimlab::cli {

namespace fs = std::filesystem;

namespace {

slimrt::BudgetKind parse_kind(const std::string& s) {
  if (s == "energy") return slimrt::BudgetKind::kEnergyUj;
  if (s == "latency") return slimrt::BudgetKind::kLatencyUs;
  if (s == "macs") return slimrt::BudgetKind::kMacs;
  throw std::invalid_argument("--level-kind: '" + s + "' is not energy, latency or macs");
}

void report(const deploy::SimResult& r, const deploy::BudgetTrace& t, const std::string& level_kind) {
  const std::string budget = t.column == "level" ? "budget(" + level_kind + ")" : t.column;
  std::cout << std::fixed << "\n" << std::setw(13) << "rows" << std::setw(20) << ("mean " + budget) << std::setw(10)
            << "accuracy" << std::setw(14) << "energy uJ" << std::setw(12) << "mean point\n";
  for (const deploy::SimSlice& s : r.slices)
    std::cout << std::setw(6) << s.begin << "-" << std::setw(6) << s.end << std::setw(20) << std::setprecision(3)
              << s.mean_budget << std::setw(10) << std::setprecision(4) << s.accuracy << std::setw(14)
              << std::setprecision(1) << s.energy_uj << std::setw(11) << std::setprecision(2) << s.mean_point << "\n";
  std::cout << "\n" << std::left << std::setw(24) << "policy" << std::right << std::setw(10) << "accuracy" << std::setw(16)
            << "energy uJ" << std::setw(12) << "uJ/inf" << std::setw(8) << "rows\n";
  auto line = [&](const std::string& name, double acc, double energy, size_t rows) {
    std::cout << std::left << std::setw(24) << name << std::right << std::setw(10) << std::setprecision(4) << acc
              << std::setw(16) << std::setprecision(1) << energy << std::setw(12) << std::setprecision(3)
              << energy / double(r.steps) << std::setw(8) << rows << "\n";
  };
  line("adaptive", r.adaptive_accuracy, r.adaptive_energy_uj, r.steps);
  for (size_t p = 0; p < r.point_names.size(); ++p)
    line("fixed " + r.point_names[p], r.fixed_accuracy[p], r.point_energy_uj[p] * double(r.steps), r.chosen_count[p]);
  // The best fixed point that spends no more energy than the adaptive run.
  long best = -1;
  for (size_t p = 0; p < r.point_names.size(); ++p)
    if (r.point_energy_uj[p] * double(r.steps) <= r.adaptive_energy_uj * (1 + 1e-12) &&
        (best < 0 || r.fixed_accuracy[p] > r.fixed_accuracy[size_t(best)]))
      best = long(p);
  std::cout << "switches " << r.switches << ", rows over budget (even the cheapest point) " << r.over_budget << "\n";
  if (t.column == "energy_uj" || (t.column == "level" && level_kind == "energy"))
    std::cout << "energy the trace allows " << std::setprecision(1) << r.allowance_uj << " uJ, spent "
              << r.adaptive_energy_uj << " uJ\n";
  if (best >= 0)
    std::cout << "best fixed point within the adaptive energy: " << r.point_names[size_t(best)] << " accuracy "
              << std::setprecision(4) << r.fixed_accuracy[size_t(best)] << " vs adaptive " << r.adaptive_accuracy << "\n";
  else
    std::cout << "no fixed point spends as little energy as the adaptive run\n";
}

}  // namespace

void add_simulate_context_command(CLI::App& app) {
  struct Args {
    std::string run, trace, model, synth, level_kind = "energy", root = "runs", planner = "greedy", csv, summary_csv;
    size_t steps = 2000, buckets = 10;
    double hysteresis = 0.1;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "simulate-context", "Replay a budget trace over a run's test data through a .slim with operating points");
  cmd->add_option("run", a->run, "Run folder, or <experiment>/<run id> under --runs")->required();
  cmd->add_option("--trace", a->trace, "Budget trace CSV (column latency_us, energy_uj, macs or level; one row per "
                                       "inference); with --synth: written there first");
  cmd->add_option("--synth", a->synth, "battery | contention | duty: a synthetic trace over the file's points");
  cmd->add_option("--steps", a->steps, "Rows of a --synth trace")->capture_default_str();
  cmd->add_option("--model", a->model, "The .slim (default: <run>/model-points-fp32.slim)");
  cmd->add_option("--hysteresis", a->hysteresis, "Upgrade only when the dearer point fits budget·(1 − h)")
      ->capture_default_str();
  cmd->add_option("--level-kind", a->level_kind, "What a `level` column maps to: energy | latency | macs")
      ->capture_default_str();
  cmd->add_option("--buckets", a->buckets, "Time slices in the report")->capture_default_str();
  cmd->add_option("--planner", a->planner,
                  "greedy: the most accurate point within each row's budget | rate: the energy budgets are an "
                  "allowance, spent at an even rate on the accuracy/energy hull (docs/ADAPTIVE.md)")
      ->check(CLI::IsMember({"greedy", "rate"}))
      ->capture_default_str();
  cmd->add_option("--csv", a->csv, "Also write one CSV row per inference: budget, chosen point and its cost, "
                                   "correct, energy (the GUI's Context simulation panel reads it)");
  cmd->add_option("--summary-csv", a->summary_csv, "Also write the adaptive run and every fixed point (accuracy, "
                                                   "energy) as CSV");
  cmd->add_option("--runs", a->root, "Root folder of the runs")->capture_default_str();
  cmd->callback([a] {
    fs::path dir = a->run;
    if (!fs::is_directory(dir)) dir = fs::path(a->root) / a->run;
    if (!fs::is_directory(dir)) throw std::runtime_error("no run folder '" + a->run + "' (nor " + dir.string() + ")");
    const fs::path model_path = a->model.empty() ? dir / "model-points-fp32.slim" : fs::path(a->model);
    if (!fs::exists(model_path))
      throw std::runtime_error(model_path.string() + ": missing (slimlab export " + dir.string() +
                               " --operating-points widths)");
    auto model = slimrt::Model::from_file(model_path.string());
    deploy::BudgetTrace trace;
    if (!a->synth.empty()) {
      trace = deploy::synth_trace(a->synth, a->steps, model->operating_points());
      if (!a->trace.empty()) deploy::write_trace(a->trace, trace);
    } else if (!a->trace.empty()) {
      trace = deploy::read_trace(a->trace);
    } else {
      throw std::runtime_error("give --trace FILE or --synth battery|contention|duty");
    }
    const fs::path cfg = dir / "config.toml";
    if (!fs::exists(cfg)) throw std::runtime_error(cfg.string() + ": missing — the test data are rebuilt from it");
    const exp::Experiment e = exp::load_experiment(cfg);
    std::cout << "rebuilding the run's test data from " << cfg.string() << "\n";
    const data::PreparedData d = data::prepare(e.dataset);
    deploy::SimOptions o;
    o.level_kind = parse_kind(a->level_kind);
    o.hysteresis = a->hysteresis;
    o.buckets = a->buckets;
    o.planner = a->planner;
    std::cout << model_path.string() << ": " << model->operating_points().size() << " operating points; trace "
              << trace.values.size() << " rows of " << trace.column << " over " << d.test.size()
              << " test samples (cycled), planner " << a->planner
              << (a->planner == "greedy" ? ", hysteresis " + std::to_string(a->hysteresis) : std::string()) << "\n";
    const deploy::SimResult r = deploy::simulate_context(model, d.test, trace, o);
    report(r, trace, a->level_kind);
    if (!a->csv.empty()) deploy::write_rows_csv(a->csv, r, trace);
    if (!a->summary_csv.empty()) deploy::write_summary_csv(a->summary_csv, r);
  });
}

}  // namespace slimlab::cli
