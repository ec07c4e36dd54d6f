// slimrt-run: inspect, run and benchmark a .slim model on the device.
//   slimrt-run describe model.slim [--threads N] [--no-views]
//   slimrt-run run model.slim input.{f32,bin,csv,wav} [--isa ref] [--threads N]
//   slimrt-run bench model.slim [--runs 200] [--warmup 20] [--threads 1] [--isa avx2]
//   slimrt-run stream model.slim input.{wav,csv} [--hop N] [--chunk N] [--smooth N] [--smooth-mode vote|mean]
//   slimrt-run COMMAND --help
// Plain C++17 and the slimrt library only (no CLI11: this builds with the runtime alone).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "frontend_cmds.h"
#include "inputs.h"
#include "slimrt/runtime.h"
#include "slimrt/stream.h"
#ifdef SLIMRT_HAVE_OPENCL
#include "slimrt/opencl.h"
#endif

namespace {

using slimrt::Error;

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::string human_bytes(double b) {
  char buf[64];
  if (b >= 1 << 20) std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1 << 20));
  else if (b >= 1 << 10) std::snprintf(buf, sizeof buf, "%.1f KiB", b / (1 << 10));
  else std::snprintf(buf, sizeof buf, "%.0f B", b);
  return buf;
}

long peak_rss_kib() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// `slimrt-run COMMAND --help`: that command's usage (stdout, exit 0).
int command_help(const std::string& cmd) {
  if (cmd == "run")
    std::printf("usage: slimrt-run run MODEL.slim INPUT [--isa ISA] [--device DEV] [--output FILE] [--top N] [--columns C]\n"
                "                      [--raw]\n"
                "  Runs the model on INPUT. A model whose graph starts with a front-end op takes raw sensor files:\n"
                "    .wav  PCM 8/16/24/32-bit or float, any channel count (mixed down to mono for audio models);\n"
                "          another rate is resampled to the front end's (band-limited, noted; at most 16x up)\n"
                "    .csv  sensor samples, one row per time step (--columns x,y,z or 0,1,2 picks columns);\n"
                "          a recording longer than one window runs every window, outputs averaged\n"
                "    .pgm .ppm%s  images (another size or channel count is converted, with a note)\n"
                "  and prints the top classes, best first: `class NAME VALUE` (softmax probabilities).\n"
                "  Other models: raw float32 (.f32/.bin/.raw), CSV or 16-bit mono WAV filling the input.\n"
                "  --raw: INPUT is raw little-endian float32 features fed straight to the network's input,\n"
                "  past the front end. --output FILE writes output 0 as raw little-endian float32.\n",
                slimrt::tools::have_png() ? " .png" : "");
  else if (cmd == "stream")
    std::printf("usage: slimrt-run stream MODEL.slim INPUT.{wav,csv,f32} [--hop N] [--chunk N] [--smooth N]\n"
                "                         [--smooth-mode vote|mean] [--columns C] [--rate HZ] [--isa ISA]\n"
                "  Streams INPUT through the model's front end (slimrt/stream.h) in chunks of --chunk frames\n"
                "  (default: the hop) and prints one line per hop: end time (s, the recording's), window, class,\n"
                "  score, smoothed class and its score. --hop / --smooth / --smooth-mode default to the file's\n"
                "  values. Another rate (a WAV header's, or --rate HZ for CSV / raw input) is resampled inside\n"
                "  the stream (audio band-limited, inertial linearly, as the workbench; noted); several WAV\n"
                "  channels are mixed down to mono there for audio models.\n");
  else if (cmd == "describe")
    std::printf("usage: slimrt-run describe MODEL.slim [--device DEV]\n"
                "  Metadata, front end (rate, window, hop, features, normalisation, smoothing), ops, tensors, arena.\n");
  else if (cmd == "bench")
    std::printf("usage: slimrt-run bench MODEL.slim [--runs N] [--warmup N] [--threads N] [--isa ISA] [--device DEV] [--per-op]\n"
                "  Median / p90 / min latency of one inference, arena, file bytes and peak RSS.\n"
                "  --per-op: then each op's mean time over --runs timed invokes (kernel, MACs, share, MACs per ns).\n");
  else
    return -1;
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: slimrt-run describe MODEL.slim [--device cpu|opencl[:N][,fp16]] [--threads N]\n"
               "       slimrt-run devices   (OpenCL devices, when built with the OpenCL backend)\n"
               "       slimrt-run run MODEL.slim INPUT [--isa ref|avx2|avx512|neon] [--device cpu|opencl[:N][,fp16]]\n"
               "             [--threads N]\n"
               "             INPUT: raw little-endian float32 (.f32/.bin/.raw), CSV (.csv, numbers separated\n"
               "             by commas or whitespace) or 16-bit PCM WAV (.wav, samples scaled to [-1, 1])\n"
               "       slimrt-run bench MODEL.slim [--runs N] [--warmup N] [--threads N] [--isa ISA] [--device DEV] [--per-op]\n"
               "       slimrt-run stream MODEL.slim INPUT [--hop N] [--chunk N] [--smooth N] [--smooth-mode vote|mean]\n"
               "       slimrt-run COMMAND --help   (a command's usage; raw WAV / CSV / image inputs: run --help)\n"
               "       any command: --threads N  N threads share each large dense / conv op (bit-identical)\n"
               "                    --point NAME|INDEX  the operating point to describe / run / bench / stream\n"
               "             --no-views  copy Reshape / Slice / Concat instead of viewing (to compare arenas)\n"
               "             --no-verify-checksum  skip the CRC-32C checks of a format-version-2 file\n"
               "             (zero-copy flash images only: a damaged file then computes wrong outputs)\n");
  return 2;
}

std::string g_device;  // --device cpu | opencl[:N][,fp16]
slimrt::LoadOptions g_load;  // --no-verify-checksum
slimrt::InterpreterOptions g_opt;  // --isa, --threads, --no-views (and --device)
bool g_per_op = false;              // bench --per-op

// One `operating point` line per point of the file's table (docs/ADAPTIVE.md).
void describe_points(const slimrt::Model& m, size_t shown) {
  const auto& points = m.operating_points();
  if (points.empty() || !points[0].from_table) return;
  for (size_t i = 0; i < points.size(); ++i) {
    const slimrt::OperatingPoint& p = points[i];
    std::printf("operating point %zu %-20s %-6s accuracy %.4f  MACs %lld  weights %s  energy %.3g uJ  latency ", i,
                p.name.c_str(), p.precision.c_str(), p.accuracy, (long long)p.macs,
                human_bytes(double(p.weight_bytes)).c_str(), p.energy_uj);
    if (p.latency_us >= 0) std::printf("%.1f us", p.latency_us);
    else std::printf("-");
    std::printf("%s%s\n", p.main ? "  (main graph)" : "", i == shown ? "  <- shown below" : "");
  }
}

size_t g_point = SIZE_MAX;  // --point (resolved per model)
std::string g_point_arg;

// The interpreter at --point.
void pick_point(const slimrt::Model& m, slimrt::Interpreter& in) {
  g_point = g_point_arg.empty() ? m.main_point() : slimrt::tools::resolve_point(slimrt::tools::point_names(m), g_point_arg);
  in.set_operating_point(g_point);
}

// "Conv2d+Relu": the op type and its fused activation.
std::string op_label(const slimrt::OpDesc& op) {
  const std::string act =
      op.activation == slimrt::fb::Activation::None ? "" : std::string("+") + slimrt::fb::EnumNameActivation(op.activation);
  return std::string(slimrt::op_name(op.type)) + act;
}

int describe(const std::string& path) {
  auto model = slimrt::Model::from_file(path, g_load);
  slimrt::Interpreter in(model, g_opt);  // the kernel column shows where each op runs
  pick_point(*model, in);
  const slimrt::Model* m = model->point_graph(g_point) ? model->point_graph(g_point) : model.get();
  const auto& md = m->metadata();
  std::printf("model        %s (%s), exported by %s\n", md.model.c_str(), md.precision.c_str(), md.exporter.c_str());
  if (!md.source_run.empty()) std::printf("source run   %s, accuracy %.4f\n", md.source_run.c_str(), md.accuracy);
  if (!md.feature_type.empty())
    std::printf("input        %s, %.0f Hz, window %lld\n", md.feature_type.c_str(), md.sample_rate,
                (long long)md.window_length);
  slimrt::tools::describe_front_end(*m);
  if (!md.class_names.empty()) {
    std::printf("classes      %zu:", md.class_names.size());
    for (const auto& c : md.class_names) std::printf(" %s", c.c_str());
    std::printf("\n");
  }
  std::printf("file         %s (%s), weights %s\n", human_bytes(double(m->file_bytes())).c_str(), m->storage(),
              human_bytes(double(m->weight_bytes())).c_str());
  std::printf("integrity    %s\n", m->integrity().c_str());
  std::printf("arena        %s (lower bound %s), packed weights %s\n", human_bytes(double(in.arena_bytes())).c_str(),
              human_bytes(double(in.arena_lower_bound())).c_str(), human_bytes(double(in.packed_weight_bytes())).c_str());
  std::printf("MACs         %lld\n", (long long)m->macs());
  describe_points(*model, g_point);
  std::printf("\n");
  std::printf("%-4s %-16s %-24s %-22s %-14s %12s\n", "#", "op", "name", "kernel", "output", "MACs");
  const auto names = in.kernel_names();
  const auto parts = in.node_parts();
  for (size_t i = 0; i < m->ops().size(); ++i) {
    const std::string kernel = names[i] + (parts[i] > 1 ? " x" + std::to_string(parts[i]) : "");
    const auto& op = m->ops()[i];
    const auto& y = m->tensors()[size_t(op.outputs[0])];
    std::printf("%-4zu %-16s %-24s %-22s %-14s %12lld\n", i, op_label(op).c_str(), op.name.c_str(), kernel.c_str(),
                (std::string(slimrt::dtype_name(y.dtype)) + shape_str(y.shape)).c_str(), (long long)op.macs);
  }
  std::printf("\n%-4s %-28s %-6s %-18s %4s %12s\n", "#", "tensor", "dtype", "shape", "FL", "bytes");
  for (size_t i = 0; i < m->tensors().size(); ++i) {
    const auto& t = m->tensors()[i];
    std::printf("%-4zu %-28s %-6s %-18s %4d %12zu%s\n", i, t.name.c_str(), slimrt::dtype_name(t.dtype),
                shape_str(t.shape).c_str(), t.fl, t.bytes, t.constant() ? "  const" : "");
  }
  return 0;
}

std::vector<float> read_input(const std::string& path) {
  auto ends = [&](const char* ext) {
    const size_t n = std::strlen(ext);
    return path.size() >= n && path.compare(path.size() - n, n, ext) == 0;
  };
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open");
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> out;
  if (ends(".csv") || ends(".txt")) {
    std::string s = bytes;
    std::replace(s.begin(), s.end(), ',', ' ');
    std::istringstream in(s);
    std::string tok;
    long line_tok = 0;
    while (in >> tok) {
      ++line_tok;
      char* end = nullptr;
      const float v = std::strtof(tok.c_str(), &end);
      if (end == tok.c_str() || *end != '\0') throw Error(path + ": value " + std::to_string(line_tok) + " ('" + tok + "') is not a number");
      out.push_back(v);
    }
  } else if (ends(".wav")) {
    // RIFF/WAVE, PCM 16-bit: find the "fmt " and "data" chunks.
    if (bytes.size() < 12 || bytes.compare(0, 4, "RIFF") != 0 || bytes.compare(8, 4, "WAVE") != 0)
      throw Error(path + ": not a RIFF/WAVE file");
    size_t pos = 12;
    int bits = 0, format = 0, channels = 0;
    while (pos + 8 <= bytes.size()) {
      const std::string id = bytes.substr(pos, 4);
      uint32_t len;
      std::memcpy(&len, bytes.data() + pos + 4, 4);
      pos += 8;
      if (len > bytes.size() - pos) throw Error(path + ": chunk '" + id + "' runs past the end of the file");
      if (id == "fmt " && len >= 16) {
        uint16_t v;
        std::memcpy(&v, bytes.data() + pos, 2), format = v;
        std::memcpy(&v, bytes.data() + pos + 2, 2), channels = v;
        std::memcpy(&v, bytes.data() + pos + 14, 2), bits = v;
      } else if (id == "data") {
        if (format != 1 || bits != 16 || channels != 1)
          throw Error(path + ": only mono 16-bit PCM WAV is supported (format " + std::to_string(format) + ", " +
                      std::to_string(bits) + " bits, " + std::to_string(channels) + " channels)");
        for (size_t i = 0; i + 1 < len; i += 2) {
          int16_t s;
          std::memcpy(&s, bytes.data() + pos + i, 2);
          out.push_back(float(s) / 32768.0f);
        }
        return out;
      }
      pos += len + (len & 1);
    }
    throw Error(path + ": no data chunk");
  } else {
    if (bytes.size() % 4 != 0) throw Error(path + ": " + std::to_string(bytes.size()) + " bytes is not a whole number of float32 values");
    out.resize(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), bytes.size());
  }
  return out;
}

slimrt::tools::RawOptions g_raw;  // raw-input options (--columns, --output, --top, stream's)

int run(const std::string& path, const std::string& input) {
  auto m = slimrt::Model::from_file(path, g_load);
  if (slimrt::tools::front_end_op(*m)) {
    g_raw.isa = g_opt.isa;
    return slimrt::tools::run_raw(m, path, input, g_raw);
  }
  slimrt::Interpreter in(m, g_opt);
  pick_point(*m, in);
  std::vector<float> x = read_input(input);
  const size_t need = size_t(in.input(0).numel);
  if (x.size() != need)
    throw Error(input + ": " + std::to_string(x.size()) + " values, the model's input " + shape_str(in.input(0).shape) +
                " takes " + std::to_string(need));
  in.set_input(0, x.data(), x.size());
  in.invoke();
  std::vector<float> y(size_t(in.output(0).numel));
  in.get_output(0, y.data(), y.size());
  if (!g_raw.output.empty()) slimrt::tools::write_f32(g_raw.output, y.data(), y.size());
  const auto& names = m->metadata().class_names;
  size_t best = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    std::printf("%zu\t%s\t%.6g\n", i, i < names.size() ? names[i].c_str() : "", double(y[i]));
    if (y[i] > y[best]) best = i;
  }
  std::printf("prediction\t%zu\t%s\n", best, best < names.size() ? names[best].c_str() : "");
  return 0;
}

// bench --per-op: each op's mean wall time over `runs` timed invokes, its share of their
// sum and its MACs per ns, with the kernel that ran it.
void per_op_table(const slimrt::Model& model, slimrt::Interpreter& in, int runs) {
  const slimrt::Model* m = model.point_graph(g_point) ? model.point_graph(g_point) : &model;
  const auto kernels = in.kernel_names();
  std::vector<double> seconds(kernels.size(), 0.0);
  for (int i = 0; i < runs; ++i) in.invoke_timed(seconds.data());
  double total = 0;
  for (double v : seconds) total += v;
  std::printf("\n%-4s %-16s %-24s %-26s %12s %10s %7s %8s\n", "#", "op", "name", "kernel", "MACs", "us", "share",
              "MAC/ns");
  for (size_t i = 0; i < kernels.size(); ++i) {
    const auto& op = m->ops()[i];
    const double us = 1e6 * seconds[i] / runs;
    std::printf("%-4zu %-16s %-24s %-26s %12lld %10.3f %6.1f%% %8.2f\n", i, op_label(op).c_str(), op.name.c_str(),
                kernels[i].c_str(), (long long)op.macs, us, total > 0 ? 100 * seconds[i] / total : 0.0,
                us > 0 ? double(op.macs) / (us * 1e3) : 0.0);
  }
  std::printf("per_op_total_us %.3f  (the sum over ops, timed one by one; median_ms above times whole invokes)\n",
              1e6 * total / runs);
}

int bench(const std::string& path, int runs, int warmup) {
  auto m = slimrt::Model::from_file(path, g_load);
  slimrt::Interpreter in(m, g_opt);
  pick_point(*m, in);
  std::vector<float> x(size_t(in.input(0).numel));
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(double(i) * 0.37));
  in.set_input(0, x.data(), x.size());
  for (int i = 0; i < warmup; ++i) in.invoke();
  std::vector<double> ms;
  ms.reserve(size_t(runs));
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    in.invoke();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2], p90 = ms[std::min(ms.size() - 1, ms.size() * 9 / 10)];
  if (m->operating_points()[g_point].from_table)
    std::printf("operating_point %s\n", m->operating_points()[g_point].name.c_str());
  std::printf("model %s  runs %d  warmup %d  threads %d  isa %s  device %s\n", m->metadata().model.c_str(), runs,
              warmup, g_opt.threads, g_opt.isa.empty() ? "best" : g_opt.isa.c_str(), g_device.empty() ? "cpu" : g_device.c_str());
  std::printf("median_ms %.4f  p90_ms %.4f  min_ms %.4f\n", median, p90, ms.front());
  std::printf("arena_bytes %zu  lower_bound %zu  file_bytes %zu  peak_rss_kib %ld\n", in.arena_bytes(),
              in.arena_lower_bound(), m->file_bytes(), peak_rss_kib());
  if (g_per_op) per_op_table(*m, in, runs);
  if (g_opt.threads > 1) {  // the same input through one thread: the outputs must be bit-identical
    slimrt::InterpreterOptions one = g_opt;
    one.threads = 1;
    slimrt::Interpreter single(m, one);
    single.set_operating_point(g_point);
    bool same = true;
    for (slimrt::Interpreter* i : {&in, &single}) {
      i->set_input(0, x.data(), x.size());
      i->invoke();
    }
    for (size_t o = 0; o < in.num_outputs(); ++o) {
      std::vector<float> a(size_t(in.output(o).numel)), b(a.size());
      in.get_output(o, a.data(), a.size());
      single.get_output(o, b.data(), b.size());
      same = same && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
    }
    std::printf("outputs_vs_1_thread %s\n", same ? "identical" : "DIFFERENT");
    if (!same) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef SLIMRT_HAVE_OPENCL
  slimrt_opencl_install();  // --device opencl[:N][,fp16]
  if (argc == 2 && std::string(argv[1]) == "devices") {  // the N of --device opencl:N
    try {
      for (const auto& d : slimrt::opencl::devices()) std::printf("opencl:%s\n", d.describe().c_str());
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "slimrt-run: %s\n", e.what());
      return 1;
    }
  }
#endif
  slimrt_frontend_register();  // models whose graph starts with front-end ops
  if (argc >= 2) {
    const std::string a1 = argv[1], a2 = argc >= 3 ? argv[2] : "";
    if (a2 == "--help" || a2 == "-h") return command_help(a1) == 0 ? 0 : usage();
    if (a1 == "--help" || a1 == "-h" || a1 == "help") return argc >= 3 && command_help(a2) == 0 ? 0 : (usage(), 0);
  }
  if (argc < 3) return usage();
  const std::string cmd = argv[1], model = argv[2];
  std::string input;
  int runs = 200, warmup = 20;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "slimrt-run: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&](const char* name) {
      const std::string v = value(name);
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 0 || n > 10000000) {
        std::fprintf(stderr, "slimrt-run: %s: '%s' is not a count\n", name, v.c_str());
        std::exit(2);
      }
      return int(n);
    };
    if (a == "--isa") g_opt.isa = value("--isa");
    else if (a == "--device") g_device = value("--device");
    else if (a == "--runs") runs = std::max(1, number("--runs"));
    else if (a == "--warmup") warmup = number("--warmup");
    else if (a == "--threads") g_opt.threads = std::max(1, number("--threads"));
    else if (a == "--no-views") g_opt.views = false;
    else if (a == "--per-op") g_per_op = true;
    else if (a == "--point") g_point_arg = g_raw.point = value("--point");
    else if (a == "--no-verify-checksum") g_load.verify_checksums = false, g_raw.load_flags = SLIMRT_LOAD_SKIP_CHECKSUMS;
    else if (a == "--columns") g_raw.columns = value("--columns");
    else if (a == "--output") g_raw.output = value("--output");
    else if (a == "--top") g_raw.top = std::max(1, number("--top"));
    else if (a == "--raw") g_raw.raw = true;
    else if (a == "--hop") g_raw.hop = number("--hop");
    else if (a == "--chunk") g_raw.chunk = number("--chunk");
    else if (a == "--rate") {
      const std::string v = value("--rate");
      char* end = nullptr;
      g_raw.rate = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(g_raw.rate > 0) || !std::isfinite(g_raw.rate)) {
        std::fprintf(stderr, "slimrt-run: --rate: '%s' is not a positive number of Hz\n", v.c_str());
        return 2;
      }
    }
    else if (a == "--smooth") g_raw.smooth = number("--smooth");
    else if (a == "--smooth-mode") {
      const std::string v = value("--smooth-mode");
      if (v != "vote" && v != "mean") {
        std::fprintf(stderr, "slimrt-run: --smooth-mode: '%s' is not vote or mean\n", v.c_str());
        return 2;
      }
      g_raw.smooth_mode = v == "mean" ? SLIMRT_SMOOTH_MEAN : SLIMRT_SMOOTH_VOTE;
    }
    else if (input.empty() && a.rfind("--", 0) != 0) input = a;
    else {
      std::fprintf(stderr, "slimrt-run: unknown argument '%s'\n", a.c_str());
      return usage();
    }
  }
  g_opt.device = g_device;
  try {
    if (cmd == "describe") return describe(model);
    if (cmd == "run") {
      if (input.empty()) return usage();
      return run(model, input);
    }
    if (cmd == "bench") return bench(model, runs, warmup);
    if (cmd == "stream") {
      if (input.empty()) return usage();
      g_raw.isa = g_opt.isa;
      return slimrt::tools::stream_raw(model, input, g_raw);
    }
    return usage();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slimrt-run: %s\n", e.what());
    return 1;
  }
}
