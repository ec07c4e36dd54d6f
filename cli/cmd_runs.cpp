// `slimlab runs list|show` and `slimlab plot`: read runs/*/*/results.h5.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "experiments/plot.h"
#include "experiments/runs.h"

namespace slimlab::cli {

namespace {
std::vector<exp::RunRecord> select(const std::string& root, const std::string& experiment) {
  std::vector<exp::RunRecord> runs = exp::list_runs(root);
  if (experiment.empty()) return runs;
  std::vector<exp::RunRecord> out;
  for (auto& r : runs)
    if (r.experiment == experiment) out.push_back(std::move(r));
  return out;
}
}  // namespace

void add_runs_command(CLI::App& app) {
  CLI::App* runs = app.add_subcommand("runs", "List runs and show one in detail");
  runs->require_subcommand(1);
  {
    struct Args {
      std::string root = "runs", experiment;
      std::vector<std::string> columns;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = runs->add_subcommand("list", "A table of every run: status, data, model, accuracy, size, cost");
    cmd->add_option("--runs", a->root, "Root folder of the runs")->capture_default_str();
    cmd->add_option("--experiment,-e", a->experiment, "Only this experiment");
    cmd->add_option("--columns", a->columns, "Columns to show (comma-separated)")->delimiter(',');
    cmd->callback([a] {
      const auto list = select(a->root, a->experiment);
      if (list.empty()) {
        std::cout << "no runs under " << a->root << "\n";
        return;
      }
      std::cout << exp::runs_table(list, a->columns.empty() ? exp::default_run_columns() : a->columns);
    });
  }
  {
    struct Args {
      std::string root = "runs", id;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = runs->add_subcommand("show", "Everything about one run: config, curves, confusion matrix, layers");
    cmd->add_option("run", a->id, "<experiment>/<run-id>, or the path of a run folder")->required();
    cmd->add_option("--runs", a->root, "Root folder of the runs")->capture_default_str();
    cmd->callback([a] {
      std::filesystem::path dir = a->id;
      if (!std::filesystem::exists(dir / "results.h5")) dir = std::filesystem::path(a->root) / a->id;
      if (!std::filesystem::exists(dir / "results.h5"))
        throw std::runtime_error("no results.h5 for run '" + a->id + "' (looked in " + dir.string() + ")");
      exp::RunRecord r = exp::read_results(dir / "results.h5");
      r.dir = dir;
      std::cout << exp::run_details(r);
    });
  }
}

void add_plot_command(CLI::App& app) {
  struct Args {
    std::string root = "runs", experiment, out = "runs/plot.svg";
    exp::PlotOptions plot;
    bool linear = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("plot", "Write an SVG of accuracy against a resource across runs, with the Pareto front");
  cmd->add_option("--x", a->plot.x, "Resource on the x axis: params, bytes, macs, energy, latency, macs_int8, …")->capture_default_str();
  cmd->add_option("--y", a->plot.y, "Metric on the y axis")->capture_default_str();
  cmd->add_flag("--linear", a->linear, "Linear x axis (default: logarithmic)");
  cmd->add_option("--color-by", a->plot.color_by, "model, technique or experiment")->capture_default_str();
  cmd->add_option("--title", a->plot.title, "Title");
  cmd->add_option("--experiment,-e", a->experiment, "Only this experiment");
  cmd->add_option("--runs", a->root, "Root folder of the runs")->capture_default_str();
  cmd->add_option("--out,-o", a->out, "SVG file to write")->capture_default_str();
  cmd->callback([a] {
    a->plot.log_x = !a->linear;
    const auto list = select(a->root, a->experiment);
    if (list.empty()) throw std::runtime_error("no runs under " + a->root + " to plot");
    const std::string svg = exp::accuracy_resource_svg(list, a->plot);
    std::filesystem::path out(a->out);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    std::filesystem::path tmp = out;
    tmp += ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary);
      f << svg;
      if (!f) throw std::runtime_error(out.string() + ": cannot write");
    }
    std::filesystem::rename(tmp, out);
    std::cout << "wrote " << out.string() << " (" << list.size() << " runs)\n";
  });
}

}  // namespace slimlab::cli
