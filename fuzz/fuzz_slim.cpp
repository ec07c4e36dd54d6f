// .slim: load + verify (slimrt::Model::from_memory), prepare (Interpreter: arena
// plan, weight packing, kernel choice) and one inference on every input. The front
// end's ops (AudioFeatures, DeepSenseFeatures, Normalize, Resample, ImageResize) are
// registered, so their parameter checks are fuzzed too.
#include <cmath>
#include <cstdint>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "slimrt/runtime.h"
#include "slimrt/stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  slimrt_frontend_register();  // once (std::call_once inside)
  slimlab::fuzz::expect_clean_error([&] {
    auto model = slimrt::Model::from_memory(data, size, /*copy=*/true);
    // The verifier allows up to 4 GiB of activations (a real, if large, model): the
    // fuzzer runs only models whose activations fit in 64 MiB.
    size_t activations = 0;
    for (const auto& t : model->tensors()) activations += t.constant() ? 0 : t.bytes;
    if (activations > (size_t(64) << 20)) return;
    slimrt::Interpreter interp(model);
    std::vector<float> buf;
    for (size_t i = 0; i < interp.num_inputs(); ++i) {
      buf.resize(size_t(interp.input(i).numel));
      for (size_t k = 0; k < buf.size(); ++k) buf[k] = float(std::sin(0.37 * double(k)));
      interp.set_input(i, buf.data(), buf.size());
    }
    interp.invoke();
    for (size_t i = 0; i < interp.num_outputs(); ++i) {
      buf.resize(size_t(interp.output(i).numel));
      interp.get_output(i, buf.data(), buf.size());
    }
  });
  return 0;
}
