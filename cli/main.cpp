// slimlab — the SlimLab workbench's command line.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "experiments/run_lock.h"

int main(int argc, char** argv) {
  CLI::App app{
      "SlimLab: train HAR, audio and vision models, compress them, and deploy them to slimrt.\n"
      "Run `slimlab <command> --help` for the options of one command.",
      "slimlab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "slimlab 0.1.0");
  app.footer(
      "Examples:\n"
      "  slimlab data inspect synthetic:har\n"
      "  slimlab data inspect ../shared/datasets/fsdd/recordings --audio-features mfcc\n"
      "  slimlab data cache ../shared/datasets/hmp --out cache/hmp.h5 --window 4\n"
      "  slimlab run experiments/quickstart.toml\n"
      "  slimlab runs list\n"
      "  slimlab plot --x params --out runs/plot.svg\n"
      "  slimlab gui\n");
  slimlab::cli::set_raw_args(argc, argv);
  slimlab::cli::add_data_command(app);
  slimlab::cli::add_train_command(app);
  slimlab::cli::add_run_command(app);
  slimlab::cli::add_runs_command(app);
  slimlab::cli::add_plot_command(app);
  slimlab::cli::add_compare_command(app);
  slimlab::cli::add_gui_command(app);
  slimlab::cli::add_export_command(app);
  slimlab::cli::add_simulate_context_command(app);
  slimlab::cli::add_import_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const slimlab::exp::RunFolderBusy& e) {
    std::fflush(stdout);
    std::cerr << "slimlab: error: " << e.what() << "\n";
    return slimlab::exp::kRunFolderBusyExit;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "slimlab: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
