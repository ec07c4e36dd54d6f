#pragma once
#include <cstdint>
#include <string>
#include <vector>

// slimrt-run's readers of raw sensor files (WAV, CSV, PGM/PPM, PNG with libpng) for
// models whose graph starts with a front-end op; decoding lives in the tool, never in
// the runtime library. An untrusted file gets a slimrt::Error naming the file and the
// byte offset or line of the fault, never a crash.
namespace slimrt::tools {

// A RIFF/WAVE file: PCM 8 (unsigned), 16, 24 or 32-bit integers or 32/64-bit float,
// WAVE_FORMAT_PCM, _IEEE_FLOAT or _EXTENSIBLE with those subformats. Samples scaled as
// libsndfile does (q / 2^(bits−1); 8-bit (u − 128)/128), frames × channels interleaved.
struct Audio {
  double rate = 0;  // Hz
  int channels = 0;  // interleaved in `samples`
  int64_t frames = 0;
  std::vector<float> samples;
  bool truncated = false;  // the data chunk ran past the end of the file (the whole frames read)
};
Audio read_wav(const std::string& path);
Audio parse_wav(const std::string& origin, const std::string& bytes);

// CSV of sensor samples: one row per time step; values separated by commas,
// semicolons, tabs or spaces; '#' starts a comment line; a first row that is not all
// numbers is the header (column names).
struct Table {
  std::vector<std::string> names;  // empty without a header
  int64_t rows = 0;
  int cols = 0;
  std::vector<float> values;  // rows × cols
  std::vector<int64_t> line;  // the file line of each row (messages)
};
Table read_csv(const std::string& path);
Table parse_csv(const std::string& origin, const std::string& text);
// Columns picked by name or 0-based position ("x,y,z" or "1,2,3"), in that order; empty:
// all columns. Errors name the column and the file.
Table select_columns(const Table& t, const std::string& origin, const std::string& spec);

// An 8-bit image, rows × columns × channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};
// Binary PGM (P5) / PPM (P6) with maxval ≤ 255 (65535: scaled to 8 bits), or PNG when
// the tool was built with libpng (SLIMRT_HAVE_PNG).
Image read_image(const std::string& path);
Image parse_pnm(const std::string& origin, const std::string& bytes);
bool have_png();

// The whole file; Error "<path>: cannot open" / "read failed".
std::string read_file(const std::string& path);

}  // namespace slimrt::tools
