#pragma once
// Runs a shell command line (popen) for the tests that start slimrt's tools: its exit
// status and what it wrote to stdout (append " 2>&1" to the command for stderr too).
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace slimrt::test {

struct CommandOutput {
  int status;  // exit status; -1 when the command did not exit normally
  std::string out;
};

inline CommandOutput run_command(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  for (size_t n; p && (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = p ? ::pclose(p) : -1;
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace slimrt::test
