#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "datasets/errors.h"
#include "datasets/har_formats.h"
#include "datasets/har_windows.h"
#include "test_util.h"

using namespace slimlab::data;

namespace {

// A recording whose value at (frame t, channel c) is 1000·id + 10·t + c: every
// sample is distinct and tells where it came from.
Recording ramp(int id, int64_t frames, int channels, double rate, int label, const std::string& group) {
  Recording r;
  r.channels = channels;
  r.rate_hz = rate;
  r.label = label;
  r.group = group;
  r.source = "rec" + std::to_string(id);
  for (int64_t t = 0; t < frames; ++t)
    for (int c = 0; c < channels; ++c) r.samples.push_back(float(1000 * id + 10 * t + c));
  return r;
}

RecordingSet three_recordings() {
  RecordingSet set;
  set.class_names = {"walk", "sit"};
  set.channel_names = {"acc_x", "acc_y", "acc_z"};
  set.recordings.push_back(ramp(0, 100, 3, 50, 0, "s2"));
  set.recordings.push_back(ramp(1, 37, 3, 50, 1, "s1"));
  set.recordings.push_back(ramp(2, 250, 3, 50, 1, "s3"));
  return set;
}

std::complex<double> direct_dft(const float* x, int n, int k) {
  std::complex<double> acc = 0;
  for (int t = 0; t < n; ++t) acc += double(x[t]) * std::polar(1.0, -2.0 * M_PI * k * t / n);
  return acc;
}

}  // namespace

TEST(HarWindows, CountsFollowTheHopFormula) {
  const RecordingSet set = three_recordings();
  std::vector<std::string> notes;
  WindowOptions opt;
  opt.window_seconds = 1.0;  // W = 50
  opt.overlap = 0.5;         // hop = 25
  const ArraySet w = make_windows(set, {0, 1, 2}, opt, &notes);
  // floor((100−50)/25)+1 = 3, the 37-frame recording is dropped, floor((250−50)/25)+1 = 9.
  ASSERT_EQ(w.size(), 12u);
  EXPECT_EQ(w.sample_shape, (std::vector<int64_t>{3, 50}));
  EXPECT_EQ(w.values.size(), 12u * 150u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("1 recordings shorter than one window dropped"), std::string::npos) << notes[0];

  opt.overlap = 0;  // hop = W
  EXPECT_EQ(make_windows(set, {0, 2}, opt).size(), size_t(2 + 5));
  opt.overlap = 0.8;  // hop = 10: floor(50/10)+1 + floor(200/10)+1
  EXPECT_EQ(make_windows(set, {0, 2}, opt).size(), size_t(6 + 21));
  opt.window_seconds = 2.0;  // W = 100 = the first recording's length
  opt.overlap = 0.5;
  EXPECT_EQ(make_windows(set, {0}, opt).size(), 1u);
}

TEST(HarWindows, WindowEqualsTheRecordingSlice) {
  const RecordingSet set = three_recordings();
  WindowOptions opt;
  opt.window_seconds = 0.8;  // W = 40
  opt.overlap = 0.25;        // hop = 30
  const ArraySet w = make_windows(set, {2, 0}, opt);
  const int64_t W = 40, hop = 30;
  const size_t n2 = size_t((250 - W) / hop + 1), n0 = size_t((100 - W) / hop + 1);
  ASSERT_EQ(w.size(), n2 + n0);
  // Groups index the sorted groups of the whole set, labels come from the recording.
  EXPECT_EQ(w.group_names, (std::vector<std::string>{"s1", "s2", "s3"}));
  EXPECT_EQ(w.class_names, set.class_names);
  for (size_t i = 0; i < w.size(); ++i) {
    const bool first = i < n2;
    const Recording& r = set.recordings[first ? 2 : 0];
    const int64_t start = int64_t(first ? i : i - n2) * hop;
    EXPECT_EQ(w.labels[i], r.label);
    EXPECT_EQ(w.groups[i], first ? 2 : 1);
    const float* x = w.sample(i);
    for (int c = 0; c < 3; ++c)
      for (int64_t t = 0; t < W; ++t) ASSERT_EQ(x[c * W + t], r.at(start + t, c)) << i << " " << c << " " << t;
  }
}

TEST(HarWindows, ShortRecordingIsZeroPaddedWhenAsked) {
  const RecordingSet set = three_recordings();
  WindowOptions opt;
  opt.window_seconds = 1.0;
  opt.drop_short = false;
  std::vector<std::string> notes;
  const ArraySet w = make_windows(set, {1}, opt, &notes);
  ASSERT_EQ(w.size(), 1u);
  const float* x = w.sample(0);
  for (int c = 0; c < 3; ++c)
    for (int t = 0; t < 50; ++t)
      EXPECT_EQ(x[c * 50 + t], t < 37 ? set.recordings[1].at(t, c) : 0.0f) << c << " " << t;
  EXPECT_NE(notes[0].find("zero-padded"), std::string::npos);
}

TEST(HarWindows, ResampleLinear) {
  // 100 Hz → 50 Hz: every other frame.
  Recording r = ramp(0, 101, 2, 100, 0, "g");
  Recording d = resample_linear(r, 50);
  EXPECT_EQ(d.rate_hz, 50.0);
  ASSERT_EQ(d.frames(), 51);
  for (int k = 0; k < 51; ++k) EXPECT_FLOAT_EQ(d.at(k, 1), r.at(2 * k, 1));
  // 20 Hz → 50 Hz on a sine: frame k lies at input position 0.4·k.
  Recording s;
  s.channels = 1;
  s.rate_hz = 20;
  for (int t = 0; t < 40; ++t) s.samples.push_back(float(std::sin(0.3 * t)));
  Recording u = resample_linear(s, 50);
  ASSERT_EQ(u.frames(), int64_t(std::floor(39 * 2.5)) + 1);
  for (int k = 0; k < u.frames(); ++k) {
    const double pos = 0.4 * k;
    const int i = int(std::floor(pos + 1e-12));
    const double frac = pos - i;
    const double want = i + 1 < 40 ? s.samples[size_t(i)] * (1 - frac) + s.samples[size_t(i + 1)] * frac
                                   : s.samples[size_t(i)];
    EXPECT_NEAR(u.at(k, 0), want, 1e-5) << k;
  }
  EXPECT_EQ(resample_linear(s, 20).samples, s.samples);
  EXPECT_THROW(resample_linear(s, 0), std::invalid_argument);
}

TEST(HarWindows, MixedRatesNeedACommonRate) {
  RecordingSet set = three_recordings();
  set.recordings.push_back(ramp(3, 200, 3, 100, 0, "s4"));
  WindowOptions opt;
  opt.window_seconds = 1.0;
  try {
    make_windows(set, {0, 3}, opt);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("rec3"), std::string::npos) << e.what();
  }
  opt.rate_hz = 50;  // resample everything to 50 Hz: rec3 becomes 100 frames
  const ArraySet w = make_windows(set, {0, 3}, opt);
  EXPECT_EQ(w.sample_shape, (std::vector<int64_t>{3, 50}));
  ASSERT_EQ(w.size(), 3u + 3u);
  // Window 0 of rec3 at 50 Hz holds every other frame of the 100 Hz ramp.
  EXPECT_FLOAT_EQ(w.sample(3)[1 * 50 + 7], set.recordings[3].at(14, 1));
}

TEST(HarWindows, ChannelMismatchAndBadOptions) {
  RecordingSet set = three_recordings();
  set.recordings.push_back(ramp(4, 200, 6, 50, 0, "s4"));
  WindowOptions opt;
  try {
    make_windows(set, {0, 3}, opt);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("rec4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("channels"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_windows(set, {7}, opt), std::invalid_argument);
  opt.overlap = 1.0;
  EXPECT_THROW(make_windows(set, {0}, opt), std::invalid_argument);
  opt.overlap = 0.5;
  opt.window_seconds = 0;
  EXPECT_THROW(make_windows(set, {0}, opt), std::invalid_argument);
}

TEST(HarWindows, DeepSenseShapeAndBins) {
  // One accelerometer + one gyroscope, 4 s at 50 Hz.
  RecordingSet set;
  set.class_names = {"a", "b"};
  Recording r;
  r.channels = 6;
  r.rate_hz = 50;
  r.label = 1;
  r.group = "u";
  r.source = "sig";
  for (int t = 0; t < 205; ++t)
    for (int c = 0; c < 6; ++c)
      r.samples.push_back(float(std::sin(0.21 * t * (c + 1)) + 0.1 * c + 0.01 * ((t * 7 + c * 3) % 11)));
  set.recordings.push_back(r);
  WindowOptions wo;
  wo.window_seconds = 4.0;  // W = 200
  const ArraySet win = make_windows(set, {0}, wo);
  ASSERT_EQ(win.size(), 1u);
  ASSERT_EQ(win.sample_shape, (std::vector<int64_t>{6, 200}));

  DeepSenseOptions ds;
  ds.intervals = 20;  // L = 10 samples per interval
  ds.fft_bins = 5;
  const ArraySet f = deepsense_features(win, ds);
  ASSERT_EQ(f.sample_shape, (std::vector<int64_t>{2, 20, 3 * 5 * 2}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f.labels, win.labels);
  EXPECT_EQ(f.group_names, win.group_names);

  // Gyro z (sensor 1, axis 2), interval 7, bin 3, against a direct DFT.
  const float* x = win.sample(0) + 5 * 200 + 7 * 10;
  const std::complex<double> want = direct_dft(x, 10, 3);
  const float* y = f.sample(0) + (1 * 20 + 7) * 30 + (2 * 5 + 3) * 2;
  EXPECT_NEAR(y[0], want.real(), 1e-4);
  EXPECT_NEAR(y[1], want.imag(), 1e-4);
  EXPECT_GT(std::abs(want), 0.05);  // a bin with something in it
  // Every value, for the layout [sensor][interval][axis][bin][re/im].
  for (int s = 0; s < 2; ++s)
    for (int t = 0; t < 20; ++t)
      for (int d = 0; d < 3; ++d)
        for (int k = 0; k < 5; ++k) {
          const auto v = direct_dft(win.sample(0) + (s * 3 + d) * 200 + t * 10, 10, k);
          const float* o = f.sample(0) + (s * 20 + t) * 30 + (d * 5 + k) * 2;
          ASSERT_NEAR(o[0], v.real(), 1e-4);
          ASSERT_NEAR(o[1], v.imag(), 1e-4);
        }

  // W not a multiple of T: the tail is dropped, so 205 samples give the same features.
  wo.window_seconds = 4.1;  // W = 205
  const ArraySet win205 = make_windows(set, {0}, wo);
  ASSERT_EQ(win205.sample_shape[1], 205);
  const ArraySet f205 = deepsense_features(win205, ds);
  ASSERT_EQ(f205.sample_shape, f.sample_shape);
  for (size_t i = 0; i < f.values.size(); ++i) ASSERT_FLOAT_EQ(f205.values[i], f.values[i]);
}

TEST(HarWindows, DeepSenseValidation) {
  ArraySet w;
  w.modality = Modality::kHar;
  w.sample_shape = {6, 200};
  w.values.assign(1200, 1.0f);
  w.labels = {0};
  w.groups = {-1};
  DeepSenseOptions ds;
  ds.intervals = 20;
  ds.fft_bins = 7;  // L = 10 has only 6 bins
  EXPECT_THROW(deepsense_features(w, ds), std::invalid_argument);
  ds.fft_bins = 6;
  EXPECT_NO_THROW(deepsense_features(w, ds));
  ds.axes_per_sensor = 4;  // 6 channels are not sensors of 4 axes
  EXPECT_THROW(deepsense_features(w, ds), std::invalid_argument);
  ds.axes_per_sensor = 3;
  ds.intervals = 201;
  EXPECT_THROW(deepsense_features(w, ds), std::invalid_argument);
  w.sample_shape = {1200};
  ds.intervals = 20;
  EXPECT_THROW(deepsense_features(w, ds), std::invalid_argument);
}

TEST(HarWindows, RealHmpWindowCounts) {
  SLIMLAB_REQUIRE_DATASET("hmp/Walk");
  const RecordingSet set = load_hmp(slimlab::test::shared_datasets() / "hmp");
  std::vector<size_t> all(set.recordings.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  WindowOptions opt;
  opt.window_seconds = 5;  // 5 s at 32 Hz → W = 160, hop = 80
  std::vector<std::string> notes;
  const ArraySet w = make_windows(set, all, opt, &notes);
  size_t want = 0, dropped = 0;
  for (const Recording& r : set.recordings) {
    if (r.frames() < 160) ++dropped;
    else want += size_t((r.frames() - 160) / 80 + 1);
  }
  EXPECT_EQ(w.size(), want);
  EXPECT_EQ(w.sample_shape, (std::vector<int64_t>{3, 160}));
  EXPECT_EQ(w.group_names.size(), 16u);
  EXPECT_GT(dropped, 0u);  // a few HMP trials are shorter than 5 s (the shortest: 125 samples)
  EXPECT_NE(notes.at(0).find(std::to_string(dropped) + " recordings shorter"), std::string::npos) << notes[0];
}
