// Operating points with the streaming API (slimrt/stream.h, docs/ADAPTIVE.md): the
// point may change between hops; each window's output is then exactly the one-shot
// output of that point's own model on the window's samples, with feature reuse (float
// log-mel) and on raw windows. Points must share the front end.
#include <gtest/gtest.h>

#include <cstring>

#include "frontend_models.h"
#include "slimrt/stream.hpp"

namespace slimrt {
namespace {

constexpr int64_t kClip = 4000, kHop = 800;

// The audio front end + normalisation of frontend_models.h with a head seeded `seed`.
ModelWriter audio_point(uint32_t seed, const FrontEndParams& p = test::audio_params()) {
  ModelWriter m = test::audio_model(p, kClip, 4, false, 11, /*head=*/false);
  const int norm = m.outputs[1];
  const auto& shape = m.tensor(norm).shape;  // [bands, frames]
  test::add_head(m, norm, shape[0] * shape[1], 4, seed);
  return m;
}

struct Points {
  std::vector<std::shared_ptr<const Model>> alone;
  std::vector<uint8_t> bytes;
};

Points two_points(const FrontEndParams& second = test::audio_params()) {
  Points p;
  p.alone = {test::load(audio_point(7)), test::load(audio_point(99, second))};
  ModelWriter w = ModelWriter::from_model(*p.alone[0]);
  OperatingPoint a, b;
  a.name = "head_a";
  b.name = "head_b";
  w.add_operating_point(a, nullptr);
  w.add_operating_point(b, p.alone[1]);
  p.bytes = w.finish();
  return p;
}

struct Check {
  const Points* pts;
  const std::vector<float>* signal;
  slimrt_stream* s;
  int windows = 0, failures = 0;
};

// Checks window d against its point's one-shot output, then switches for the next hop.
void on_decision(const slimrt_decision* d, void* user) {
  auto* c = static_cast<Check*>(user);
  const int point = slimrt_stream_point(c->s);
  std::vector<float> got(4), want(4);
  slimrt_stream_output(c->s, got.data(), got.size());
  Interpreter one(c->pts->alone[size_t(point)]);
  one.set_input(0, c->signal->data() + (d->end_frame - kClip), size_t(kClip));
  one.invoke();
  one.get_output(0, want.data(), want.size());
  if (std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) != 0) ++c->failures;
  ++c->windows;
  slimrt_stream_set_point(c->s, (c->windows / 2) % 2);  // two hops at each point
}

void stream_with_switches(int reuse) {
  const Points pts = two_points();
  api::ModelHandle m = api::ModelHandle::load(pts.bytes.data(), pts.bytes.size());
  slimrt_stream_options o;
  slimrt_stream_options_init(&o);
  o.hop = kHop;
  o.reuse = reuse;
  api::StreamHandle s(m, &o);
  EXPECT_EQ(bool(slimrt_stream_reusing(s.get())), bool(reuse));
  const std::vector<float> signal = test::test_signal(kClip * 5, 1, 3);
  Check c{&pts, &signal, s.get()};
  for (size_t at = 0; at < signal.size(); at += 333) {
    const size_t n = std::min<size_t>(333, signal.size() - at);
    ASSERT_EQ(slimrt_stream_push(s.get(), signal.data() + at, n, on_decision, &c), SLIMRT_OK) << slimrt_last_error();
  }
  EXPECT_EQ(c.windows, int((signal.size() - kClip) / kHop + 1));
  EXPECT_EQ(c.failures, 0);
}

TEST(OperatingPointsStream, SwitchBetweenHopsWithFeatureReuse) { stream_with_switches(1); }
TEST(OperatingPointsStream, SwitchBetweenHopsOnRawWindows) { stream_with_switches(0); }

TEST(OperatingPointsStream, PointsMustShareTheFrontEnd) {
  FrontEndParams other = test::audio_params();
  other.n_mels = 32;
  const Points pts = two_points(other);
  api::ModelHandle m = api::ModelHandle::load(pts.bytes.data(), pts.bytes.size());
  slimrt_stream* s = nullptr;
  EXPECT_EQ(slimrt_stream_open(m.get(), nullptr, &s), SLIMRT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(slimrt_last_error()).find("operating point 'head_b' starts with another front end"),
            std::string::npos)
      << slimrt_last_error();
}

TEST(OperatingPointsStream, BadIndexIsRefused) {
  const Points pts = two_points();
  api::ModelHandle m = api::ModelHandle::load(pts.bytes.data(), pts.bytes.size());
  api::StreamHandle s(m);
  EXPECT_EQ(s.point(), 0);
  EXPECT_THROW(s.set_point(2), api::Failure);
  s.set_point(1);
  EXPECT_EQ(s.point(), 1);
}

}  // namespace
}  // namespace slimrt
