#pragma once
// Synthetic inertial HAR data: the offline default, so that experiments, tests
// and examples run with no download. It imitates a phone worn at the waist.
//
// Seven activities: walk, jog, upstairs, downstairs, sit, stand, lie.
// In the body frame (x forward, y left, z up) the accelerometer reads
//   a(t) = g·u(t) + d(t)
// u(t): the "up" direction, set by posture — upright for stand and the gaits
//   (with a forward lean on stairs and when jogging), tilted back ~15–40° for sit
//   (so sit and stand are close), on the back or side for lie — plus a slow drift
//   of a few degrees.
// d(t): the gait, for the dynamic activities: a step rhythm at f (walk ~1.8 Hz,
//   jog ~2.8 Hz, upstairs ~1.5 Hz, downstairs ~1.65 Hz) with harmonics 2f, 3f
//   (impacts: strongest for jog and downstairs), vertical / forward amplitudes in
//   activity-specific ratios (upstairs: more forward, downstairs: more vertical),
//   lateral sway at the stride frequency f/2; sway or breathing for the postures.
// The gyroscope reads the matching trunk rotation rates (pitch at f, yaw and roll
// at f/2) plus a small bias. Both get ~10 Hz tremor and white sensor noise.
// Per subject: gait frequency ×(1 ± 15%), amplitude ×0.75–1.3, a personal gait
// style (vertical / forward / lateral / harmonic amplitudes scaled independently,
// so the activity ratios overlap between people), posture angles, and the device
// orientation — a uniformly random yaw about the vertical and a tilt of up to 15°
// about a random axis, re-perturbed by up to 6° per recording.
// The random orientation is what makes the task hard: a classifier cannot rely on
// a fixed axis, and walk / upstairs / downstairs and sit / stand overlap.
//
// Units: acceleration m/s², angular rate rad/s. Deterministic by seed: each
// recording draws from its own generator seeded from (seed, subject, activity,
// index), so changing the counts does not change the recordings already there.
#include <cstdint>

#include "datasets/types.h"

namespace slimlab::data {

struct SyntheticHarOptions {
  int num_subjects = 10;
  int recordings_per_activity = 4;  // per subject
  double seconds = 20;              // length of each recording
  double rate_hz = 50;
  bool gyroscope = true;            // channels: acc_x/y/z (+ gyro_x/y/z)
  uint64_t seed = 1;
};

// Recordings ordered subject-major, then activity, then index; group "subj00",
// "subj01", …; source "synthetic:har#<i>". std::invalid_argument on non-positive
// counts / durations / rates or a set larger than 2^31 values.
RecordingSet make_synthetic_har(const SyntheticHarOptions& opt);

}  // namespace slimlab::data
