// slimrt-run on raw sensor files (frontend_cmds.h).
#include "frontend_cmds.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "inputs.h"
#include "slimrt/frontend.h"
#include "slimrt/frontend_graph.h"
#include "slimrt/stream.h"

namespace slimrt::tools {

namespace {

bool ends_with(const std::string& s, const char* ext) {
  const size_t n = std::strlen(ext);
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(uint8_t(s[s.size() - n + i])) != ext[i]) return false;
  return true;
}

bool is_image(const std::string& p) {
  return ends_with(p, ".pgm") || ends_with(p, ".ppm") || ends_with(p, ".pnm") || ends_with(p, ".png");
}

void note(const std::string& s) { std::fprintf(stderr, "slimrt-run: note: %s\n", s.c_str()); }

// Raw samples from a file: frames × channels interleaved, the rate when the file says.
struct Signal {
  int channels = 0;
  int64_t frames = 0;
  double rate = 0;
  std::vector<float> x;
};

// mix: several WAV channels are mixed down here for a mono model; else they are kept
// (the stream mixes them).
Signal read_signal(const std::string& path, const RawOptions& o, int want_channels, bool mix = true) {
  Signal s;
  if (ends_with(path, ".wav")) {
    Audio a = read_wav(path);
    if (a.truncated) note(path + ": the data chunk runs past the end of the file; read its " + std::to_string(a.frames) + " whole frames");
    s.rate = a.rate;
    if (!mix && want_channels == 1 && a.channels > 1) want_channels = a.channels;
    if (mix && want_channels == 1 && a.channels > 1) {
      note(path + ": " + std::to_string(a.channels) + " channels mixed down to mono");
      s.x.resize(size_t(a.frames));
      frontend::mix_to_mono(a.samples.data(), a.frames, a.channels, s.x.data());  // the workbench's mix
      s.channels = 1;
    } else {
      s.x = std::move(a.samples);
      s.channels = a.channels;
    }
    s.frames = a.frames;
  } else if (ends_with(path, ".csv") || ends_with(path, ".txt")) {
    Table t = select_columns(read_csv(path), path, o.columns);
    s.channels = t.cols;
    s.frames = t.rows;
    s.x = std::move(t.values);
  } else {
    const std::string bytes = read_file(path);
    const size_t per = size_t(want_channels) * 4;
    if (bytes.empty() || bytes.size() % per != 0)
      throw Error(path + ": " + std::to_string(bytes.size()) + " bytes is not a whole number of " +
                  std::to_string(want_channels) + "-channel float32 frames");
    s.channels = want_channels;
    s.frames = int64_t(bytes.size() / per);
    s.x.resize(bytes.size() / 4);
    std::memcpy(s.x.data(), bytes.data(), bytes.size());
    for (size_t i = 0; i < s.x.size(); ++i)
      if (!std::isfinite(s.x[i])) throw Error(path + ": byte " + std::to_string(i * 4) + ": NaN or infinite sample");
  }
  if (s.channels != want_channels)
    throw Error(path + ": " + std::to_string(s.channels) + " channels (columns), the model's front end takes " +
                std::to_string(want_channels) + (ends_with(path, ".csv") ? " (pick them with --columns)" : ""));
  return s;
}

std::string hz(double r) { return std::to_string(int64_t(std::lround(r))); }

// A recording at another rate than the model's: mono audio is resampled with the front
// end's band-limited resampler (the workbench's), noted; refused for several channels,
// more than 16× upsampling or a bad rate, naming both rates.
void conform_rate(const std::string& path, Signal& s, double model_rate) {
  if (s.rate <= 0 || model_rate <= 0 || std::fabs(s.rate - model_rate) <= 1e-6 * model_rate) return;
  if (s.channels != 1)
    throw Error(path + ": recorded at " + hz(s.rate) + " Hz, the model's front end takes " + hz(model_rate) +
                " Hz (slimrt resamples mono audio only; resample the " + std::to_string(s.channels) +
                "-channel file first)");
  try {
    frontend::check_audio_rates(s.rate, model_rate);
    std::vector<float> y(size_t(frontend::resample_frames(s.frames, s.rate, model_rate)));
    frontend::resample(s.x.data(), s.frames, s.rate, model_rate, y.data());
    note(path + ": resampled from " + hz(s.rate) + " Hz to the model's " + hz(model_rate) + " Hz (" +
         std::to_string(s.frames) + " → " + std::to_string(y.size()) + " samples, band-limited as the workbench)");
    s.x = std::move(y);
    s.frames = int64_t(s.x.size());
    s.rate = model_rate;
  } catch (const std::invalid_argument& e) {
    throw Error(path + ": recorded at " + hz(s.rate) + " Hz, the model's front end takes " + hz(model_rate) +
                " Hz: " + e.what());
  }
}

// An image as the op's input [H, W, C] (pixel values 0..255); another size or channel
// count is converted with the front end's own bilinear resize, and noted.
std::vector<float> image_input(const std::string& path, const std::vector<int64_t>& shape) {
  Image im = read_image(path);
  const int H = int(shape[0]), W = int(shape[1]), C = int(shape[2]);
  std::vector<float> x(size_t(H) * W * C);
  if (im.width == W && im.height == H && im.channels == C) {
    std::transform(im.pixels.begin(), im.pixels.end(), x.begin(), [](uint8_t v) { return float(v); });
    return x;
  }
  if (C != 1 && C != 3) throw Error(path + ": the model takes " + std::to_string(C) + "-channel images");
  note(path + ": " + std::to_string(im.width) + "×" + std::to_string(im.height) + "×" + std::to_string(im.channels) +
       " converted to the model's " + std::to_string(W) + "×" + std::to_string(H) + "×" + std::to_string(C) +
       " (bilinear, before the model's own resize)");
  frontend::ImageOptions io;
  io.src_width = im.width, io.src_height = im.height, io.src_channels = im.channels;
  io.channels = C, io.width = W, io.height = H;
  const frontend::ImagePlan plan = frontend::prepare_image(io);
  std::vector<float> chw(x.size());
  frontend::image_features(plan, im.pixels.data(), chw.data());
  for (int c = 0; c < C; ++c)
    for (int i = 0; i < H * W; ++i) x[size_t(i) * C + c] = std::nearbyint(chw[size_t(c) * H * W + i] * 255.0f);
  return x;
}

std::vector<float> softmax_if_logits(const Model& m, std::vector<float> y) {
  if (!m.ops().empty() && m.ops().back().type == OpType::Softmax) return y;
  const float mx = *std::max_element(y.begin(), y.end());
  double sum = 0;
  for (float& v : y) sum += (v = std::exp(v - mx));
  for (float& v : y) v = float(v / sum);
  return y;
}

void print_top(const Model& m, const std::vector<float>& p, int top) {
  std::vector<size_t> order(p.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
  const auto& names = m.metadata().class_names;
  for (size_t r = 0; r < order.size() && int(r) < top; ++r) {
    const size_t i = order[r];
    std::printf("class %s %.6f\n", i < names.size() ? names[i].c_str() : std::to_string(i).c_str(), double(p[i]));
  }
}

}  // namespace

const OpDesc* front_end_op(const Model& m) {
  if (m.ops().empty() || m.inputs().size() != 1) return nullptr;
  const OpDesc& op = m.ops()[0];
  const bool fe = op.type == OpType::AudioFeatures || op.type == OpType::DeepSenseFeatures ||
                  op.type == OpType::Resample || op.type == OpType::ImageResize;
  return fe && op.inputs[0] == m.inputs()[0] ? &op : nullptr;
}

void write_f32(const std::string& path, const float* data, size_t count) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data), std::streamsize(count * sizeof(float)));
  if (!f) throw Error(path + ": cannot write");
}

size_t resolve_point(const std::vector<std::string>& names, const std::string& point) {
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == point) return i;
    list += (i ? ", " : "") + names[i];
  }
  char* end = nullptr;
  const unsigned long i = std::strtoul(point.c_str(), &end, 10);
  if (!point.empty() && *end == '\0' && i < names.size()) return size_t(i);
  throw Error("--point: no operating point '" + point + "' (the model has " + std::to_string(names.size()) + ": " + list + ")");
}

std::vector<std::string> point_names(const Model& m) {
  std::vector<std::string> out;
  for (const auto& p : m.operating_points()) out.push_back(p.name);
  return out;
}

namespace {
// run --raw: the network without its front end, on float32 features from `input`.
int run_past_front_end(const std::shared_ptr<const Model>& m, const std::string& input, const RawOptions& o) {
  const std::vector<uint8_t> bytes = frontend::detach_front_end(*m);
  const auto net = Model::from_memory(bytes.data(), bytes.size());
  InterpreterOptions io;
  io.isa = o.isa;
  Interpreter in(net, io);
  const std::string data = read_file(input);
  const size_t need = size_t(in.input(0).numel);
  if (data.size() != need * 4)
    throw Error(input + ": " + std::to_string(data.size()) + " bytes, the network's input (past the front end) takes " +
                std::to_string(need) + " float32 values");
  std::vector<float> x(need), y(size_t(in.output(0).numel));
  std::memcpy(x.data(), data.data(), data.size());
  in.set_input(0, x.data(), x.size());
  in.invoke();
  in.get_output(0, y.data(), y.size());
  if (!o.output.empty()) write_f32(o.output, y.data(), y.size());
  print_top(*m, softmax_if_logits(*m, y), o.top);
  return 0;
}
}  // namespace

int run_raw(const std::shared_ptr<const Model>& m, const std::string& path, const std::string& input,
            const RawOptions& o) {
  if (o.raw) return run_past_front_end(m, input, o);
  const OpDesc& op = *front_end_op(*m);
  InterpreterOptions io;
  io.isa = o.isa;
  Interpreter in(m, io);
  if (!o.point.empty()) in.set_operating_point(resolve_point(point_names(*m), o.point));
  const auto& shape = in.input(0).shape;
  std::vector<float> y(size_t(in.output(0).numel)), sum(y.size(), 0.0f);
  int64_t windows = 0;
  auto infer = [&](const float* x) {
    in.set_input(0, x, size_t(in.input(0).numel));
    in.invoke();
    in.get_output(0, y.data(), y.size());
    for (size_t i = 0; i < y.size(); ++i) sum[i] += y[i];
    ++windows;
  };
  if (op.type == OpType::ImageResize) {
    if (!is_image(input)) throw Error(input + ": the model takes an image (.pgm, .ppm" + (have_png() ? ", .png" : "") + ")");
    infer(image_input(input, shape).data());
  } else if (op.type == OpType::AudioFeatures) {
    Signal s = read_signal(input, o, 1);
    conform_rate(input, s, op.frontend.sample_rate);
    const int64_t n = shape[0];
    std::vector<float> clip(size_t(n), 0.0f);  // the workbench's rule: centre crop, zero pad at the end
    const int64_t from = s.frames > n ? (s.frames - n) / 2 : 0;
    std::copy(s.x.begin() + from, s.x.begin() + from + std::min(n, s.frames), clip.begin());
    if (s.frames != n) note(input + ": " + std::to_string(s.frames) + " samples " + (s.frames > n ? "centre-cropped" : "zero-padded") + " to the model's " + std::to_string(n));
    infer(clip.data());
  } else {  // DeepSenseFeatures, Resample: [W, C] windows
    const int64_t W = shape[0];
    Signal s = read_signal(input, o, int(shape[1]));
    conform_rate(input, s, op.frontend.sample_rate);
    if (s.frames < W) throw Error(input + ": " + std::to_string(s.frames) + " rows, one window is " + std::to_string(W));
    const int64_t hop = op.frontend.stream_hop > 0 ? op.frontend.stream_hop : W;
    for (int64_t start = 0; start + W <= s.frames; start += hop) infer(s.x.data() + start * s.channels);
    if (windows > 1) note(input + ": " + std::to_string(windows) + " windows (hop " + std::to_string(hop) + "), outputs averaged; per window: slimrt-run stream");
  }
  for (float& v : sum) v /= float(windows);
  if (!o.output.empty()) write_f32(o.output, sum.data(), sum.size());
  print_top(*m, softmax_if_logits(*m, sum), o.top);
  return 0;
}

namespace {
struct StreamPrint {
  const slimrt_model* model;
  auto name(int c) const {
    const char* n = slimrt_model_class_name(model, c);
    return n ? std::string(n) : std::to_string(c);
  }
};
void print_decision(const slimrt_decision* d, void* user) {
  const auto* p = static_cast<const StreamPrint*>(user);
  std::printf("%.3f\t%lld\t%s\t%.4f\t%s\t%.4f\n", d->end_s, (long long)d->window, p->name(d->cls).c_str(),
              double(d->score), p->name(d->smoothed_cls).c_str(), double(d->smoothed_score));
}
}  // namespace

int stream_raw(const std::string& path, const std::string& input, const RawOptions& o) {
  slimrt_frontend_register();
  slimrt_model* m = nullptr;
  if (slimrt_model_load_file_ex(path.c_str(), o.load_flags, &m) != SLIMRT_OK) throw Error(slimrt_last_error());
  std::unique_ptr<slimrt_model, void (*)(slimrt_model*)> model(m, slimrt_model_free);
  slimrt_stream_options so;
  slimrt_stream_options_init(&so);
  so.hop = o.hop;
  so.smooth_window = o.smooth;
  so.smooth_mode = o.smooth_mode;
  so.isa = o.isa.empty() ? nullptr : o.isa.c_str();
  std::unique_ptr<slimrt_stream, void (*)(slimrt_stream*)> stream(nullptr, slimrt_stream_free);
  auto open = [&](const std::string& who) {
    slimrt_stream* s = nullptr;
    if (slimrt_stream_open(m, &so, &s) != SLIMRT_OK) throw Error(who + ": " + slimrt_last_error());
    stream.reset(s);
  };
  open(path);  // the model's rate and channels, the options checked before the input is read
  const int channels = slimrt_stream_channels(stream.get());
  const double rate = slimrt_stream_sample_rate(stream.get());
  Signal sig = read_signal(input, o, channels, /*mix=*/false);
  // Another rate or channel count: converted inside the stream, as the samples arrive.
  const double in_rate = o.rate > 0 ? o.rate : sig.rate;
  const bool resample = in_rate > 0 && rate > 0 && in_rate != rate;
  if (resample || sig.channels != channels) {
    so.input_rate = resample ? in_rate : 0;
    so.input_channels = sig.channels;
    open(input);  // the message names input_rate / input_channels and the model's
    if (sig.channels != channels) note(input + ": " + std::to_string(sig.channels) + " channels mixed down to mono");
  }
  slimrt_stream* s = stream.get();
  if (!o.point.empty()) {
    std::vector<std::string> names;
    slimrt_point_info info;
    for (int i = 0; i < slimrt_model_num_points(m); ++i)
      if (slimrt_model_point_info(m, i, &info) == SLIMRT_OK) names.emplace_back(info.name);
    if (slimrt_stream_set_point(s, int(resolve_point(names, o.point))) != SLIMRT_OK) throw Error(slimrt_last_error());
  }
  std::printf("# window %lld frames, hop %lld, smoothing %s over %d; columns: end_s window class score smoothed score\n",
              (long long)slimrt_stream_window(s), (long long)slimrt_stream_hop(s),
              slimrt_stream_smooth_mode(s) == SLIMRT_SMOOTH_MEAN ? "mean" : "vote", slimrt_stream_smooth_window(s));
  StreamPrint pr{m};
  const int64_t chunk = o.chunk > 0 ? o.chunk : slimrt_stream_hop(s);
  for (int64_t f = 0; f < sig.frames; f += chunk) {
    const int64_t n = std::min(chunk, sig.frames - f);
    if (slimrt_stream_push(s, sig.x.data() + f * sig.channels, size_t(n), print_decision, &pr) != SLIMRT_OK)
      throw Error(input + ": " + slimrt_last_error());
  }
  if (slimrt_stream_finish(s, print_decision, &pr) != SLIMRT_OK) throw Error(input + ": " + slimrt_last_error());
  const int64_t frames = slimrt_stream_frames(s);
  if (resample)
    note(input + ": resampled from " + hz(in_rate) + " Hz to the model's " + hz(rate) + " Hz (" +
         std::to_string(sig.frames) + " → " + std::to_string(frames) + " samples, inside the stream, as the workbench)");
  if (frames < slimrt_stream_window(s))
    note(input + ": " + std::to_string(frames) + " frames, shorter than one window: no decision");
  return 0;
}

void describe_front_end(const Model& m) {
  const OpDesc* op = front_end_op(m);
  if (!op) return;
  const FrontEndParams& p = op->frontend;
  const auto& x = m.tensors()[size_t(op->inputs[0])];
  std::printf("front end    %s: input %s", op_name(op->type), x.shape.size() > 1 ? "[frames, channels]" : "[samples]");
  for (int64_t d : x.shape) std::printf(" %lld", (long long)d);
  if (op->type == OpType::AudioFeatures)
    std::printf(", %.0f Hz, n_fft %d, window %d, hop %d, %d mel bands%s", p.sample_rate, p.n_fft, p.win_length,
                p.hop_length, p.n_mels, p.n_mfcc ? (", " + std::to_string(p.n_mfcc) + " MFCC").c_str() : "");
  if (op->type == OpType::DeepSenseFeatures)
    std::printf(", %d intervals, %d bins, %d axes per sensor", p.intervals, p.fft_bins, p.axes_per_sensor);
  if (op->type == OpType::Resample) std::printf(", %.6g → %.6g Hz", p.sample_rate, p.target_rate);
  std::printf("\n");
  for (const OpDesc& o : m.ops())
    if (o.type == OpType::Normalize)
      std::printf("normalise    '%s': %lld mean/std values along axis %d\n", o.name.c_str(),
                  (long long)m.tensors()[size_t(o.inputs[1])].numel, o.axis);
  if (op->type != OpType::ImageResize)
    std::printf("stream       hop %lld frames (0: one window), smoothing %s over %d decisions\n", (long long)p.stream_hop,
                p.smooth_mode == 1 ? "mean" : "vote", p.smooth_window);
}

}  // namespace slimrt::tools
