#pragma once
// A thin C++ wrapper over the streaming C API (slimrt/stream.h): RAII, exceptions
// (slimrt::api::Failure) and a std::function per decision.
#include <functional>
#include <vector>

#include "slimrt/slimrt.hpp"
#include "slimrt/stream.h"

namespace slimrt::api {

class StreamHandle {
 public:
  using Callback = std::function<void(const slimrt_decision&)>;
  // options: slimrt_stream_options_init's defaults when null.
  explicit StreamHandle(const ModelHandle& model, const slimrt_stream_options* options = nullptr) {
    check(slimrt_stream_open(model.get(), options, &s_));
  }
  StreamHandle(StreamHandle&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  StreamHandle& operator=(StreamHandle&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  StreamHandle(const StreamHandle&) = delete;
  StreamHandle& operator=(const StreamHandle&) = delete;
  ~StreamHandle() { slimrt_stream_free(s_); }

  // frames × input_channels() samples; `on_decision` runs for every window that completes.
  void push(const float* samples, size_t frames, const Callback& on_decision = {}) {
    const Callback* cb = on_decision ? &on_decision : nullptr;
    check(slimrt_stream_push(s_, samples, frames, cb ? &call : nullptr, const_cast<Callback*>(cb)));
  }
  // The end of the recording (slimrt_stream_finish): the resampler's last frames.
  void finish(const Callback& on_decision = {}) {
    const Callback* cb = on_decision ? &on_decision : nullptr;
    check(slimrt_stream_finish(s_, cb ? &call : nullptr, const_cast<Callback*>(cb)));
  }
  void reset() { slimrt_stream_reset(s_); }
  int channels() const { return slimrt_stream_channels(s_); }  // the model's
  int input_channels() const { return slimrt_stream_input_channels(s_); }
  double input_rate() const { return slimrt_stream_input_rate(s_); }
  int64_t frames() const { return slimrt_stream_frames(s_); }
  int64_t window() const { return slimrt_stream_window(s_); }
  int64_t hop() const { return slimrt_stream_hop(s_); }
  double sample_rate() const { return slimrt_stream_sample_rate(s_); }
  std::vector<float> output(size_t count) const {
    std::vector<float> y(count);
    check(slimrt_stream_output(s_, y.data(), y.size()));
    return y;
  }
  void set_point(int index) { check(slimrt_stream_set_point(s_, index)); }  // between hops
  int point() const { return slimrt_stream_point(s_); }
  slimrt_stream* get() const { return s_; }

 private:
  static void call(const slimrt_decision* d, void* user) { (*static_cast<const Callback*>(user))(*d); }
  slimrt_stream* s_ = nullptr;
};

}  // namespace slimrt::api
