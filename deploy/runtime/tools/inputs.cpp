// slimrt-run's raw-input readers (inputs.h).
#include "inputs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "slimrt/runtime.h"

#ifdef SLIMRT_HAVE_PNG
#include <png.h>
#endif

namespace slimrt::tools {

namespace {

[[noreturn]] void bad(const std::string& origin, const std::string& why) { throw Error(origin + ": " + why); }
[[noreturn]] void bad_at(const std::string& origin, size_t offset, const std::string& why) {
  bad(origin, "byte " + std::to_string(offset) + ": " + why);
}

uint32_t u32(const std::string& b, size_t p) {
  uint32_t v;
  std::memcpy(&v, b.data() + p, 4);
  return v;
}
uint16_t u16(const std::string& b, size_t p) {
  uint16_t v;
  std::memcpy(&v, b.data() + p, 2);
  return v;
}

struct WavFormat {
  int tag = 0, channels = 0, bits = 0, block = 0;
  double rate = 0;
};

constexpr int kPcm = 1, kFloat = 3, kExtensible = 0xFFFE;

WavFormat parse_fmt(const std::string& origin, const std::string& b, size_t pos, uint32_t len) {
  if (len < 16) bad_at(origin, pos, "'fmt ' chunk of " + std::to_string(len) + " bytes (at least 16)");
  WavFormat f;
  f.tag = u16(b, pos);
  f.channels = u16(b, pos + 2);
  f.rate = u32(b, pos + 4);
  f.block = u16(b, pos + 12);
  f.bits = u16(b, pos + 14);
  if (f.tag == kExtensible) {
    if (len < 40) bad_at(origin, pos, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of " + std::to_string(len) + " bytes (40)");
    f.tag = u16(b, pos + 24);  // the subformat GUID's first two bytes: the format code
  }
  if (f.tag != kPcm && f.tag != kFloat)
    bad_at(origin, pos, "WAV format code " + std::to_string(f.tag) + " is not PCM (1) or IEEE float (3)");
  const bool ok_bits = f.tag == kPcm ? (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32)
                                     : (f.bits == 32 || f.bits == 64);
  if (!ok_bits) bad_at(origin, pos + 14, std::to_string(f.bits) + "-bit " + (f.tag == kPcm ? "PCM" : "float") + " samples are not supported");
  if (f.channels < 1 || f.channels > 64) bad_at(origin, pos + 2, std::to_string(f.channels) + " channels (1 .. 64)");
  if (f.rate < 1 || f.rate > 1e7) bad_at(origin, pos + 4, "sample rate " + std::to_string(int64_t(f.rate)) + " Hz");
  if (f.block != f.channels * f.bits / 8)
    bad_at(origin, pos + 12, "block align " + std::to_string(f.block) + " is not channels × bytes per sample = " +
                                 std::to_string(f.channels * f.bits / 8));
  return f;
}

float sample(const WavFormat& f, const char* p) {
  switch (f.bits) {
    case 8: return (float(uint8_t(*p)) - 128.0f) / 128.0f;
    case 16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return float(v) / 32768.0f;
    }
    case 24: {
      const int32_t v = int32_t(uint32_t(uint8_t(p[0])) << 8 | uint32_t(uint8_t(p[1])) << 16 | uint32_t(uint8_t(p[2])) << 24) >> 8;
      return float(double(v) / 8388608.0);
    }
    case 32:
      if (f.tag == kFloat) {
        float v;
        std::memcpy(&v, p, 4);
        return v;
      } else {
        int32_t v;
        std::memcpy(&v, p, 4);
        return float(double(v) / 2147483648.0);
      }
    default: {
      double v;
      std::memcpy(&v, p, 8);
      return float(v);
    }
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open");
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw Error(path + ": read failed");
  return bytes;
}

Audio read_wav(const std::string& path) { return parse_wav(path, read_file(path)); }

Audio parse_wav(const std::string& origin, const std::string& b) {
  if (b.size() < 12 || b.compare(0, 4, "RIFF") != 0 || b.compare(8, 4, "WAVE") != 0)
    bad(origin, "not a RIFF/WAVE file (no 'RIFF' … 'WAVE' header)");
  WavFormat f;
  bool have_fmt = false;
  for (size_t pos = 12; pos + 8 <= b.size();) {
    const std::string id = b.substr(pos, 4);
    const uint32_t len = u32(b, pos + 4);
    const size_t body = pos + 8;
    if (id == "fmt ") {
      if (len > b.size() - body) bad_at(origin, pos, "'fmt ' chunk runs past the end of the file");
      f = parse_fmt(origin, b, body, len);
      have_fmt = true;
    } else if (id == "data") {
      if (!have_fmt) bad_at(origin, pos, "'data' chunk before the 'fmt ' chunk");
      Audio a;
      a.rate = f.rate;
      a.channels = f.channels;
      size_t bytes = len;
      if (bytes > b.size() - body) {  // a truncated recording: keep its whole frames
        bytes = b.size() - body;
        a.truncated = true;
      }
      a.frames = int64_t(bytes / size_t(f.block));
      if (a.frames == 0) bad_at(origin, body, "the 'data' chunk holds no whole frame");
      a.samples.resize(size_t(a.frames) * size_t(f.channels));
      const size_t step = size_t(f.bits / 8);
      for (size_t i = 0; i < a.samples.size(); ++i) {
        a.samples[i] = sample(f, b.data() + body + i * step);
        if (!std::isfinite(a.samples[i])) bad_at(origin, body + i * step, "sample is NaN or infinite");
      }
      return a;
    }
    if (len > b.size() - body) bad_at(origin, pos, "chunk '" + id + "' runs past the end of the file");
    pos = body + len + (len & 1);
  }
  bad(origin, have_fmt ? "no 'data' chunk" : "no 'fmt ' chunk");
}

// ---- CSV -------------------------------------------------------------------------

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool any = false;
  auto flush = [&] {
    if (any) out.push_back(cur);
    cur.clear();
    any = false;
  };
  for (char ch : line) {
    if (ch == ',' || ch == ';') {
      out.push_back(cur);  // an empty field between separators is a missing value
      cur.clear();
      any = false;
    } else if (ch == ' ' || ch == '\t' || ch == '\r') {
      flush();
    } else {
      cur += ch;
      any = true;
    }
  }
  flush();
  return out;
}

bool number(const std::string& s, float* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  *v = std::strtof(s.c_str(), &end);
  return end && *end == '\0';
}

}  // namespace

Table read_csv(const std::string& path) { return parse_csv(path, read_file(path)); }

Table parse_csv(const std::string& origin, const std::string& text) {
  Table t;
  size_t start = 0;
  for (int64_t line_no = 1; start < text.size(); ++line_no) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const auto fields = split_fields(line);
    if (fields.empty() || fields[0].rfind("#", 0) == 0) continue;
    std::vector<float> row(fields.size());
    size_t bad_field = fields.size();
    for (size_t i = 0; i < fields.size() && bad_field == fields.size(); ++i)
      if (!number(fields[i], &row[i])) bad_field = i;
    if (bad_field < fields.size() && t.rows == 0 && t.names.empty()) {  // the header
      t.names = fields;
      t.cols = int(fields.size());
      continue;
    }
    const std::string where = origin + ":" + std::to_string(line_no);
    if (bad_field < fields.size())
      throw Error(where + ": column " + std::to_string(bad_field + 1) + ": '" + fields[bad_field] + "' is not a number");
    if (t.cols == 0) t.cols = int(fields.size());
    if (int(fields.size()) != t.cols)
      throw Error(where + ": " + std::to_string(fields.size()) + " values, expected " + std::to_string(t.cols) +
                  (t.names.empty() ? " (as the first row)" : " (as the header)"));
    for (size_t i = 0; i < row.size(); ++i)
      if (!std::isfinite(row[i])) throw Error(where + ": column " + std::to_string(i + 1) + " is NaN or infinite");
    t.values.insert(t.values.end(), row.begin(), row.end());
    t.line.push_back(line_no);
    ++t.rows;
  }
  if (t.rows == 0) bad(origin, "no rows of numbers");
  return t;
}

Table select_columns(const Table& t, const std::string& origin, const std::string& spec) {
  if (spec.empty()) return t;
  std::vector<int> pick;
  for (const std::string& name : split_fields(spec)) {
    int col = -1;
    const auto it = std::find(t.names.begin(), t.names.end(), name);
    if (it != t.names.end()) col = int(it - t.names.begin());
    else if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos && name.size() < 6)
      col = std::atoi(name.c_str());
    if (col < 0 || col >= t.cols)
      throw Error(origin + ": no column '" + name + "' (the file has " + std::to_string(t.cols) + " columns" +
                  (t.names.empty() ? ", no header" : "") + ")");
    pick.push_back(col);
  }
  Table out;
  out.rows = t.rows;
  out.cols = int(pick.size());
  out.line = t.line;
  for (int c : pick) out.names.push_back(size_t(c) < t.names.size() ? t.names[size_t(c)] : std::to_string(c));
  out.values.reserve(size_t(out.rows) * pick.size());
  for (int64_t r = 0; r < t.rows; ++r)
    for (int c : pick) out.values.push_back(t.values[size_t(r * t.cols + c)]);
  return out;
}

// ---- images ------------------------------------------------------------------------

Image parse_pnm(const std::string& origin, const std::string& b) {
  if (b.size() < 2 || b[0] != 'P' || (b[1] != '5' && b[1] != '6')) bad(origin, "not a binary PGM (P5) or PPM (P6) file");
  size_t pos = 2;
  long field[3];
  for (long& v : field) {  // width, height, maxval; whitespace and '#' comments between
    while (pos < b.size() && (std::isspace(uint8_t(b[pos])) || b[pos] == '#'))
      if (b[pos] == '#') pos = std::min(b.find('\n', pos), b.size());
      else ++pos;
    const size_t start = pos;
    v = 0;
    while (pos < b.size() && std::isdigit(uint8_t(b[pos])) && v < 1000000) v = v * 10 + (b[pos++] - '0');
    if (pos == start) bad_at(origin, start, "expected a number in the header");
  }
  if (pos >= b.size() || !std::isspace(uint8_t(b[pos]))) bad_at(origin, pos, "header does not end with whitespace");
  ++pos;
  Image im;
  im.width = int(field[0]);
  im.height = int(field[1]);
  im.channels = b[1] == '5' ? 1 : 3;
  const long maxval = field[2];
  if (im.width < 1 || im.height < 1 || im.width > 16384 || im.height > 16384)
    bad(origin, "image of " + std::to_string(field[0]) + "×" + std::to_string(field[1]) + " (1 .. 16384 a side)");
  if (maxval < 1 || maxval > 65535) bad(origin, "maxval " + std::to_string(maxval) + " (1 .. 65535)");
  const size_t bytes_per = maxval > 255 ? 2 : 1;
  const size_t n = size_t(im.width) * size_t(im.height) * size_t(im.channels);
  if (b.size() - pos < n * bytes_per)
    bad_at(origin, b.size(), "truncated: " + std::to_string(n * bytes_per) + " bytes of pixels expected after byte " + std::to_string(pos));
  im.pixels.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const long v = bytes_per == 1 ? long(uint8_t(b[pos + i])) : long(uint8_t(b[pos + 2 * i])) << 8 | uint8_t(b[pos + 2 * i + 1]);
    if (v > maxval) bad_at(origin, pos + i * bytes_per, "pixel value " + std::to_string(v) + " above maxval");
    im.pixels[i] = uint8_t((v * 255 + maxval / 2) / maxval);
  }
  return im;
}

#ifdef SLIMRT_HAVE_PNG
bool have_png() { return true; }
static Image decode_png(const std::string& origin, const std::string& bytes) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, bytes.data(), bytes.size()))
    bad(origin, std::string("PNG: ") + img.message);
  if (img.width < 1 || img.height < 1 || img.width > 16384 || img.height > 16384) {
    png_image_free(&img);
    bad(origin, "PNG of " + std::to_string(img.width) + "×" + std::to_string(img.height) + " (1 .. 16384 a side)");
  }
  const bool colour = img.format & PNG_FORMAT_FLAG_COLOR;
  img.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;  // alpha composited away, 16-bit reduced to 8
  Image im;
  im.width = int(img.width);
  im.height = int(img.height);
  im.channels = colour ? 3 : 1;
  im.pixels.resize(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, im.pixels.data(), 0, nullptr)) {
    const std::string why = img.message;
    png_image_free(&img);
    bad(origin, "PNG: " + why);
  }
  return im;
}
#else
bool have_png() { return false; }
#endif

Image read_image(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() >= 8 && bytes.compare(1, 3, "PNG") == 0) {
#ifdef SLIMRT_HAVE_PNG
    return decode_png(path, bytes);
#else
    bad(path, "PNG needs a slimrt-run built with libpng (found no png.h at build time); convert to PGM/PPM");
#endif
  }
  return parse_pnm(path, bytes);
}

}  // namespace slimrt::tools
