// slimrt-run on raw sensor files: the readers (WAV, CSV, PGM/PPM) on good and hostile
// bytes, and the `run` / `stream` / `describe` / `--help` commands end to end on models
// whose graph starts with a front-end op.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "frontend_models.h"
#include "inputs.h"
#include "run_command.h"

namespace slimrt::test {
namespace {

using tools::parse_csv;
using tools::parse_pnm;
using tools::parse_wav;

// A RIFF/WAVE file around `data` (format tag, channels, rate, bits).
std::string wav_bytes(int tag, int channels, uint32_t rate, int bits, const std::string& data, uint32_t data_len = 0) {
  std::string fmt(16, '\0');
  auto put16 = [](std::string& s, size_t at, uint16_t v) { std::memcpy(&s[at], &v, 2); };
  auto put32 = [](std::string& s, size_t at, uint32_t v) { std::memcpy(&s[at], &v, 4); };
  put16(fmt, 0, uint16_t(tag));
  put16(fmt, 2, uint16_t(channels));
  put32(fmt, 4, rate);
  put32(fmt, 8, rate * uint32_t(channels * bits / 8));
  put16(fmt, 12, uint16_t(channels * bits / 8));
  put16(fmt, 14, uint16_t(bits));
  std::string out = "RIFF0000WAVEfmt ";
  std::string len(4, '\0');
  put32(len, 0, 16);
  out += len + fmt + "data";
  put32(len, 0, data_len ? data_len : uint32_t(data.size()));
  out += len + data;
  put32(out, 4, uint32_t(out.size() - 8));
  return out;
}

std::string pcm16(const std::vector<float>& x) {
  std::string s(x.size() * 2, '\0');
  for (size_t i = 0; i < x.size(); ++i) {
    const int16_t v = int16_t(std::lround(std::clamp(x[i], -1.0f, 0.99f) * 32768.0f));
    std::memcpy(&s[2 * i], &v, 2);
  }
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ToolInputs, WavFormats) {
  // 16-bit stereo, 8-bit, 24-bit, 32-bit float.
  const std::string s16 = std::string("\x00\x40\x00\xc0", 4);  // 16384, −16384
  tools::Audio a = parse_wav("a.wav", wav_bytes(1, 2, 8000, 16, s16));
  EXPECT_EQ(a.channels, 2);
  EXPECT_EQ(a.frames, 1);
  EXPECT_EQ(a.samples, (std::vector<float>{0.5f, -0.5f}));
  float mono = 1.0f;  // down-mixed as the tool does it (slimrt's front end)
  slimrt::frontend::mix_to_mono(a.samples.data(), a.frames, a.channels, &mono);
  EXPECT_EQ(mono, 0.0f);
  EXPECT_EQ(parse_wav("b.wav", wav_bytes(1, 1, 8000, 8, "\xc0\x40")).samples, (std::vector<float>{0.5f, -0.5f}));
  EXPECT_EQ(parse_wav("c.wav", wav_bytes(1, 1, 8000, 24, std::string("\x00\x00\x40", 3))).samples,
            std::vector<float>{0.5f});
  const float f = -0.25f;
  EXPECT_EQ(parse_wav("d.wav", wav_bytes(3, 1, 44100, 32, std::string(reinterpret_cast<const char*>(&f), 4))).samples,
            std::vector<float>{f});
  // A truncated data chunk keeps its whole frames.
  tools::Audio t = parse_wav("e.wav", wav_bytes(1, 1, 8000, 16, std::string(5, '\0'), 1000));
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.frames, 2);
}

TEST(ToolInputs, HostileWavNamesFileAndOffset) {
  EXPECT_EQ(error_of([] { parse_wav("x.wav", "RIFF"); }), "x.wav: not a RIFF/WAVE file (no 'RIFF' … 'WAVE' header)");
  EXPECT_NE(error_of([] { parse_wav("x.wav", wav_bytes(2, 1, 8000, 16, "ab")); }).find("x.wav: byte 20: WAV format code 2"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_wav("x.wav", wav_bytes(1, 0, 8000, 16, "ab")); }).find("x.wav: byte 22: 0 channels"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_wav("x.wav", wav_bytes(1, 1, 8000, 12, "ab")); }).find("12-bit PCM"), std::string::npos);
  std::string nan_wav = wav_bytes(3, 1, 8000, 32, std::string("\x00\x00\xc0\x7f", 4));
  EXPECT_NE(error_of([&] { parse_wav("n.wav", nan_wav); }).find("n.wav: byte 44: sample is NaN"), std::string::npos);
  const std::string no_fmt("RIFF\x0c\x00\x00\x00WAVEdata\x02\x00\x00\x00" "ab", 22);
  EXPECT_NE(error_of([&] { parse_wav("y.wav", no_fmt); }).find("'data' chunk before the 'fmt ' chunk"), std::string::npos);
  for (size_t cut = 0; cut < 44; ++cut)  // every truncation of the header: an error, never a crash
    EXPECT_NE(error_of([&] { parse_wav("z.wav", wav_bytes(1, 1, 8000, 16, "abcd").substr(0, cut)); }), "(no error)");
}

TEST(ToolInputs, CsvHeaderColumnsAndErrors) {
  const tools::Table t = parse_csv("s.csv", "# HMP\ntime,x,y,z\n0,1,2,3\n1,4,5,6\n");
  EXPECT_EQ(t.names, (std::vector<std::string>{"time", "x", "y", "z"}));
  EXPECT_EQ(t.rows, 2);
  const tools::Table xyz = tools::select_columns(t, "s.csv", "x,y,z");
  EXPECT_EQ(xyz.values, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(tools::select_columns(t, "s.csv", "3,1").values, (std::vector<float>{3, 1, 6, 4}));
  EXPECT_EQ(error_of([&] { tools::select_columns(t, "s.csv", "x,w"); }), "s.csv: no column 'w' (the file has 4 columns)");
  EXPECT_EQ(parse_csv("h.txt", "32 47 40\n32 48 37\n").values, (std::vector<float>{32, 47, 40, 32, 48, 37}));
  EXPECT_EQ(error_of([] { parse_csv("b.csv", "1,2,3\n4,5\n"); }), "b.csv:2: 2 values, expected 3 (as the first row)");
  EXPECT_EQ(error_of([] { parse_csv("b.csv", "x,y\n1,2\n3,abc\n"); }), "b.csv:3: column 2: 'abc' is not a number");
  EXPECT_EQ(error_of([] { parse_csv("b.csv", "x,y,z\n1,,3\n"); }), "b.csv:2: column 2: '' is not a number");
  EXPECT_EQ(error_of([] { parse_csv("b.csv", "1,nan\n"); }), "b.csv:1: column 2 is NaN or infinite");
  EXPECT_EQ(error_of([] { parse_csv("e.csv", "x,y\n"); }), "e.csv: no rows of numbers");
}

TEST(ToolInputs, PnmImages) {
  const tools::Image g = parse_pnm("g.pgm", std::string("P5\n# c\n2 1\n255\n\x10\x20", 17));
  EXPECT_EQ(g.width, 2);
  EXPECT_EQ(g.channels, 1);
  EXPECT_EQ(g.pixels, (std::vector<uint8_t>{16, 32}));
  const tools::Image c = parse_pnm("c.ppm", std::string("P6 1 1 15 \x0f\x00\x05", 13));
  EXPECT_EQ(c.pixels, (std::vector<uint8_t>{255, 0, 85}));
  EXPECT_NE(error_of([] { parse_pnm("t.pgm", "P5 4 4 255\nab"); }).find("t.pgm: byte 13: truncated"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pnm("t.pgm", "P5 0 4 255\n"); }).find("image of 0×4"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pnm("t.pgm", "P3 1 1 255\n1"); }).find("not a binary PGM"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pnm("t.pgm", "P5 1 1 10\n\x0b"); }).find("above maxval"), std::string::npos);
}

// A 3×2 RGB PNG built by hand (zlib stored block, CRC-32 / Adler-32 computed here).
std::string tiny_png() {
  auto crc32 = [](const std::string& b) {
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char ch : b) {
      c ^= ch;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
  };
  auto be32 = [](uint32_t v) { return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; };
  auto chunk = [&](const std::string& type, const std::string& data) {
    return be32(uint32_t(data.size())) + type + data + be32(crc32(type + data));
  };
  std::string raw;
  for (int y = 0; y < 2; ++y) {
    raw += '\0';  // filter: none
    for (int x = 0; x < 9; ++x) raw += char(y * 100 + x * 10);
  }
  uint32_t a = 1, b = 0;
  for (unsigned char ch : raw) a = (a + ch) % 65521, b = (b + a) % 65521;
  const uint16_t len = uint16_t(raw.size()), nlen = uint16_t(~len);
  const std::string z = std::string("\x78\x01\x01", 3) + char(len & 255) + char(len >> 8) + char(nlen & 255) +
                        char(nlen >> 8) + raw + be32(b << 16 | a);
  const std::string ihdr = be32(3) + be32(2) + std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) + chunk("IEND", "");
}

TEST(ToolInputs, PngWhenBuiltWithLibpng) {
  const std::string dir = std::filesystem::temp_directory_path().string() + "/";
  const std::string path = dir + "slimrt_fe_tiny_" + std::to_string(::getpid()) + ".png";
  const std::string png = tiny_png();
  std::ofstream(path, std::ios::binary) << png;
  if (!tools::have_png()) {
    EXPECT_NE(error_of([&] { tools::read_image(path); }).find("PNG needs a slimrt-run built with libpng"), std::string::npos);
    std::filesystem::remove(path);
    return;
  }
  const tools::Image im = tools::read_image(path);
  EXPECT_EQ(im.width, 3);
  EXPECT_EQ(im.height, 2);
  EXPECT_EQ(im.channels, 3);
  EXPECT_EQ(im.pixels[9], 100);
  EXPECT_EQ(im.pixels[17], 180);
  // Truncations before the IEND chunk (its 12 bytes, which libpng does not need): an
  // error naming the file, never a crash.
  for (size_t cut = 8; cut < png.size() - 12; cut += 3) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << png.substr(0, cut);
    EXPECT_EQ(error_of([&] { tools::read_image(path); }).rfind(path + ": ", 0), 0u) << cut;
  }
  std::filesystem::remove(path);
}

#ifdef SLIMRT_RUN_BIN
using Result = CommandOutput;
Result run_tool(const std::string& args) {
  const char* emu = std::getenv("SLIMRT_TEST_EMULATOR");
  return run_command(std::string(emu ? emu : "") + " " + SLIMRT_RUN_BIN + " " + args + " 2>&1");
}

std::string temp_dir() {
  const auto d = std::filesystem::temp_directory_path() / ("slimrt_fe_tool_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d.string() + "/";
}

void write(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(ToolCommands, RunStreamDescribeHelpOnAnAudioModel) {
  const std::string dir = temp_dir();
  ModelWriter w = audio_model(audio_params(), 8000, 4);
  w.op(0).frontend.stream_hop = 2000;
  w.op(0).frontend.smooth_window = 3;
  w.metadata.class_names = {"zero", "one", "two", "three"};
  w.write_file(dir + "kws.slim");
  const auto x = test_signal(12000, 1, 3);
  write(dir + "clip.wav", wav_bytes(1, 1, 8000, 16, pcm16(x)));

  // run: the centre 8000 samples, as the workbench crops; the classes best first.
  Result r = run_tool("run " + dir + "kws.slim " + dir + "clip.wav");
  ASSERT_EQ(r.status, 0) << r.out;
  const tools::Audio a = parse_wav("clip", wav_bytes(1, 1, 8000, 16, pcm16(x)));
  Interpreter in(load(w));
  in.set_input(0, a.samples.data() + 2000, 8000);
  in.invoke();
  std::vector<float> y(4);
  in.get_output(0, y.data(), 4);
  const size_t best = size_t(std::max_element(y.begin(), y.end()) - y.begin());
  char line[96];
  std::snprintf(line, sizeof line, "class %s %.6f\n", w.metadata.class_names[best].c_str(), double(y[best]));
  EXPECT_NE(r.out.find(std::string("note: ") + dir + "clip.wav: 12000 samples centre-cropped"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(r.out.find("class ")).substr(0, std::strlen(line)), line) << r.out;

  // stream: hop 2000 from the file, 3 windows over 12000 samples.
  r = run_tool("stream " + dir + "kws.slim " + dir + "clip.wav --chunk 777");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("# window 8000 frames, hop 2000, smoothing vote over 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n1.500\t2\t"), std::string::npos) << r.out;

  r = run_tool("describe " + dir + "kws.slim");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("front end    AudioFeatures: input [samples] 8000, 8000 Hz, n_fft 256"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("normalise    'normalise': 40 mean/std values along axis 0"), std::string::npos) << r.out;

  for (const char* cmd : {"run", "stream", "describe", "bench"}) {
    r = run_tool(std::string(cmd) + " --help");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out.rfind(std::string("usage: slimrt-run ") + cmd, 0), 0u) << r.out;
  }

  // Another rate: resampled (noted; test_frontend_resample.cpp checks the features);
  // beyond 16× upsampling refused with both numbers; a broken WAV: the file and offset.
  write(dir + "fast.wav", wav_bytes(1, 1, 16000, 16, pcm16(x)));
  r = run_tool("run " + dir + "kws.slim " + dir + "fast.wav");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fast.wav: resampled from 16000 Hz to the model's 8000 Hz (12000 → 6000 samples"),
            std::string::npos) << r.out;
  // stream: resampled inside the stream (noted), the decisions of the whole recording
  // resampled first (written as float WAV at 8 kHz) and streamed at the model's rate.
  const std::string fast16 = wav_bytes(1, 1, 16000, 16, pcm16(test_signal(40000, 1, 8)));
  write(dir + "fast16.wav", fast16);
  const tools::Audio f16 = parse_wav("fast16", fast16);
  std::vector<float> f8(size_t(frontend::resample_frames(f16.frames, 16000, 8000)));
  frontend::resample(f16.samples.data(), f16.frames, 16000, 8000, f8.data());
  write(dir + "whole8.wav", wav_bytes(3, 1, 8000, 32, std::string(reinterpret_cast<const char*>(f8.data()), f8.size() * 4)));
  auto decisions = [](const std::string& out) {  // the timeline lines
    std::string d;
    for (size_t at = 0, end; at < out.size(); at = end + 1) {
      end = std::min(out.find('\n', at), out.size());
      if (std::isdigit(uint8_t(out[at]))) d += out.substr(at, end - at + 1);
    }
    return d;
  };
  r = run_tool("stream " + dir + "kws.slim " + dir + "fast16.wav --chunk 333");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fast16.wav: resampled from 16000 Hz to the model's 8000 Hz (40000 → 20000 samples, inside the stream"),
            std::string::npos) << r.out;
  const std::string want = decisions(run_tool("stream " + dir + "kws.slim " + dir + "whole8.wav").out);
  EXPECT_EQ(std::count(want.begin(), want.end(), '\n'), 7) << want;  // (20000 − 8000) / 2000 + 1
  EXPECT_EQ(decisions(r.out), want);
  r = run_tool("stream " + dir + "kws.slim " + dir + "fast16.wav --rate 0");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--rate: '0' is not a positive number of Hz"), std::string::npos) << r.out;
  write(dir + "slow.wav", wav_bytes(1, 1, 400, 16, pcm16(x)));
  r = run_tool("stream " + dir + "kws.slim " + dir + "slow.wav");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("slow.wav: slimrt_stream_open: input_rate 400 Hz, the model takes 8000 Hz: sample rate 400 Hz "
                       "is too low"), std::string::npos) << r.out;
  r = run_tool("run " + dir + "kws.slim " + dir + "slow.wav");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("slow.wav: recorded at 400 Hz, the model's front end takes 8000 Hz: sample rate 400 Hz is too "
                       "low to resample to 8000 Hz (at most 16× upsampling"), std::string::npos) << r.out;
  write(dir + "bad.wav", wav_bytes(7, 1, 8000, 16, pcm16(x)));
  r = run_tool("run " + dir + "kws.slim " + dir + "bad.wav");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("bad.wav: byte 20: WAV format code 7"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(ToolCommands, RunAndStreamCsvOnADeepSenseModel) {
  const std::string dir = temp_dir();
  ModelWriter w = deepsense_model(deepsense_params(), 64, 3, 4);
  w.write_file(dir + "har.slim");
  const auto x = test_signal(64, 3, 4);
  std::string csv = "x,y,z,extra\n";
  for (int t = 0; t < 64; ++t) {
    char row[128];
    std::snprintf(row, sizeof row, "%.9g,%.9g,%.9g,7\n", double(x[size_t(t * 3)]), double(x[size_t(t * 3 + 1)]),
                  double(x[size_t(t * 3 + 2)]));
    csv += row;
  }
  write(dir + "rec.csv", csv);
  Result r = run_tool("run " + dir + "har.slim " + dir + "rec.csv");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("rec.csv: 4 channels (columns), the model's front end takes 3 (pick them with --columns)"),
            std::string::npos) << r.out;
  r = run_tool("run " + dir + "har.slim " + dir + "rec.csv --columns x,y,z --top 2 --output " + dir + "y.f32");
  ASSERT_EQ(r.status, 0) << r.out;
  Interpreter in(load(w));
  in.set_input(0, x.data(), x.size());
  in.invoke();
  std::vector<float> y(4), got(4);
  in.get_output(0, y.data(), 4);
  std::ifstream(dir + "y.f32", std::ios::binary).read(reinterpret_cast<char*>(got.data()), 16);
  EXPECT_EQ(got, y);
  size_t lines = 0;
  for (size_t p = r.out.find("class "); p != std::string::npos; p = r.out.find("class ", p + 1)) ++lines;
  EXPECT_EQ(lines, 2u) << r.out;
  // --raw: the features straight to the network (the DeepSense features of x).
  frontend::DeepSenseOptions ds = ops::fe::deepsense_options(deepsense_params(), 64, 3);
  const frontend::DeepSensePlan plan = frontend::prepare_deepsense(ds);
  std::vector<float> planar(x.size()), feats(size_t(plan.numel()));
  for (int t = 0; t < 64; ++t)
    for (int c = 0; c < 3; ++c) planar[size_t(c * 64 + t)] = x[size_t(t * 3 + c)];
  frontend::deepsense_features(plan, planar.data(), feats.data());
  write(dir + "feats.f32", std::string(reinterpret_cast<const char*>(feats.data()), feats.size() * 4));
  r = run_tool("run " + dir + "har.slim " + dir + "feats.f32 --raw --output " + dir + "y2.f32");
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream(dir + "y2.f32", std::ios::binary).read(reinterpret_cast<char*>(got.data()), 16);
  EXPECT_EQ(got, y);
  r = run_tool("run " + dir + "har.slim " + dir + "y2.f32 --raw");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("y2.f32: 16 bytes, the network's input (past the front end) takes 240 float32 values"),
            std::string::npos) << r.out;
  r = run_tool("run " + dir + "har.slim " + dir + "missing.csv");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("missing.csv: cannot open"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}
#endif

}  // namespace
}  // namespace slimrt::test
