#pragma once
// The sensor front-end ops (AudioFeatures, DeepSenseFeatures, Normalize, Resample,
// ImageResize): verification rules and bindings over slimrt_frontend's kernels
// (slimrt/frontend.h). They live in the optional library slimrt_frontend, not in the
// core, and join the op table when slimrt_frontend_register() runs (register.cpp).
#include <stdexcept>
#include <vector>

#include "op_registry.h"
#include "slimrt/frontend.h"

namespace slimrt::ops::fe {

// Verification limits of the front end (beyond the frontend's own option checks):
// they bound the tables a crafted file can make the loader build.
constexpr int64_t kMaxClip = int64_t(1) << 24;  // samples in one window
constexpr int kMaxFft = 8192;                   // n_fft; 2048 when not a power of two
constexpr int kMaxDirectFft = 2048;
constexpr int kMaxSmoothWindow = 1024;
constexpr double kMaxRate = 1e7;                // Hz

// The op's Op.frontend table; fails when the file has none.
const FrontEndParams& params(Check& c);
// stream_hop / smooth_window / smooth_mode of a front-end op that may start a stream.
void check_stream(Check& c, int64_t window);
// Runs prepare() and turns the frontend's std::invalid_argument into the op's error.
template <class F>
auto prepared(const Check& c, F&& prepare) -> decltype(prepare()) {
  try {
    return prepare();
  } catch (const std::invalid_argument& e) {
    c.fail("%s", e.what());
  }
}
template <class F>
auto prepared(const Bind& b, F&& prepare) -> decltype(prepare()) {
  try {
    return prepare();
  } catch (const std::invalid_argument& e) {
    b.fail(e.what());
  }
}

// Streaming (slimrt/stream.h): while an interpreter is being built for a stream, a
// float AudioFeatures / DeepSenseFeatures op reading the model's input 0 copies the
// features the stream's FeatureStream computed (*features, frame reuse) instead of
// computing them from the input tensor.
struct StreamTap {
  const float* const* features = nullptr;  // set: bind in stream mode
  bool bound = false;                      // set by the op that took the tap
};
StreamTap*& bind_tap();  // thread-local; null outside a stream's interpreter construction

// The frontend's options from an op's parameters and input shape.
frontend::LogMelOptions log_mel_options(const FrontEndParams& p, int64_t clip);
frontend::DeepSenseOptions deepsense_options(const FrontEndParams& p, int64_t window, int64_t channels);

// Adds the front-end ops to the op table (once; slimrt_frontend_register()).
void register_all();
void register_audio(OpTable& t);
void register_signal(OpTable& t);

}  // namespace slimrt::ops::fe
