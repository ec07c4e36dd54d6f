#pragma once
// WAV files in and out, through libsndfile.
//
// read_wav() reads a whole RIFF/WAVE (or RF64) file into memory in one read and
// decodes it from there, so loading thousands of short keyword clips costs one
// open/read per file. Before decoding, the RIFF chunk list is walked so that a
// file cut short (a data chunk that declares more bytes than the file holds) is
// an error instead of a silently shorter clip — libsndfile alone would clamp it.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace slimlab::data {

struct WavClip {
  // frames × channels, interleaved. Integer PCM maps to [-1, 1) (x / 2^(bits−1));
  // float WAVs are returned as stored (finite, possibly beyond ±1).
  std::vector<float> samples;
  int channels = 0;
  double rate_hz = 0;

  int64_t frames() const { return channels > 0 ? int64_t(samples.size()) / channels : 0; }
};

// Limits on what read_wav() accepts, so a corrupt header cannot ask for absurd memory.
inline constexpr int kMaxWavChannels = 256;
inline constexpr double kMaxWavRateHz = 1.0e6;
inline constexpr std::uintmax_t kMaxWavFileBytes = std::uintmax_t(1) << 30;  // 1 GiB

// Reads a WAV file (any sample format libsndfile decodes: PCM 8–32 bit, float,
// µ-law, A-law, ADPCM). Throws DataError naming the file when it is unreadable,
// not a RIFF/WAVE file, truncated, has zero frames, non-finite samples, or a
// channel count / rate / size beyond the limits above (libsndfile's message is
// included where it has one).
WavClip read_wav(const std::filesystem::path& path);

// Writes 16-bit PCM WAV; values outside [-1, 1] are clipped. Throws
// std::invalid_argument for channels ≤ 0, rate_hz ≤ 0 or a sample count that is
// not a multiple of channels, DataError when the file cannot be written.
void write_wav_pcm16(const std::filesystem::path& path, const std::vector<float>& interleaved,
                     int channels, int rate_hz);

}  // namespace slimlab::data
