// The experiment TOML: parse + validate (exp::parse_experiment), then the
// documented round trip: parse_experiment(to_toml(e)) must accept what it wrote.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "experiments/experiment.h"
#include "fuzz/fuzz_util.h"

// The shipped experiments name ${SLIMLAB_DATASETS:-../shared/datasets}: point that at
// an empty folder, so that validation does not scan thousands of real files per input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("SLIMLAB_DATASETS", "/nonexistent/slimlab-fuzz-datasets", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  slimlab::exp::Experiment e;
  try {
    e = slimlab::exp::parse_experiment(text, "fuzz.toml");
  } catch (const std::invalid_argument&) {
    return 0;
  } catch (const std::runtime_error&) {
    return 0;
  }
  const std::string resolved = slimlab::exp::to_toml(e);
  try {
    slimlab::exp::parse_experiment(resolved, "resolved.toml");
  } catch (const std::exception& err) {
    std::fprintf(stderr, "to_toml output rejected by parse_experiment: %s\n--- resolved ---\n%s\n", err.what(),
                 resolved.c_str());
    std::abort();
  }
  return 0;
}
