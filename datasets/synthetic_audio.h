#pragma once
// Synthetic keyword clips: the offline default audio dataset, for when no real
// recordings are at hand (first runs, CI, examples).
//
// Each class is a fixed "word" of 2–3 segments from a small inventory:
//   vowels      a e i o u   — a glottal pulse train at f0 through three formant
//                             resonators (F1/F2 per vowel, F3 ≈ 2.5 kHz)
//   chirps      up dn       — a tone gliding 500 ↔ 1800 Hz, with a weak 2nd harmonic
//   fricatives  s sh f      — band-pass noise bursts (≈ 3.3 kHz, 2.3 kHz, broadband)
// and is named by its segments, e.g. "a-i", "sh-e", "e-dn-a". The first ten
// classes are chosen to be confusable on purpose: reversed pairs ("a-i" /
// "i-a", "s-u" / "u-s", "o-up" / "up-o") have the same average spectrum and
// differ only in order, and "s-e" / "sh-e" differ by one fricative whose band
// the speakers' formant scaling smears. Further classes (up to 500) are the
// remaining 2- then 3-segment sequences.
//
// Speakers (group "spk0", "spk1", …) differ in pitch (f0 80–250 Hz), formant
// scale (±15 %), speaking rate (±20 %), spectral tilt and breathiness. Every
// clip adds jitter in onset, segment durations (±25 %), pitch, formants (±12 %)
// and loudness, in 70 % of clips a distractor segment 0–8 dB below the word at a
// random time, and background noise (white + low-passed) at 0–15 dB SNR.
// Clips are seconds·rate_hz samples, mono, peak-normalised to 0.2–0.9.
//
// Order: class-major, then speaker, then take; Recording::source is
// "synthetic:audio#<index>" in that order. Deterministic by seed (each clip has
// its own random stream derived from (seed, index), so the result does not
// depend on how many threads generate it).
#include <cstdint>

#include "datasets/types.h"

namespace slimlab::data {

struct SyntheticAudioOptions {
  int num_classes = 10;  // 2 .. 500; ≥ 8 gives the designed confusable pairs
  int num_speakers = 8;
  int clips_per_class_per_speaker = 30;
  double rate_hz = 8000;  // 8000 .. 192000
  double seconds = 1.0;   // 0.5 .. 60
  uint64_t seed = 1;
};

// Throws std::invalid_argument naming the option when one is out of range.
RecordingSet make_synthetic_audio(const SyntheticAudioOptions& options);

}  // namespace slimlab::data
