// Streaming front end: ring buffer, one window per hop, reuse of the feature
// columns two consecutive windows share (slimrt/frontend.h).
#include <algorithm>
#include <cstring>
#include <string>

#include "frontend/internal.h"
#include "slimrt/frontend.h"

namespace slimrt::frontend {

FeatureStream FeatureStream::log_mel(const LogMelOptions& options, int64_t hop, bool reuse) {
  FeatureStream s;
  s.kind_ = Kind::kLogMel;
  s.mel_ = prepare_log_mel(options);
  const LogMelPlan& p = s.mel_;
  // Frame t's window support starts at t·hop_length − n_fft/2 + win_offset.
  const int64_t hl = options.hop_length, lead = options.n_fft / 2 - p.win_offset;
  s.first_inner_ = (lead + hl - 1) / hl;
  s.last_inner_ = std::min(p.frames - 1, (options.clip_samples - options.win_length + lead) / hl);
  s.init(1, options.clip_samples, hop, p.frames, hl, p.features(), reuse);
  s.scratch_.resize(p.scratch_floats);
  return s;
}

FeatureStream FeatureStream::deepsense(const DeepSenseOptions& options, int64_t hop, bool reuse) {
  FeatureStream s;
  s.kind_ = Kind::kDeepSense;
  s.ds_ = prepare_deepsense(options);
  s.first_inner_ = 0;  // intervals never see padding
  s.last_inner_ = options.intervals - 1;
  s.init(options.channels, options.window, hop, options.intervals, s.ds_.interval,
         int64_t(options.channels) * options.fft_bins * 2, reuse);
  return s;
}

void FeatureStream::init(int channels, int64_t window, int64_t hop, int64_t columns, int64_t step,
                         int64_t column_size, bool reuse) {
  if (hop < 1 || hop > (int64_t(1) << 30))
    bad_option("FeatureStream", "hop", std::to_string(hop) + " frames is outside 1 .. 2^30");
  channels_ = channels;
  window_ = window;
  hop_ = hop;
  columns_ = columns;
  column_size_ = column_size;
  shift_ = reuse && hop % step == 0 && hop / step <= last_inner_ - first_inner_ ? hop / step : 0;
  ring_.assign(size_t(window * channels), 0.0f);
  window_buf_.assign(ring_.size(), 0.0f);
  column_.assign(size_t(column_size), 0.0f);
  const int64_t slots = shift_ ? last_inner_ - first_inner_ + 1 : 0;
  cache_.assign(size_t(slots * column_size), 0.0f);
  cache_tag_.assign(size_t(slots), -1);
  features_.assign(size_t(columns * column_size), 0.0f);
  reset();
}

void FeatureStream::reset() {
  ring_pos_ = total_ = 0;
  next_end_ = window_;
  ready_ = false;
  windows_ = computed_ = reused_ = 0;
  std::fill(cache_tag_.begin(), cache_tag_.end(), -1);
}

size_t FeatureStream::push(const float* x, size_t frames) {
  ready_ = false;
  const int64_t take = std::min<int64_t>(int64_t(frames), next_end_ - total_);
  const int64_t C = channels_;
  for (int64_t done = 0; done < take;) {  // at most two copies: up to the ring's end, then from its start
    const int64_t n = std::min(take - done, window_ - ring_pos_);
    std::memcpy(ring_.data() + ring_pos_ * C, x + done * C, size_t(n * C) * sizeof(float));
    ring_pos_ = (ring_pos_ + n) % window_;
    done += n;
  }
  total_ += take;
  if (total_ == next_end_) {
    emit();
    next_end_ += hop_;
    ready_ = true;
  }
  return size_t(take);
}

bool FeatureStream::reusable(int64_t t) const { return shift_ && t >= first_inner_ && t <= last_inner_; }

void FeatureStream::compute_column(int64_t t, float* column) {
  if (kind_ == Kind::kLogMel) {
    feature_column(mel_, window_buf_.data(), window_, t, scratch_.data(), column, 1);
    return;
  }
  const DeepSenseOptions& o = ds_.options;
  for (int c = 0; c < channels_; ++c) {  // channel c's bins at column[c·f·2 ..], (re, im) pairs
    float* dst = column + int64_t(c) * o.fft_bins * 2;
    dft(ds_.dft, window_buf_.data() + c * window_ + t * ds_.interval, dst, dst + 1, 2);
  }
}

void FeatureStream::scatter_column(int64_t t, const float* column) {
  if (kind_ == Kind::kLogMel) {  // [features, frames]
    for (int64_t f = 0; f < column_size_; ++f) features_[size_t(f * columns_ + t)] = column[f];
    return;
  }
  // {S, T, D·f·2}: sensor s's D axes are consecutive channels, so one block each.
  const int64_t feat = int64_t(ds_.options.axes_per_sensor) * ds_.options.fft_bins * 2;
  for (int64_t s = 0; s < ds_.sensors; ++s)
    std::memcpy(features_.data() + (s * columns_ + t) * feat, column + s * feat, size_t(feat) * sizeof(float));
}

void FeatureStream::emit() {
  // The window's frames in time order (the oldest sits at ring_pos_); DeepSense
  // wants them channel-major.
  const int64_t C = channels_, W = window_;
  for (int64_t i = 0; i < W; ++i) {
    const float* src = ring_.data() + ((ring_pos_ + i) % W) * C;
    if (kind_ == Kind::kLogMel) window_buf_[size_t(i)] = src[0];
    else
      for (int64_t c = 0; c < C; ++c) window_buf_[size_t(c * W + i)] = src[c];
  }
  const int64_t slots = int64_t(cache_tag_.size());
  for (int64_t t = 0; t < columns_; ++t) {
    if (!reusable(t)) {
      compute_column(t, column_.data());
      scatter_column(t, column_.data());
      ++computed_;
      continue;
    }
    const int64_t tag = windows_ * shift_ + t;  // the column's position in the stream, in column steps
    float* slot = cache_.data() + (tag % slots) * column_size_;
    if (cache_tag_[size_t(tag % slots)] == tag) {
      ++reused_;
    } else {
      compute_column(t, slot);
      cache_tag_[size_t(tag % slots)] = tag;
      ++computed_;
    }
    scatter_column(t, slot);
  }
  ++windows_;
}

}  // namespace slimrt::frontend
