#pragma once
// Each `slimlab <cmd>` lives in its own file and registers itself here.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace slimlab::cli {

void add_data_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_runs_command(CLI::App& app);
void add_plot_command(CLI::App& app);
void add_compare_command(CLI::App& app);  // cmd_runs.cpp
void add_gui_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_simulate_context_command(CLI::App& app);  // cmd_simulate.cpp
void add_import_command(CLI::App& app);  // cmd_import.cpp: ONNX → Graph IR / .slim

// The process's own arguments (for re-launching workers) and executable.
void set_raw_args(int argc, char** argv);
const std::vector<std::string>& raw_args();
std::string self_exe();

}  // namespace slimlab::cli
