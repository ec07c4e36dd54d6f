#pragma once
// Each `slimlab <cmd>` lives in its own file and registers itself here.
#include <CLI/CLI.hpp>

namespace slimlab::cli {

void add_data_command(CLI::App& app);

}  // namespace slimlab::cli
