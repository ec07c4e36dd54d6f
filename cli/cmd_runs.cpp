// `slimlab runs list|show` and `slimlab plot`: read runs/*/*/results.h5.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "experiments/plot.h"
#include "experiments/runs.h"
#include "experiments/summary.h"

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
      std::string root = "runs", experiment;
      std::vector<std::string> metrics = {"test_accuracy", "val_accuracy", "test_macro_f1", "params"};
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = runs->add_subcommand(
        "summary", "Mean ± std and 95 % interval of each point over its folds and seeds ([evaluation])");
    cmd->add_option("--runs", a->root, "Root folder of the runs")->capture_default_str();
    cmd->add_option("--experiment,-e", a->experiment, "Only this experiment");
    cmd->add_option("--metrics", a->metrics, "Numeric columns to summarise (comma-separated)")
        ->delimiter(',')
        ->capture_default_str();
    cmd->callback([a] {
      for (const auto& m : a->metrics) exp::numeric_value(exp::RunRecord{}, m);  // unknown names fail here
      const auto list = select(a->root, a->experiment);
      if (list.empty()) {
        std::cout << "no runs under " << a->root << "\n";
        return;
      }
      std::cout << exp::summary_table(exp::group_runs(list), a->metrics);
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

void add_compare_command(CLI::App& app) {
  struct Args {
    std::string root = "runs", a, b, metric = "test_accuracy";
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Paired t-test of two points over the folds and seeds they share (B − A)");
  cmd->add_option("A", a->a, "<experiment>/<point> (e.g. hmp_cnn1d/p00), or an experiment with one point")
      ->required();
  cmd->add_option("B", a->b, "the other point")->required();
  cmd->add_option("--metric", a->metric, "Numeric column compared")->capture_default_str();
  cmd->add_option("--runs", a->root, "Root folder of the runs")->capture_default_str();
  cmd->callback([a] {
    exp::numeric_value(exp::RunRecord{}, a->metric);  // an unknown name fails here, listing the valid ones
    const auto list = exp::list_runs(a->root);
    const auto groups = exp::group_runs(list);
    const exp::RunGroup& ga = exp::find_group(groups, a->a);
    const exp::RunGroup& gb = exp::find_group(groups, a->b);
    const exp::PairedTest t = exp::paired_test(ga, gb, a->metric);
    std::cout << exp::format_paired_test(ga, gb, a->metric, t);
    if (t.n == 0) throw std::runtime_error("no run of A has a partner in B (same fold and seed index)");
  });
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
