#include "datasets/synthetic_audio.h"
#include "datasets/seeding.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace slimlab::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

// ---- the segment inventory ---------------------------------------------------

enum class Kind { kVowel, kChirp, kFricative };

struct Segment {
  const char* symbol;
  Kind kind;
  double a, b;      // vowel: F1, F2 (Hz); chirp: start, end (Hz); fricative: centre (Hz), Q (0 = broadband)
  double seconds;   // nominal duration at speaking rate 1
  double level;     // RMS relative to a vowel
};

const Segment kInventory[] = {
    {"a", Kind::kVowel, 730, 1090, 0.18, 1.0},     {"e", Kind::kVowel, 530, 1840, 0.16, 1.0},
    {"i", Kind::kVowel, 270, 2290, 0.16, 1.0},     {"o", Kind::kVowel, 570, 840, 0.18, 1.0},
    {"u", Kind::kVowel, 300, 870, 0.17, 1.0},      {"up", Kind::kChirp, 500, 1800, 0.15, 0.7},
    {"dn", Kind::kChirp, 1800, 500, 0.15, 0.7},    {"s", Kind::kFricative, 3300, 3.0, 0.13, 0.45},
    {"sh", Kind::kFricative, 2300, 2.5, 0.13, 0.45}, {"f", Kind::kFricative, 0, 0, 0.11, 0.3},
};
constexpr int kInventorySize = int(sizeof(kInventory) / sizeof(kInventory[0]));
constexpr int kMaxClasses = 500;

int symbol_index(const std::string& s) {
  for (int i = 0; i < kInventorySize; ++i)
    if (s == kInventory[i].symbol) return i;
  throw std::logic_error("synthetic_audio: unknown segment " + s);
}

std::string word_name(const std::vector<int>& w) {
  std::string s;
  for (size_t i = 0; i < w.size(); ++i) s += (i ? "-" : "") + std::string(kInventory[w[i]].symbol);
  return s;
}

// The first ten words are designed (see the header); the rest enumerate 2- then
// 3-segment sequences without a repeated neighbour.
std::vector<std::vector<int>> class_words(int n) {
  const char* designed[][3] = {{"a", "i", ""},  {"i", "a", ""},  {"s", "u", ""},   {"u", "s", ""},
                               {"o", "up", ""}, {"up", "o", ""}, {"e", "dn", "a"}, {"sh", "e", ""},
                               {"s", "e", ""},  {"f", "o", "i"}};
  std::vector<std::vector<int>> words;
  for (auto& d : designed) {
    std::vector<int> w;
    for (const char* s : d)
      if (*s) w.push_back(symbol_index(s));
    words.push_back(w);
  }
  auto known = [&](const std::vector<int>& w) { return std::find(words.begin(), words.end(), w) != words.end(); };
  for (int a = 0; a < kInventorySize; ++a)
    for (int b = 0; b < kInventorySize; ++b)
      if (a != b && !known({a, b})) words.push_back({a, b});
  for (int a = 0; a < kInventorySize && int(words.size()) < n; ++a)
    for (int b = 0; b < kInventorySize; ++b)
      for (int c = 0; c < kInventorySize; ++c)
        if (a != b && b != c && !known({a, b, c})) words.push_back({a, b, c});
  words.resize(size_t(n));
  return words;
}

// ---- randomness: raw engine output only (portable across standard libraries) --


// Parameters (pitch, durations, SNR, …) come from std::mt19937_64; per-sample
// noise, the bulk of the draws, from a SplitMix64 stream seeded by it — as
// portable and deterministic, and several times cheaper per sample.
struct Rng {
  explicit Rng(uint64_t seed) : engine(seed), stream(engine()) {}
  double uniform() { return double(engine() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Zero mean, unit variance (uniform on ±√3), from 32 random bits.
  float noise() {
    if (spare_bits) {
      spare_bits = false;
      return to_noise(uint32_t(spare >> 32));
    }
    stream += 0x9E3779B97F4A7C15ull;
    uint64_t z = stream;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    spare = z ^ (z >> 31);
    spare_bits = true;
    return to_noise(uint32_t(spare));
  }
  static float to_noise(uint32_t u) { return (float(u >> 8) * 0x1.0p-24f * 2.0f - 1.0f) * 1.7320508f; }

  std::mt19937_64 engine;
  uint64_t stream, spare = 0;
  bool spare_bits = false;
};

// ---- filters -----------------------------------------------------------------

// Klatt's digital resonator: y = A·x + B·y[-1] + C·y[-2], unit gain at DC.
struct Resonator {
  Resonator(double f, double bw, double fs) {
    const double r = std::exp(-kPi * bw / fs);
    c = float(-r * r);
    b = float(2 * r * std::cos(2 * kPi * f / fs));
    a = 1.0f - b - c;
  }
  float step(float x) {
    const float y = a * x + b * y1 + c * y2;
    y2 = y1;
    y1 = y;
    return y;
  }
  float a, b, c, y1 = 0, y2 = 0;
};

// RBJ band-pass biquad (0 dB peak gain).
struct BandPass {
  BandPass(double f, double q, double fs) {
    const double w = 2 * kPi * f / fs, alpha = std::sin(w) / (2 * q), a0 = 1 + alpha;
    b0 = float(alpha / a0);
    b2 = -b0;
    a1 = float(-2 * std::cos(w) / a0);
    a2 = float((1 - alpha) / a0);
  }
  float step(float x) {
    const float y = b0 * x + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    return y;
  }
  float b0, b2, a1, a2, x1 = 0, x2 = 0, y1 = 0, y2 = 0;
};

// ---- speakers and clips --------------------------------------------------------

struct Speaker {
  double f0, formant_scale, rate, tilt, breath;
};

Speaker make_speaker(uint64_t seed, int s) {
  Rng r(splitmix64(seed ^ splitmix64(0x5EA4E500ull + uint64_t(s))));
  Speaker k;
  k.f0 = r.uniform(80, 250);
  k.formant_scale = r.uniform(0.85, 1.15);
  k.rate = r.uniform(0.8, 1.2);
  k.tilt = r.uniform(0.6, 0.9);
  k.breath = r.uniform(0.0, 0.3);
  return k;
}

// Raised-cosine fade in / out of `ramp` samples.
float envelope(int64_t i, int64_t n, int64_t ramp) {
  if (ramp <= 0) return 1.0f;
  if (i < ramp) return float(0.5 - 0.5 * std::cos(kPi * double(i) / double(ramp)));
  if (i >= n - ramp) return float(0.5 - 0.5 * std::cos(kPi * double(n - 1 - i) / double(ramp)));
  return 1.0f;
}

// Renders one segment into seg[0 .. n) with unit RMS (before `level`).
void render_segment(const Segment& g, const Speaker& spk, double f0, double fscale, double fs, Rng& rng,
                    std::vector<float>& seg) {
  const int64_t n = int64_t(seg.size());
  const double fmax = 0.45 * fs;
  auto clampf = [&](double f) { return std::min(f, fmax); };
  switch (g.kind) {
    case Kind::kVowel: {
      Resonator f1(clampf(g.a * fscale), 80, fs), f2(clampf(g.b * fscale), 100, fs),
          f3(clampf(2500 * fscale), 150, fs);
      double phase = rng.uniform();
      float tilt_state = 0;
      for (int64_t i = 0; i < n; ++i) {
        // Falling intonation: +5 % at the start of the segment, −5 % at its end.
        const double f = f0 * (1.05 - 0.1 * double(i) / double(n));
        phase += f / fs;
        float x = 0;
        if (phase >= 1.0) {
          phase -= 1.0;
          x = 1.0f;
        }
        x += float(spk.breath) * 0.3f * rng.noise();
        tilt_state = x + float(spk.tilt) * tilt_state;
        seg[size_t(i)] = f3.step(f2.step(f1.step(tilt_state)));
      }
      break;
    }
    case Kind::kChirp: {
      const double fa = clampf(g.a * fscale), fb = clampf(g.b * fscale);
      double phase = rng.uniform() * 2 * kPi;
      for (int64_t i = 0; i < n; ++i) {
        const double f = fa * std::pow(fb / fa, double(i) / double(n));  // exponential glide
        phase += 2 * kPi * f / fs;
        seg[size_t(i)] = float(std::sin(phase) + 0.3 * std::sin(2 * phase));
      }
      break;
    }
    case Kind::kFricative: {
      if (g.b > 0) {
        BandPass bp(clampf(g.a * fscale), g.b, fs);
        for (int64_t i = 0; i < n; ++i) seg[size_t(i)] = bp.step(rng.noise());
      } else {
        float prev = 0;  // "f": white noise, slightly high-passed
        for (int64_t i = 0; i < n; ++i) {
          const float x = rng.noise();
          seg[size_t(i)] = x - 0.5f * prev;
          prev = x;
        }
      }
      break;
    }
  }
  double energy = 0;
  for (float v : seg) energy += double(v) * v;
  const float scale = energy > 0 ? float(g.level / std::sqrt(energy / double(n))) : 0.0f;
  const int64_t ramp = std::min<int64_t>(int64_t(0.015 * fs), n / 3);
  for (int64_t i = 0; i < n; ++i) seg[size_t(i)] *= scale * envelope(i, n, ramp);
}

void render_clip(const std::vector<int>& word, const Speaker& spk, const SyntheticAudioOptions& o, Rng& rng,
                 std::vector<float>& out) {
  const double fs = o.rate_hz;
  const int64_t total = int64_t(out.size());
  std::fill(out.begin(), out.end(), 0.0f);
  // Durations with speaking rate and ±15 % jitter, gaps of 0–30 ms.
  std::vector<double> dur(word.size()), gap(word.size(), 0.0);
  double len = 0;
  for (size_t k = 0; k < word.size(); ++k) {
    dur[k] = kInventory[word[k]].seconds / spk.rate * rng.uniform(0.75, 1.25);
    if (k > 0) gap[k] = rng.uniform(0.0, 0.03);
    len += dur[k] + gap[k];
  }
  const double room = 0.9 * o.seconds;
  const double squeeze = len > room ? room / len : 1.0;
  len *= squeeze;
  const double onset = rng.uniform(0.05 * o.seconds, std::max(0.05 * o.seconds, 0.95 * o.seconds - len));
  const double f0 = spk.f0 * rng.uniform(0.92, 1.08);
  const double fscale = spk.formant_scale * rng.uniform(0.88, 1.12);

  std::vector<float> seg;
  double t = onset;
  int64_t word_start = total, word_end = 0;
  for (size_t k = 0; k < word.size(); ++k) {
    t += gap[k] * squeeze;
    const int64_t start = int64_t(t * fs);
    const int64_t n = std::min<int64_t>(int64_t(dur[k] * squeeze * fs), total - start);
    t += dur[k] * squeeze;
    if (n <= 0) continue;
    seg.assign(size_t(n), 0.0f);
    render_segment(kInventory[word[k]], spk, f0, fscale, fs, rng, seg);
    for (int64_t i = 0; i < n; ++i) out[size_t(start + i)] += seg[size_t(i)];
    word_start = std::min(word_start, start);
    word_end = std::max(word_end, start + n);
  }
  // 70 % of the clips carry a distractor: one random segment of the inventory,
  // 0–8 dB below the word, anywhere in the clip (a cough, a word in the
  // background). It defeats templates tied to fixed time–frequency cells.
  if (rng.uniform() < 0.7) {
    const int which = int(rng.uniform() * kInventorySize) % kInventorySize;
    const int64_t n = std::min<int64_t>(int64_t(kInventory[which].seconds * fs), total);
    const int64_t start = int64_t(rng.uniform() * double(total - n));
    Segment g = kInventory[which];
    g.level *= std::pow(10.0, -rng.uniform(0, 8) / 20.0);
    seg.assign(size_t(n), 0.0f);
    render_segment(g, spk, f0 * rng.uniform(0.8, 1.25), fscale * rng.uniform(0.9, 1.1), fs, rng, seg);
    for (int64_t i = 0; i < n; ++i) out[size_t(start + i)] += seg[size_t(i)];
  }
  // Background noise at 0–15 dB SNR against the word's RMS.
  double energy = 0;
  for (int64_t i = word_start; i < word_end; ++i) energy += double(out[size_t(i)]) * out[size_t(i)];
  const double word_rms = word_end > word_start ? std::sqrt(energy / double(word_end - word_start)) : 1.0;
  const double snr_db = rng.uniform(0, 15);
  const float white = float(rng.uniform(0.2, 1.0));
  const float noise_std = float(word_rms / std::pow(10.0, snr_db / 20.0));
  // Brown-ish part: a one-pole low-pass lp = 0.95·lp + x of unit-variance
  // noise has variance 1/(1 − 0.95²); √(1 − 0.95²) brings it back to 1.
  const float lp_gain = float(std::sqrt(1 - 0.95 * 0.95));
  const float mix = std::sqrt(white * white + (1 - white) * (1 - white));
  float lp = 0;
  float peak = 0;
  for (int64_t i = 0; i < total; ++i) {
    const float w = rng.noise();
    lp = 0.95f * lp + rng.noise();
    const float bg = (white * w + (1 - white) * lp * lp_gain) / mix;
    out[size_t(i)] += noise_std * bg;
    peak = std::max(peak, std::fabs(out[size_t(i)]));
  }
  const float gain = peak > 0 ? float(rng.uniform(0.2, 0.9)) / peak : 0.0f;
  for (float& v : out) v *= gain;
}

[[noreturn]] void bad_option(const std::string& name, const std::string& why) {
  throw std::invalid_argument("SyntheticAudioOptions." + name + ": " + why);
}

}  // namespace

RecordingSet make_synthetic_audio(const SyntheticAudioOptions& o) {
  if (o.num_classes < 2 || o.num_classes > kMaxClasses)
    bad_option("num_classes", std::to_string(o.num_classes) + " is not in 2 .. " + std::to_string(kMaxClasses));
  if (o.num_speakers < 1) bad_option("num_speakers", "must be positive, got " + std::to_string(o.num_speakers));
  if (o.clips_per_class_per_speaker < 1)
    bad_option("clips_per_class_per_speaker", "must be positive, got " + std::to_string(o.clips_per_class_per_speaker));
  if (!(o.rate_hz >= 8000 && o.rate_hz <= 192000))
    bad_option("rate_hz", std::to_string(o.rate_hz) + " is not in 8000 .. 192000");
  if (!(o.seconds >= 0.5 && o.seconds <= 60)) bad_option("seconds", std::to_string(o.seconds) + " is not in 0.5 .. 60");
  const double clips = double(o.num_classes) * o.num_speakers * o.clips_per_class_per_speaker;
  if (clips * o.seconds * o.rate_hz > 4e9)
    bad_option("clips_per_class_per_speaker", "the set would hold more than 4·10⁹ samples");

  RecordingSet set;
  set.modality = Modality::kAudio;
  set.channel_names = {"mic"};
  const std::vector<std::vector<int>> words = class_words(o.num_classes);
  for (const auto& w : words) set.class_names.push_back(word_name(w));
  std::vector<Speaker> speakers;
  for (int s = 0; s < o.num_speakers; ++s) speakers.push_back(make_speaker(o.seed, s));

  const int64_t n = int64_t(clips);
  const int64_t samples = std::max<int64_t>(1, int64_t(std::llround(o.seconds * o.rate_hz)));
  set.recordings.resize(size_t(n));
  auto make = [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) {
      const int64_t per_class = int64_t(o.num_speakers) * o.clips_per_class_per_speaker;
      const int c = int(i / per_class), s = int((i % per_class) / o.clips_per_class_per_speaker);
      Rng rng(splitmix64(o.seed * 0x100000001B3ull ^ splitmix64(uint64_t(i))));
      Recording& r = set.recordings[size_t(i)];
      r.samples.resize(size_t(samples));
      render_clip(words[size_t(c)], speakers[size_t(s)], o, rng, r.samples);
      r.channels = 1;
      r.rate_hz = o.rate_hz;
      r.label = c;
      r.group = "spk" + std::to_string(s);
      r.source = "synthetic:audio#" + std::to_string(i);
    }
  };
  const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(std::thread::hardware_concurrency(), n / 64));
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) pool.emplace_back(make, n * t / threads, n * (t + 1) / threads);
  make(0, n / threads);
  for (std::thread& t : pool) t.join();

  set.notes.push_back("synthetic keyword audio: " + std::to_string(o.num_classes) + " classes × " +
                      std::to_string(o.num_speakers) + " speakers × " + std::to_string(o.clips_per_class_per_speaker) +
                      " clips, seed " + std::to_string(o.seed));
  return set;
}

}  // namespace slimlab::data
