// Streaming inference on a model whose graph starts with a front-end op
// (slimrt/stream.h): ring of raw samples → one window per hop → the network → a class
// per hop and a smoothed class. Float AudioFeatures / DeepSenseFeatures front ends run
// through a FeatureStream (columns shared by consecutive windows are reused) whose
// features the graph's first op copies (ops/frontend, StreamTap); any other front end
// (fixed point, Resample, ImageResize) gets the raw window as the model's input.
// Samples at the device's rate / channel count go through a StreamInput first
// (frontend/stream_input.h: mixed to mono, resampled), in pieces of max_chunk frames.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>

#include "c_api_handles.h"
#include "frontend/stream_input.h"
#include "ops/frontend/fe_ops.h"
#include "slimrt/frontend.h"
#include "slimrt/stream.h"

namespace slimrt::frontend {
namespace {

[[noreturn]] void refuse(const std::string& why) { throw std::invalid_argument("slimrt_stream_open: " + why); }

// The first op, checked to be a front-end op reading the model's input 0.
const OpDesc& front_op(const Model& m) {
  if (m.ops().empty() || m.inputs().size() != 1) refuse("the model needs one input and at least one op");
  const OpDesc& op = m.ops()[0];
  if (op.type != OpType::AudioFeatures && op.type != OpType::DeepSenseFeatures && op.type != OpType::Resample)
    refuse(std::string("the model's first op is ") + op_name(op.type) +
           ", not a front-end op taking raw samples (AudioFeatures, DeepSenseFeatures, Resample)");
  if (op.inputs[0] != m.inputs()[0]) refuse("the model's first op does not read the model's input");
  return op;
}

// Every operating point must take the same raw window through the same front end.
void same_front(const OpDesc& a, const Model& g, const std::string& name) {
  const OpDesc& b = front_op(g);
  const FrontEndParams &p = a.frontend, &q = b.frontend;
  const bool same = a.type == b.type && p.sample_rate == q.sample_rate && p.n_fft == q.n_fft &&
                    p.win_length == q.win_length && p.hop_length == q.hop_length && p.n_mels == q.n_mels &&
                    p.n_mfcc == q.n_mfcc && p.fmin == q.fmin && p.fmax == q.fmax && p.intervals == q.intervals &&
                    p.fft_bins == q.fft_bins && p.axes_per_sensor == q.axes_per_sensor;
  if (!same) refuse("operating point '" + name + "' starts with another front end than the model's graph");
}

}  // namespace

class ModelStream {
 public:
  ModelStream(std::shared_ptr<const Model> model, const slimrt_stream_options& o) : model_(std::move(model)) {
    const OpDesc& op = front_op(*model_);
    const TensorDesc& in = model_->tensors()[size_t(op.inputs[0])];
    const FrontEndParams& p = op.frontend;
    window_ = in.shape[0];
    channels_ = in.shape.size() > 1 ? int(in.shape[1]) : 1;
    rate_ = p.sample_rate > 0 ? p.sample_rate : model_->metadata().sample_rate;
    hop_ = o.hop > 0 ? o.hop : p.stream_hop > 0 ? p.stream_hop : window_;
    if (hop_ > window_ * 64) refuse("hop " + std::to_string(hop_) + " is more than 64 windows");
    smooth_ = o.smooth_window >= 0 ? o.smooth_window : p.smooth_window;
    mode_ = o.smooth_mode >= 0 ? o.smooth_mode : p.smooth_mode;
    if (smooth_ > ops::fe::kMaxSmoothWindow) refuse("smooth_window " + std::to_string(smooth_) + " is more than 1024");
    if (mode_ != SLIMRT_SMOOTH_VOTE && mode_ != SLIMRT_SMOOTH_MEAN) refuse("unknown smooth_mode " + std::to_string(mode_));
    smooth_ = std::max(smooth_, 1);
    open_input(op.type, o);
    const bool float_features = model_->tensors()[size_t(op.outputs[0])].dtype == DType::F32;
    if (o.reuse && float_features && op.type == OpType::AudioFeatures)
      features_.emplace(FeatureStream::log_mel(ops::fe::log_mel_options(p, window_), hop_));
    else if (o.reuse && float_features && op.type == OpType::DeepSenseFeatures)
      features_.emplace(FeatureStream::deepsense(ops::fe::deepsense_options(p, window_, channels_), hop_));
    for (size_t i = 0; i < model_->operating_points().size(); ++i)
      if (const Model* g = model_->point_graph(i)) same_front(op, *g, model_->operating_points()[i].name);
    build_interpreter(o.isa ? o.isa : "");
    ring_.assign(size_t(window_ * channels_), 0.0f);
    linear_.assign(ring_.size(), 0.0f);
    const size_t k = size_t(interp_->output(0).numel);
    out_.assign(k, 0.0f);
    history_cls_.assign(size_t(smooth_), -1);
    history_out_.assign(size_t(smooth_) * k, 0.0f);
    mean_.assign(k, 0.0f);
    votes_.assign(k, 0);
    reset();
  }

  void reset() {
    finished_ = false;
    input_->reset();
    total_ = ring_pos_ = windows_ = 0;
    next_end_ = window_;
    std::fill(history_cls_.begin(), history_cls_.end(), -1);
    if (features_) features_->reset();
  }

  void push(const float* x, size_t frames, slimrt_decision_fn fn, void* user) {
    if (finished_)
      throw std::invalid_argument("slimrt_stream_push: the stream was finished (slimrt_stream_reset starts another)");
    const size_t C = size_t(input_channels_), n = frames * C;
    for (size_t i = 0; i < n; ++i)
      if (!std::isfinite(x[i])) {
        char msg[160];
        std::snprintf(msg, sizeof msg, "slimrt_stream_push: sample %s at frame %lld (of this chunk), channel %d",
                      std::isnan(x[i]) ? "NaN" : "infinite", (long long)(i / C), int(i % C));
        throw std::invalid_argument(msg);
      }
    if (input_->identity()) return feed(x, frames, fn, user);
    for (size_t piece; frames; x += piece * C, frames -= piece) {  // max_chunk frames at a time
      piece = std::min(frames, input_->max_chunk());
      feed(input_->out(), input_->push(x, piece), fn, user);
    }
  }

  // The end of the recording: the resampler's last frames go through (no-op without
  // resampling); push is refused until reset.
  void finish(slimrt_decision_fn fn, void* user) {
    if (!finished_) feed(input_->out(), input_->finish(), fn, user);
    finished_ = true;
  }

  int channels() const { return channels_; }
  int64_t window() const { return window_; }
  int64_t hop() const { return hop_; }
  int smooth_window() const { return smooth_; }
  int smooth_mode() const { return mode_; }
  double rate() const { return rate_; }
  double input_rate() const { return input_rate_; }
  int input_channels() const { return input_channels_; }
  int64_t frames() const { return total_; }
  bool reusing() const { return features_.has_value(); }
  const std::vector<float>& output() const { return out_; }
  void set_point(size_t i) { interp_->set_operating_point(i); }
  size_t point() const { return interp_->operating_point(); }

 private:
  // The device's rate and channels (options; 0: the model's) → the model's.
  void open_input(OpType front, const slimrt_stream_options& o) {
    try {
      const auto kind = front == OpType::AudioFeatures ? StreamInput::Kind::kAudio : StreamInput::Kind::kInertial;
      input_.emplace(kind, o.input_rate, rate_, o.input_channels, channels_, o.max_chunk);
    } catch (const std::invalid_argument& e) {
      refuse(e.what());
    }
    input_rate_ = o.input_rate > 0 ? o.input_rate : rate_;
    input_channels_ = o.input_channels > 0 ? o.input_channels : channels_;
  }

  void feed(const float* x, size_t frames, slimrt_decision_fn fn, void* user) {
    features_ ? push_features(x, frames, fn, user) : push_raw(x, frames, fn, user);
  }

  void build_interpreter(const std::string& isa) {
    InterpreterOptions io;
    io.isa = isa;
    ops::fe::StreamTap tap;
    tap.features = &feature_ptr_;
    if (features_) {
      feature_ptr_ = features_->features();
      ops::fe::bind_tap() = &tap;
    }
    try {
      interp_ = std::make_unique<Interpreter>(model_, io);
    } catch (...) {
      ops::fe::bind_tap() = nullptr;
      throw;
    }
    ops::fe::bind_tap() = nullptr;
    if (features_ && !tap.bound) features_.reset();  // the op did not take the features: raw windows
  }

  void push_features(const float* x, size_t frames, slimrt_decision_fn fn, void* user) {
    while (frames) {
      const size_t k = features_->push(x, frames);
      x += k * size_t(channels_);
      frames -= k;
      total_ += int64_t(k);
      if (features_->ready()) decide(fn, user);  // the input tensor is not read: op 0 copies the features
    }
  }

  void push_raw(const float* x, size_t frames, slimrt_decision_fn fn, void* user) {
    const int64_t C = channels_;
    while (frames) {
      const int64_t take = std::min<int64_t>(int64_t(frames), next_end_ - total_);
      for (int64_t done = 0; done < take;) {
        const int64_t n = std::min(take - done, window_ - ring_pos_);
        std::memcpy(ring_.data() + ring_pos_ * C, x + done * C, size_t(n * C) * sizeof(float));
        ring_pos_ = (ring_pos_ + n) % window_;
        done += n;
      }
      x += take * C;
      frames -= size_t(take);
      total_ += take;
      if (total_ == next_end_) {
        // The ring from its oldest frame (ring_pos_) is the window in time order.
        const size_t head = size_t(ring_pos_ * C);
        std::copy(ring_.begin() + long(head), ring_.end(), linear_.begin());
        std::copy(ring_.begin(), ring_.begin() + long(head), linear_.end() - long(head));
        interp_->set_input(0, linear_.data(), linear_.size());
        next_end_ += hop_;
        decide(fn, user);
      }
    }
  }

  static int arg_max(const float* v, size_t n) {
    return int(std::max_element(v, v + n) - v);
  }

  void decide(slimrt_decision_fn fn, void* user) {
    interp_->invoke();
    const size_t k = out_.size();
    interp_->get_output(0, out_.data(), k);
    slimrt_decision d{};
    d.window = windows_;
    d.end_frame = total_;
    d.end_s = rate_ > 0 ? double(total_) / rate_ : 0;
    d.cls = arg_max(out_.data(), k);
    d.score = out_[size_t(d.cls)];
    const size_t slot = size_t(windows_ % smooth_);
    history_cls_[slot] = d.cls;
    std::copy(out_.begin(), out_.end(), history_out_.begin() + long(slot * k));
    ++windows_;
    smooth(d);
    if (fn) fn(&d, user);
  }

  // Over the last min(N, windows) decisions.
  void smooth(slimrt_decision& d) {
    const int64_t have = std::min<int64_t>(windows_, smooth_);
    const size_t k = out_.size();
    if (mode_ == SLIMRT_SMOOTH_MEAN) {
      std::fill(mean_.begin(), mean_.end(), 0.0f);
      for (int64_t j = 0; j < have; ++j)
        for (size_t c = 0; c < k; ++c) mean_[c] += history_out_[size_t(j) * k + c];
      for (float& v : mean_) v /= float(have);
      d.smoothed_cls = arg_max(mean_.data(), k);
      d.smoothed_score = mean_[size_t(d.smoothed_cls)];
      return;
    }
    // Vote: most votes; a tie goes to the class voted for most recently.
    std::fill(votes_.begin(), votes_.end(), 0);
    int best = d.cls, best_votes = 0;
    for (int64_t age = 0; age < have; ++age) {  // newest first
      const int c = history_cls_[size_t((windows_ - 1 - age) % smooth_)];
      if (++votes_[size_t(c)] > best_votes) {
        best_votes = votes_[size_t(c)];
        best = c;
      }
    }
    d.smoothed_cls = best;
    d.smoothed_score = float(best_votes) / float(have);
  }

  std::shared_ptr<const Model> model_;
  std::unique_ptr<Interpreter> interp_;
  std::optional<FeatureStream> features_;
  std::optional<StreamInput> input_;
  double input_rate_ = 0;
  int input_channels_ = 1;
  bool finished_ = false;
  const float* feature_ptr_ = nullptr;
  int channels_ = 1;
  int64_t window_ = 0, hop_ = 0;
  int smooth_ = 1, mode_ = 0;
  double rate_ = 0;
  std::vector<float> ring_, linear_;
  int64_t ring_pos_ = 0, total_ = 0, next_end_ = 0, windows_ = 0;
  std::vector<float> out_, history_out_, mean_;
  std::vector<int> history_cls_, votes_;
};

}  // namespace slimrt::frontend

struct slimrt_stream {
  std::unique_ptr<slimrt::frontend::ModelStream> s;
};

namespace {
slimrt_status stream_fail(slimrt_status s, const char* msg) {
  slimrt::detail::c_api_error() = msg;
  return s;
}
}  // namespace

extern "C" {

void slimrt_stream_options_init(slimrt_stream_options* o) {
  if (!o) return;
  *o = slimrt_stream_options{};
  o->smooth_window = -1;
  o->smooth_mode = SLIMRT_SMOOTH_FROM_FILE;
  o->reuse = 1;
}

slimrt_status slimrt_stream_open(const slimrt_model* model, const slimrt_stream_options* options, slimrt_stream** out) {
  if (!model || !out) return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_stream_open: null argument");
  *out = nullptr;
  slimrt_frontend_register();
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  if (options) o = *options;
  try {
    *out = new slimrt_stream{std::make_unique<slimrt::frontend::ModelStream>(model->model, o)};
    return SLIMRT_OK;
  } catch (const std::invalid_argument& e) {
    return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, e.what());
  } catch (const std::exception& e) {
    return stream_fail(SLIMRT_ERROR_RUNTIME, e.what());
  }
}

void slimrt_stream_free(slimrt_stream* s) { delete s; }

slimrt_status slimrt_stream_push(slimrt_stream* s, const float* x, size_t frames, slimrt_decision_fn fn, void* user) {
  if (!s || (!x && frames)) return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_stream_push: null argument");
  try {
    s->s->push(x, frames, fn, user);
    return SLIMRT_OK;
  } catch (const std::invalid_argument& e) {
    return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, e.what());
  } catch (const std::exception& e) {
    return stream_fail(SLIMRT_ERROR_RUNTIME, e.what());
  }
}

slimrt_status slimrt_stream_finish(slimrt_stream* s, slimrt_decision_fn fn, void* user) {
  if (!s) return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_stream_finish: null stream");
  try {
    s->s->finish(fn, user);
    return SLIMRT_OK;
  } catch (const std::exception& e) {
    return stream_fail(SLIMRT_ERROR_RUNTIME, e.what());
  }
}

void slimrt_stream_reset(slimrt_stream* s) {
  if (s) s->s->reset();
}
int slimrt_stream_channels(const slimrt_stream* s) { return s ? s->s->channels() : 0; }
int64_t slimrt_stream_window(const slimrt_stream* s) { return s ? s->s->window() : 0; }
int64_t slimrt_stream_hop(const slimrt_stream* s) { return s ? s->s->hop() : 0; }
int slimrt_stream_smooth_window(const slimrt_stream* s) { return s ? s->s->smooth_window() : 0; }
int slimrt_stream_smooth_mode(const slimrt_stream* s) { return s ? s->s->smooth_mode() : 0; }
double slimrt_stream_sample_rate(const slimrt_stream* s) { return s ? s->s->rate() : 0; }
double slimrt_stream_input_rate(const slimrt_stream* s) { return s ? s->s->input_rate() : 0; }
int slimrt_stream_input_channels(const slimrt_stream* s) { return s ? s->s->input_channels() : 0; }
int64_t slimrt_stream_frames(const slimrt_stream* s) { return s ? s->s->frames() : 0; }
int slimrt_stream_reusing(const slimrt_stream* s) { return s && s->s->reusing() ? 1 : 0; }

slimrt_status slimrt_stream_set_point(slimrt_stream* s, int index) {
  if (!s) return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_stream_set_point: null stream");
  try {
    s->s->set_point(index < 0 ? SIZE_MAX : size_t(index));
    return SLIMRT_OK;
  } catch (const std::exception& e) {
    return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, e.what());
  }
}
int slimrt_stream_point(const slimrt_stream* s) { return s ? int(s->s->point()) : -1; }

slimrt_status slimrt_stream_output(const slimrt_stream* s, float* data, size_t count) {
  if (!s || !data) return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_stream_output: null argument");
  const auto& out = s->s->output();
  if (count != out.size()) return stream_fail(SLIMRT_ERROR_INVALID_ARGUMENT, "slimrt_stream_output: count is not output 0's size");
  std::copy(out.begin(), out.end(), data);
  return SLIMRT_OK;
}

}  // extern "C"
