// slimlab gui: starts slimlab-gui (built beside slimlab) with the same arguments.
// The GUI never links LibTorch; it launches runs as `slimlab train` children.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "cli/commands.h"

namespace slimlab::cli {

void add_gui_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "gui", "Open slimlab-gui: launch experiments, watch runs, explore accuracy against resources, deploy");
  cmd->allow_extras();
  cmd->prefix_command();  // everything after `gui` goes to slimlab-gui unchanged
  cmd->footer("Options are slimlab-gui's (`slimlab gui --help-gui`): --runs DIR, --experiments DIR, --config-dir DIR, …\n"
              "Without a display, run it under Xvfb: xvfb-run -a slimlab gui");
  cmd->callback([cmd] {
    const std::filesystem::path gui = std::filesystem::path(self_exe()).parent_path() / "slimlab-gui";
    if (!std::filesystem::exists(gui))
      throw std::runtime_error(gui.string() + " not found (build it: cmake --build build --target slimlab-gui)");
    std::vector<std::string> args = {gui.string()};
    for (const std::string& a : cmd->remaining()) args.push_back(a == "--help-gui" ? "--help" : a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    throw std::runtime_error("cannot start " + gui.string() + ": " + std::strerror(errno));
  });
}

}  // namespace slimlab::cli
