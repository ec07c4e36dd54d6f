#pragma once
// Command-line flags that fill a DatasetConfig (shared by every subcommand that
// reads a dataset).
#include <CLI/CLI.hpp>

#include "datasets/pipeline.h"

namespace slimlab::cli {

void add_dataset_options(CLI::App& cmd, data::DatasetConfig& config);

}  // namespace slimlab::cli
