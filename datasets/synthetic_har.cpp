#include "datasets/synthetic_har.h"
#include "datasets/errors.h"
#include "datasets/seeding.h"

#include <array>
#include <cstdio>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

namespace slimlab::data {

namespace {


constexpr double kPi = 3.14159265358979323846;
constexpr double kG = 9.80665;
constexpr double kDeg = kPi / 180.0;

enum Activity { kWalk, kJog, kUpstairs, kDownstairs, kSit, kStand, kLie, kNumActivities };
const char* const kActivityNames[kNumActivities] = {"walk", "jog", "upstairs", "downstairs", "sit", "stand", "lie"};

// Gait signature in the trunk frame (x forward, y left, z up).
struct Gait {
  double step_hz;     // step frequency f
  double vertical;    // m/s² at f
  double forward;     // m/s² at f (quarter period ahead of the vertical)
  double lateral;     // m/s² at the stride frequency f/2
  double h2, h3;      // relative amplitude of the 2f and 3f harmonics (heel strikes)
  double pitch_rate;  // rad/s, trunk pitch oscillation at f
  double lean_deg;    // forward lean of the trunk
};
const Gait kGaits[4] = {
    /* walk       */ {1.80, 2.4, 1.6, 0.9, 0.35, 0.10, 0.60, 2.0},
    /* jog        */ {2.80, 7.5, 3.4, 1.8, 0.50, 0.25, 1.30, 8.0},
    /* upstairs   */ {1.50, 2.1, 1.9, 0.9, 0.30, 0.12, 0.55, 6.0},
    /* downstairs */ {1.65, 2.9, 1.4, 1.0, 0.50, 0.22, 0.70, -3.0},
};

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;  // row-major


// Portable draws from the raw engine (std:: distributions differ between libraries).
class Draw {
 public:
  explicit Draw(uint64_t seed) : eng_(seed) {}
  double uniform() { return double((eng_() >> 11) + 1) * 0x1.0p-53; }  // (0, 1]
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {  // Box–Muller
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }

 private:
  std::mt19937_64 eng_;
};

Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}

Mat3 transpose(const Mat3& a) {
  Mat3 t{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) t[i][j] = a[j][i];
  return t;
}

Vec3 apply(const Mat3& m, const Vec3& v) {
  return {m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2], m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
          m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2]};
}

// Rodrigues: rotation by `angle` about the unit axis `k`.
Mat3 axis_angle(const Vec3& k, double angle) {
  const double c = std::cos(angle), s = std::sin(angle), v = 1 - c;
  return {{{c + k[0] * k[0] * v, k[0] * k[1] * v - k[2] * s, k[0] * k[2] * v + k[1] * s},
           {k[1] * k[0] * v + k[2] * s, c + k[1] * k[1] * v, k[1] * k[2] * v - k[0] * s},
           {k[2] * k[0] * v - k[1] * s, k[2] * k[1] * v + k[0] * s, c + k[2] * k[2] * v}}};
}

Mat3 random_tilt(Draw& d, double max_rad) {
  Vec3 k{d.normal(), d.normal(), d.normal()};
  const double n = std::sqrt(k[0] * k[0] + k[1] * k[1] + k[2] * k[2]);
  for (double& x : k) x /= n;
  return axis_angle(k, d.uniform(0, max_rad));
}

struct Subject {
  double freq_factor, amp_factor;
  double style[4];  // personal gait style: vertical, forward, lateral, harmonic multipliers
  double stand_pitch, sit_pitch, lie_pitch, lie_roll;  // radians
  Mat3 device;                                         // device frame → trunk frame
};

Subject draw_subject(uint64_t seed) {
  Draw d(seed);
  Subject s;
  s.freq_factor = d.uniform(0.85, 1.15);
  s.amp_factor = d.uniform(0.75, 1.3);
  s.style[0] = d.uniform(0.8, 1.25);
  s.style[1] = d.uniform(0.75, 1.3);
  s.style[2] = d.uniform(0.7, 1.4);
  s.style[3] = d.uniform(0.7, 1.3);
  s.stand_pitch = d.uniform(-5, 5) * kDeg;
  s.sit_pitch = d.uniform(-40, -15) * kDeg;  // leaning back
  s.lie_pitch = d.uniform(-100, -80) * kDeg;  // on the back …
  s.lie_roll = d.uniform(-35, 35) * kDeg;     // … turned towards a side
  const Mat3 yaw = axis_angle({0, 0, 1}, d.uniform(-kPi, kPi));
  s.device = mul(random_tilt(d, 15 * kDeg), yaw);
  return s;
}

// "Up" in the trunk frame for a forward lean `pitch` and a roll `roll`.
Vec3 up_vector(double pitch, double roll) {
  return {-std::sin(pitch) * std::cos(roll), std::sin(roll), std::cos(pitch) * std::cos(roll)};
}

void synthesize(const Subject& subj, int activity, uint64_t seed, const SyntheticHarOptions& opt,
                std::vector<float>& out) {
  Draw d(seed);
  const int channels = opt.gyroscope ? 6 : 3;
  const int64_t n = int64_t(std::llround(opt.seconds * opt.rate_hz));
  const double dt = 1.0 / opt.rate_hz;
  // Sensor reading = R^T · trunk vector, R = per-recording tilt · subject orientation.
  const Mat3 to_sensor = transpose(mul(random_tilt(d, 6 * kDeg), subj.device));

  const bool gait = activity <= kDownstairs;
  const Gait g = gait ? kGaits[activity] : Gait{};
  const double f0 = g.step_hz * subj.freq_factor * d.uniform(0.96, 1.04);
  const double amp = subj.amp_factor * d.uniform(0.9, 1.1);
  double pitch0 = 0, roll0 = 0;
  switch (activity) {
    case kSit: pitch0 = subj.sit_pitch; break;
    case kStand: pitch0 = subj.stand_pitch; break;
    case kLie: pitch0 = subj.lie_pitch, roll0 = subj.lie_roll; break;
    default: pitch0 = subj.stand_pitch + g.lean_deg * kDeg; break;
  }
  pitch0 += d.uniform(-3, 3) * kDeg;
  roll0 += d.uniform(-3, 3) * kDeg;
  const double drift_amp = d.uniform(1, 4) * kDeg, drift_hz = d.uniform(0.02, 0.08), drift_ph = d.uniform(0, 2 * kPi);
  const double ph2 = d.uniform(-0.4, 0.4), ph3 = d.uniform(-0.6, 0.6), ph_lat = d.uniform(0, 2 * kPi);
  const double tremor_hz = d.uniform(8, 12), tremor_amp = d.uniform(0.02, 0.08);
  const double sway_hz = d.uniform(0.1, 0.35), sway_amp = d.uniform(0.1, 0.35), sway_ph = d.uniform(0, 2 * kPi);
  const Vec3 gyro_bias{d.normal() * 0.01, d.normal() * 0.01, d.normal() * 0.01};

  double phase = d.uniform(0, 2 * kPi), jitter = 0;
  out.resize(size_t(n) * size_t(channels));
  for (int64_t i = 0; i < n; ++i) {
    const double t = double(i) * dt;
    const double drift = drift_amp * std::sin(2 * kPi * drift_hz * t + drift_ph);
    const Vec3 up = up_vector(pitch0 + drift, roll0 + 0.5 * drift);
    Vec3 acc{kG * up[0], kG * up[1], kG * up[2]};
    Vec3 gyr = gyro_bias;
    if (gait) {
      // Step-to-step variability: a slowly wandering frequency (AR(1), σ ≈ 2%).
      jitter = 0.995 * jitter + 0.002 * d.normal();
      phase += 2 * kPi * f0 * (1 + jitter) * dt;
      const double h2 = g.h2 * subj.style[3], h3 = g.h3 * subj.style[3];
      const double v = std::sin(phase) + h2 * std::sin(2 * phase + ph2) + h3 * std::sin(3 * phase + ph3);
      const double fw = std::cos(phase) + 0.5 * h2 * std::sin(2 * phase + ph3);
      acc[0] += amp * subj.style[1] * g.forward * fw;
      acc[1] += amp * subj.style[2] * g.lateral * std::sin(0.5 * phase + ph_lat);
      acc[2] += amp * subj.style[0] * g.vertical * v;
      gyr[0] += amp * 0.4 * g.pitch_rate * std::sin(0.5 * phase + ph_lat + 0.8);  // roll
      gyr[1] += amp * g.pitch_rate * std::cos(phase);                             // pitch
      gyr[2] += amp * 0.5 * g.pitch_rate * std::sin(0.5 * phase + ph_lat);        // yaw
    } else {
      // Postural sway (stand), fidgeting (sit), breathing (lie).
      const double scale = activity == kStand ? 1.0 : activity == kSit ? 0.5 : 0.25;
      const double s = std::sin(2 * kPi * sway_hz * t + sway_ph);
      acc[0] += scale * sway_amp * s;
      acc[1] += scale * sway_amp * 0.6 * std::cos(2 * kPi * sway_hz * 1.3 * t + sway_ph);
      gyr[1] += scale * 0.05 * std::cos(2 * kPi * sway_hz * t + sway_ph);
      gyr[0] += scale * 0.03 * s;
    }
    const double tremor = tremor_amp * std::sin(2 * kPi * tremor_hz * t);
    const Vec3 a = apply(to_sensor, acc);
    const Vec3 w = apply(to_sensor, gyr);
    float* dst = out.data() + size_t(i) * size_t(channels);
    for (int c = 0; c < 3; ++c) dst[c] = float(a[size_t(c)] + tremor + 0.08 * d.normal());
    if (opt.gyroscope)
      for (int c = 0; c < 3; ++c) dst[3 + c] = float(w[size_t(c)] + 0.5 * tremor + 0.03 * d.normal());
  }
}

}  // namespace

RecordingSet make_synthetic_har(const SyntheticHarOptions& opt) {
  if (opt.num_subjects < 1 || opt.num_subjects > 1000)
    throw std::invalid_argument("synthetic HAR: num_subjects must be in 1..1000");
  if (opt.recordings_per_activity < 1)
    throw std::invalid_argument("synthetic HAR: recordings_per_activity must be at least 1");
  if (!(opt.seconds > 0) || !(opt.rate_hz > 0) || !std::isfinite(opt.seconds) || !std::isfinite(opt.rate_hz))
    throw std::invalid_argument("synthetic HAR: seconds and rate_hz must be positive");
  const int channels = opt.gyroscope ? 6 : 3;
  const double frames = std::round(opt.seconds * opt.rate_hz);
  if (frames < 1) throw std::invalid_argument("synthetic HAR: a recording would have no samples");
  const double total =
      double(opt.num_subjects) * kNumActivities * double(opt.recordings_per_activity) * frames * channels;
  if (total > double(1u << 31)) throw std::invalid_argument("synthetic HAR: more than 2^31 values requested");

  RecordingSet set;
  set.modality = Modality::kHar;
  set.class_names.assign(kActivityNames, kActivityNames + kNumActivities);
  set.channel_names = {"acc_x", "acc_y", "acc_z"};
  if (opt.gyroscope) set.channel_names.insert(set.channel_names.end(), {"gyro_x", "gyro_y", "gyro_z"});

  for (int s = 0; s < opt.num_subjects; ++s) {
    const Subject subj = draw_subject(splitmix64(opt.seed ^ splitmix64(0x5B1Eull + uint64_t(s))));
    char group[16];
    std::snprintf(group, sizeof group, "subj%02d", s);
    for (int a = 0; a < kNumActivities; ++a) {
      for (int r = 0; r < opt.recordings_per_activity; ++r) {
        Recording rec;
        rec.channels = channels;
        rec.rate_hz = opt.rate_hz;
        rec.label = a;
        rec.group = group;
        rec.source = "synthetic:har#" + std::to_string(set.recordings.size());
        const uint64_t seed =
            splitmix64(opt.seed ^ splitmix64((uint64_t(s) << 40) ^ (uint64_t(a) << 32) ^ uint64_t(r) ^ 0xA11CEull));
        synthesize(subj, a, seed, opt, rec.samples);
        set.recordings.push_back(std::move(rec));
      }
    }
  }
  set.notes.push_back("synthetic HAR (seed " + std::to_string(opt.seed) + "): " +
                      std::to_string(opt.num_subjects) + " subjects × 7 activities × " +
                      std::to_string(opt.recordings_per_activity) + " recordings of " + format_number(opt.seconds) +
                      " s at " + format_number(opt.rate_hz) + " Hz; waist-worn phone, acceleration m/s²" +
                      (opt.gyroscope ? ", angular rate rad/s" : "") +
                      "; per-subject random device orientation (yaw uniform, tilt ≤ 15°) and gait style");
  return set;
}

}  // namespace slimlab::data
