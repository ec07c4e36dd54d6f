// deploy/examples/sensor_app.c (slimrt-sensor-app, C API only) end to end: WAV and CSV
// on stdin give the same decisions as `slimrt-run stream` on the same file (mono,
// stereo mixed down, 16 kHz / 44.1 kHz resampled to the model's 8 kHz, any chunk
// size), and bad input a message naming the stdin position with exit status 1. Under
// cross-test the binaries run through SLIMRT_TEST_EMULATOR (qemu-aarch64).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend_models.h"
#include "run_command.h"

#if defined(SLIMRT_SENSOR_APP_BIN) && defined(SLIMRT_RUN_BIN)
namespace slimrt::test {
namespace {

using Result = CommandOutput;

// Runs a shell command line (stderr merged into stdout when `merge`).
Result shell(const std::string& cmd, bool merge) { return run_command(cmd + (merge ? " 2>&1" : " 2>/dev/null")); }

std::string emulator() {
  const char* emu = std::getenv("SLIMRT_TEST_EMULATOR");
  return emu ? std::string(emu) + " " : "";
}

Result app(const std::string& args, const std::string& input, bool merge = false) {
  return shell(emulator() + SLIMRT_SENSOR_APP_BIN + " " + args + " < " + input, merge);
}

// `slimrt-run stream`'s lines as the app prints them: end_s, smoothed class, its score.
std::string stream_decisions(const std::string& args) {
  const Result r = shell(emulator() + SLIMRT_RUN_BIN + " stream " + args, false);
  EXPECT_EQ(r.status, 0) << r.out;
  std::istringstream in(r.out);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> col;
    std::istringstream fields(line);
    for (std::string f; std::getline(fields, f, '\t');) col.push_back(f);
    EXPECT_EQ(col.size(), 6u) << line;
    if (col.size() == 6) out += col[0] + "\t" + col[4] + "\t" + col[5] + "\n";
  }
  return out;
}

// The app on `input` fails with exit status 1 and a message containing `message`.
void expect_refused(const std::string& args, const std::string& input, const std::string& message) {
  const Result r = app(args, input, true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find(message), std::string::npos) << "'" << message << "' not in: " << r.out;
}

// A RIFF/WAVE file around `data` (format tag, channels, rate, bits; `declared` the data
// chunk's length when not data.size()).

std::string wav_raw(int tag, int channels, uint32_t rate, int bits, const std::string& data, uint32_t declared = 0) {
  auto put = [](std::string& s, uint32_t v, int bytes) { s.append(reinterpret_cast<const char*>(&v), size_t(bytes)); };
  const uint32_t block = uint32_t(channels * bits / 8);
  std::string out = "RIFF";
  put(out, uint32_t(36 + data.size()), 4);
  out += "WAVEfmt ";
  put(out, 16, 4);
  put(out, uint32_t(tag), 2);
  put(out, uint32_t(channels), 2);
  put(out, rate, 4);
  put(out, rate * block, 4);
  put(out, block, 2);
  put(out, uint32_t(bits), 2);
  out += "data";
  put(out, declared ? declared : uint32_t(data.size()), 4);
  return out + data;
}

// 16-bit PCM of frames × channels interleaved samples.
std::string wav_bytes(int channels, uint32_t rate, const std::vector<float>& x, uint32_t declared = 0) {
  std::string data(x.size() * 2, '\0');
  for (size_t i = 0; i < x.size(); ++i) {
    const int16_t v = int16_t(std::lround(std::clamp(x[i], -1.0f, 0.99f) * 32768.0f));
    std::memcpy(&data[2 * i], &v, 2);
  }
  return wav_raw(1, channels, rate, 16, data, declared);
}

class ExampleApp : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("slimrt_example_app_" + std::to_string(::getpid()))).string() + "/";
    std::filesystem::create_directories(dir_);
    ModelWriter w = audio_model(audio_params(), 4000, 4);  // 0.5 s windows at 8 kHz
    w.op(0).frontend.stream_hop = 800;
    w.op(0).frontend.smooth_window = 3;
    w.metadata.class_names = {"yes", "no", "up", "down"};
    w.write_file(dir_ + "kws.slim");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ + name, std::ios::binary) << bytes;
    return dir_ + name;
  }
  std::string dir_;
};

TEST_F(ExampleApp, WavGivesTheDecisionsOfSlimrtRunStream) {
  const std::string mono = write("mono.wav", wav_bytes(1, 8000, test_signal(13000, 1, 5)));
  const std::string want = stream_decisions(dir_ + "kws.slim " + mono);
  ASSERT_EQ(std::count(want.begin(), want.end(), '\n'), 12) << want;  // (13000 − 4000) / 800 + 1
  for (const char* chunk : {"", "--chunk 1", "--chunk 333", "--chunk 20000"}) {
    const Result r = app(dir_ + "kws.slim " + chunk, mono);
    EXPECT_EQ(r.status, 0) << chunk;
    EXPECT_EQ(r.out, want) << chunk;
  }
  // Overrides reach the stream as in slimrt-run.
  EXPECT_EQ(app(dir_ + "kws.slim --hop 400 --smooth 5 --smooth-mode mean", mono).out,
            stream_decisions(dir_ + "kws.slim " + mono + " --hop 400 --smooth 5 --smooth-mode mean"));

  // Stereo: mixed down to mono (noted), as slimrt-run and the workbench mix it.
  const std::string stereo = write("stereo.wav", wav_bytes(2, 8000, test_signal(9000, 2, 6)));
  Result r = app(dir_ + "kws.slim --chunk 100", stereo, true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("slimrt-sensor-app: note: stdin: 2 channels mixed down to mono"), std::string::npos) << r.out;
  EXPECT_EQ(app(dir_ + "kws.slim --chunk 100", stereo).out, stream_decisions(dir_ + "kws.slim " + stereo));
}

TEST_F(ExampleApp, WavAtAnotherRateIsResampledAsSlimrtRunDoes) {
  for (uint32_t rate : {16000u, 44100u}) {
    const std::string path = write("r.wav", wav_bytes(1, rate, test_signal(int64_t(rate) * 3 / 2, 1, 9)));
    const Result r = app(dir_ + "kws.slim", path, true);
    EXPECT_EQ(r.status, 0) << r.out;
    const std::string from = std::to_string(rate * 3 / 2);
    EXPECT_NE(r.out.find("note: stdin: resampled from " + std::to_string(rate) + " Hz to the model's 8000 Hz (" + from +
                         " → 12000 samples"),
              std::string::npos) << r.out;
    const std::string want = stream_decisions(dir_ + "kws.slim " + path);
    EXPECT_EQ(std::count(want.begin(), want.end(), '\n'), 11) << want;
    EXPECT_EQ(app(dir_ + "kws.slim --chunk 777", path).out, want) << rate;
  }
  // Stereo at 16 kHz: mixed down and resampled inside the stream, as slimrt-run does.
  const std::string stereo = write("s.wav", wav_bytes(2, 16000, test_signal(20000, 2, 3)));
  Result r = app(dir_ + "kws.slim --chunk 500", stereo, true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("note: stdin: 2 channels mixed down to mono"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("note: stdin: resampled from 16000 Hz to the model's 8000 Hz (20000 → 10000 samples"),
            std::string::npos) << r.out;
  const std::string want = stream_decisions(dir_ + "kws.slim " + stereo);
  EXPECT_EQ(std::count(want.begin(), want.end(), '\n'), 8) << want;  // (10000 − 4000) / 800 + 1
  EXPECT_EQ(app(dir_ + "kws.slim --chunk 1", stereo).out, want);
  // Beyond the workbench's 16× upsampling: refused with both rates, before reading the data.
  expect_refused(dir_ + "kws.slim", write("slow.wav", wav_bytes(1, 400, test_signal(800, 1, 2))),
                 "slimrt-sensor-app: stdin: slimrt_stream_open: input_rate 400 Hz, the model takes 8000 Hz: sample "
                 "rate 400 Hz is too low to resample to 8000 Hz (at most 16× upsampling");
}

TEST_F(ExampleApp, CsvGivesTheDecisionsOfSlimrtRunStream) {
  ModelWriter w = deepsense_model(deepsense_params(), 64, 3, 4);
  w.op(0).frontend.stream_hop = 16;
  w.op(0).frontend.smooth_window = 2;
  w.metadata.class_names = {"walk", "sit", "stand", "climb"};
  w.write_file(dir_ + "har.slim");
  const auto x = test_signal(200, 3, 4);
  std::string csv = "# an HMP-like recording\ntime x y z\n";
  for (int t = 0; t < 200; ++t) {
    char row[160];
    std::snprintf(row, sizeof row, "%d %.9g %.9g %.9g\n", t, double(x[size_t(t * 3)]), double(x[size_t(t * 3 + 1)]),
                  double(x[size_t(t * 3 + 2)]));
    csv += row;
  }
  const std::string path = write("rec.csv", csv);
  const std::string want = stream_decisions(dir_ + "har.slim " + path + " --columns x,y,z");
  ASSERT_EQ(std::count(want.begin(), want.end(), '\n'), 9) << want;  // (200 − 64) / 16 + 1
  EXPECT_EQ(app(dir_ + "har.slim --columns x,y,z --chunk 7", path).out, want);
  EXPECT_EQ(app(dir_ + "har.slim --columns 1,2,3", path).out, want);
  // Recorded at 50 Hz (--rate): resampled linearly to the model's 32 Hz inside the stream.
  const std::string at50 = stream_decisions(dir_ + "har.slim " + path + " --columns x,y,z --rate 50");
  EXPECT_EQ(std::count(at50.begin(), at50.end(), '\n'), 5) << at50;  // 128 frames at 32 Hz: (128 − 64) / 16 + 1
  const Result r50 = app(dir_ + "har.slim --columns x,y,z --rate 50 --chunk 3", path, true);
  EXPECT_NE(r50.out.find("note: stdin: resampled from 50 Hz to the model's 32 Hz (200 → 128 samples"),
            std::string::npos) << r50.out;
  EXPECT_EQ(app(dir_ + "har.slim --columns x,y,z --rate 50", path).out, at50);
  expect_refused(dir_ + "har.slim --rate 0.1", path, "stdin: slimrt_stream_open: input_rate 0.1 Hz, the model takes 32 "
                                                     "Hz: more than 64× upsampling");

  expect_refused(dir_ + "har.slim", path, "stdin:3: 4 columns, the model's front end takes 3 (pick them with --columns)");
  expect_refused(dir_ + "har.slim --columns x,w", path, "stdin: no column 'w' (the input has 4 columns)");
  expect_refused(dir_ + "har.slim", write("bad.csv", "x,y,z\n1,2,3\n4,abc,6\n"), "stdin:3: column 2: 'abc' is not a number");
  expect_refused(dir_ + "har.slim", write("short.csv", "1,2,3\n4,5\n"), "stdin:2: 2 values, expected 3 (as the first row)");
  expect_refused(dir_ + "har.slim", write("inf.csv", "1,2,3\n4,inf,6\n"), "stdin:2: column 2 is NaN or infinite");
}

TEST_F(ExampleApp, BadInputNamesTheStdinPosition) {
  std::string wav = wav_bytes(1, 8000, test_signal(100, 1, 1));
  std::string code7 = wav;
  code7[20] = 7;
  expect_refused(dir_ + "kws.slim", write("code7.wav", code7),
                 "slimrt-sensor-app: stdin: byte 20: WAV format code 7 is not PCM (1) or IEEE float (3)");
  // Truncated headers: an error naming stdin, never a crash.
  expect_refused(dir_ + "kws.slim", write("cut6.wav", wav.substr(0, 6)), "stdin: not a RIFF/WAVE file");
  expect_refused(dir_ + "kws.slim", write("cut20.wav", wav.substr(0, 20)), "stdin: byte 12: 'fmt ' chunk runs past the end");
  expect_refused(dir_ + "kws.slim", write("cut40.wav", wav.substr(0, 40)), "stdin: byte 36: no 'data' chunk");
  // A data chunk cut short (a truncated stream) keeps its whole frames, with a note.
  const std::string long_wav = wav_bytes(1, 8000, test_signal(6001, 1, 3), 40000);
  Result r = app(dir_ + "kws.slim", write("trunc.wav", long_wav), true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("note: stdin: the data chunk ends at byte 12046, 27998 bytes short of its declared length: read "
                       "its 6001 whole frames"),
            std::string::npos) << r.out;
  // A NaN in a float WAV names its byte.
  expect_refused(dir_ + "kws.slim", write("nan.wav", wav_raw(3, 1, 8000, 32, std::string("\0\0\0\0\0\0\xc0\x7f", 8))),
                 "stdin: byte 48: sample is NaN or infinite");
  expect_refused(dir_ + "kws.slim", write("empty.csv", ""), "stdin: empty input");
  expect_refused(dir_ + "missing.slim", write("x.csv", "1\n"), "missing.slim");
  r = shell(emulator() + SLIMRT_SENSOR_APP_BIN + " --help", true);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("usage: slimrt-sensor-app MODEL.slim", 0), 0u) << r.out;
}

}  // namespace
}  // namespace slimrt::test
#endif
