#include "datasets/synthetic_vision.h"
#include "datasets/seeding.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace slimlab::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

// ---------------------------------------------------------------- randomness
// std:: distributions differ between standard libraries; the engine's output
// does not, so draws are made from it directly.

class Draw {
 public:
  Draw(uint64_t seed, uint64_t a, uint64_t b) : eng_(splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b)) {}
  double uniform() { return double(eng_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int below(int n) { return std::min(n - 1, int(uniform() * n)); }
  // Box–Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    const double t = 2.0 * kPi * uniform();
    spare_ = r * std::sin(t);
    has_spare_ = true;
    return r * std::cos(t);
  }
  // A cheap near-normal draw for pixel noise: the sum of four 16-bit uniforms
  // from one engine output (Irwin–Hall, n = 4), rescaled to mean 0, variance 1.
  float pixel_noise() {
    const uint64_t r = eng_();
    const uint64_t sum = (r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48);
    return (float(sum) * (1.0f / 65536.0f) - 2.0f) * 1.7320508f;  // × √3 = 1 / √(4/12)
  }

 private:
  std::mt19937_64 eng_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// ------------------------------------------------------------------ geometry
struct Vec2 {
  double x, y;
};
Vec2 operator+(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
Vec2 operator-(Vec2 a, Vec2 b) { return {a.x - b.x, a.y - b.y}; }
Vec2 operator*(double s, Vec2 a) { return {s * a.x, s * a.y}; }

// A glyph in canonical coordinates, roughly within the unit disc.
struct Glyph {
  std::vector<std::vector<Vec2>> strokes;  // open polylines (close one by repeating its first point)
  std::vector<std::vector<Vec2>> fills;    // closed polygons
};

std::vector<Vec2> circle(double r, int n) {
  std::vector<Vec2> p;
  for (int i = 0; i <= n; ++i) p.push_back({r * std::cos(2 * kPi * i / n), r * std::sin(2 * kPi * i / n)});
  return p;
}

const std::vector<std::string>& shape_names() {
  static const std::vector<std::string> names = {"disc", "ring",     "square", "triangle", "cross", "plus",
                                                 "h-bars", "v-bars", "diagonal", "arrow", "star", "zigzag"};
  return names;
}

// The shape of class c, with a little structural variation of its own.
Glyph make_glyph(int c, Draw& d) {
  Glyph g;
  switch (c) {
    case 0: {  // disc
      auto p = circle(d.uniform(0.55, 0.85), 24);
      p.pop_back();
      g.fills.push_back(p);
      break;
    }
    case 1:  // ring
      g.strokes.push_back(circle(d.uniform(0.6, 0.9), 28));
      break;
    case 2: {  // square outline
      const double h = d.uniform(0.55, 0.8);
      g.strokes.push_back({{-h, -h}, {h, -h}, {h, h}, {-h, h}, {-h, -h}});
      break;
    }
    case 3: {  // filled triangle, apex up
      const double w = d.uniform(0.6, 0.9), top = d.uniform(0.7, 0.9), base = d.uniform(0.5, 0.75);
      g.fills.push_back({{d.uniform(-0.15, 0.15), -top}, {w, base}, {-w, base}});
      break;
    }
    case 4: {  // cross (X)
      const double a = d.uniform(0.55, 0.8);
      g.strokes.push_back({{-a, -a}, {a, a}});
      g.strokes.push_back({{-a, a}, {a, -a}});
      break;
    }
    case 5: {  // plus
      const double a = d.uniform(0.65, 0.9), b = d.uniform(0.65, 0.9);
      g.strokes.push_back({{0, -a}, {0, a}});
      g.strokes.push_back({{-b, 0}, {b, 0}});
      break;
    }
    case 6:
    case 7: {  // horizontal / vertical bars: 2 or 3 parallel strokes
      const int n = 2 + d.below(2);
      const double half = d.uniform(0.5, 0.75), len = d.uniform(0.6, 0.9);
      for (int i = 0; i < n; ++i) {
        const double o = -half + 2 * half * i / (n - 1);
        if (c == 6)
          g.strokes.push_back({{-len, o}, {len, o}});
        else
          g.strokes.push_back({{o, -len}, {o, len}});
      }
      break;
    }
    case 8: {  // diagonal stripes "///", clipped to the unit disc
      const int n = 2 + d.below(2);
      const double half = d.uniform(0.35, 0.55), r = 0.9;
      const Vec2 along{std::sqrt(0.5), -std::sqrt(0.5)}, across{std::sqrt(0.5), std::sqrt(0.5)};
      for (int i = 0; i < n; ++i) {
        const double o = -half + 2 * half * i / (n - 1);
        const double l = std::sqrt(r * r - o * o);
        g.strokes.push_back({o * across - l * along, o * across + l * along});
      }
      break;
    }
    case 9: {  // arrow pointing right
      const double len = d.uniform(0.7, 0.9), head = d.uniform(0.3, 0.5), spread = d.uniform(0.35, 0.6);
      g.strokes.push_back({{-len, 0}, {len, 0}});
      g.strokes.push_back({{len - head, -spread}, {len, 0}, {len - head, spread}});
      break;
    }
    case 10: {  // five-pointed star outline
      const double ro = d.uniform(0.75, 0.95), ri = ro * d.uniform(0.35, 0.5);
      std::vector<Vec2> p;
      for (int i = 0; i <= 10; ++i) {
        const double r = i % 2 ? ri : ro, t = -kPi / 2 + kPi * i / 5;
        p.push_back({r * std::cos(t), r * std::sin(t)});
      }
      g.strokes.push_back(p);
      break;
    }
    default: {  // zigzag: a W of 3 or 4 teeth
      const int teeth = 3 + d.below(2);
      const double w = d.uniform(0.7, 0.9), h = d.uniform(0.35, 0.6);
      std::vector<Vec2> p;
      for (int i = 0; i <= teeth; ++i) p.push_back({-w + 2 * w * i / teeth, i % 2 ? h : -h});
      g.strokes.push_back(p);
      break;
    }
  }
  return g;
}

// Splits every edge so the warp below bends straight lines.
std::vector<Vec2> subdivide(const std::vector<Vec2>& p, bool closed, double max_len) {
  std::vector<Vec2> out;
  const size_t edges = closed ? p.size() : p.size() - 1;
  for (size_t i = 0; i < edges; ++i) {
    const Vec2 a = p[i], b = p[(i + 1) % p.size()];
    const int n = std::max(1, int(std::ceil(std::hypot(b.x - a.x, b.y - a.y) / max_len)));
    for (int k = 0; k < n; ++k) out.push_back(a + (double(k) / n) * (b - a));
  }
  if (!closed) out.push_back(p.back());
  return out;
}

// ------------------------------------------------------------------- styles
struct WriterStyle {
  double stroke, slant, tilt, aspect, scale, wobble, intensity, blur, clutter;
};

WriterStyle make_writer(uint64_t seed, int w) {
  Draw d(seed, 0x57A1E5ull, uint64_t(w));
  WriterStyle s;
  s.stroke = d.uniform(0.75, 1.35);
  s.slant = d.uniform(-0.3, 0.3);
  s.tilt = d.uniform(-0.15, 0.15);
  s.aspect = d.uniform(0.8, 1.2);
  s.scale = d.uniform(0.85, 1.1);
  s.wobble = d.uniform(0.02, 0.09);
  s.intensity = d.uniform(0.7, 1.0);
  s.blur = d.uniform(0.0, 0.7);
  s.clutter = d.uniform(0.3, 1.6);  // mean number of distractor strokes
  return s;
}

// ---------------------------------------------------------------- rendering
// Coverage canvas: alpha[y·n + x] in [0, 1], the max over everything drawn.
class Canvas {
 public:
  explicit Canvas(int n) : n_(n), alpha_(size_t(n) * size_t(n), 0.0f) {}
  int size() const { return n_; }
  std::vector<float>& alpha() { return alpha_; }

  // A round-capped segment of half-width hw; anti-aliased over one pixel:
  // coverage = clamp(hw + ½ − distance). Pixel (x, y) has its centre at (x + ½, y + ½).
  void segment(Vec2 a, Vec2 b, double hw, float level) {
    const double pad = hw + 1.0;
    const int x0 = std::max(0, int(std::floor(std::min(a.x, b.x) - pad)));
    const int x1 = std::min(n_ - 1, int(std::ceil(std::max(a.x, b.x) + pad)));
    const int y0 = std::max(0, int(std::floor(std::min(a.y, b.y) - pad)));
    const int y1 = std::min(n_ - 1, int(std::ceil(std::max(a.y, b.y) + pad)));
    const Vec2 ab = b - a;
    const double len2 = std::max(ab.x * ab.x + ab.y * ab.y, 1e-12);
    const double reach2 = (hw + 0.5) * (hw + 0.5);  // beyond this the coverage is 0
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const Vec2 p{x + 0.5 - a.x, y + 0.5 - a.y};
        const double t = std::clamp((p.x * ab.x + p.y * ab.y) / len2, 0.0, 1.0);
        const double ex = p.x - t * ab.x, ey = p.y - t * ab.y, d2 = ex * ex + ey * ey;
        if (d2 >= reach2) continue;
        put(x, y, float(std::min(1.0, hw + 0.5 - std::sqrt(d2))) * level);
      }
  }

  // A filled polygon (even–odd rule), anti-aliased by the distance to its edge.
  void polygon(const std::vector<Vec2>& p, float level) {
    double lx = 1e30, hx = -1e30, ly = 1e30, hy = -1e30;
    for (const Vec2& v : p) {
      lx = std::min(lx, v.x), hx = std::max(hx, v.x);
      ly = std::min(ly, v.y), hy = std::max(hy, v.y);
    }
    const int x0 = std::max(0, int(std::floor(lx - 1))), x1 = std::min(n_ - 1, int(std::ceil(hx + 1)));
    const int y0 = std::max(0, int(std::floor(ly - 1))), y1 = std::min(n_ - 1, int(std::ceil(hy + 1)));
    struct Edge {
      Vec2 a, ab;
      double inv_len2, dx_dy;  // 1/|ab|², and x per unit y for the crossing test
    };
    std::vector<Edge> edges;
    for (size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
      const Vec2 ab = p[i] - p[j];
      edges.push_back({p[j], ab, 1.0 / std::max(ab.x * ab.x + ab.y * ab.y, 1e-12), ab.y != 0 ? ab.x / ab.y : 0.0});
    }
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const Vec2 q{x + 0.5, y + 0.5};
        bool inside = false;
        double dist2 = 1e30;
        for (const Edge& e : edges) {
          const Vec2 aq = q - e.a;
          // Even–odd: does the ray from q towards +x cross this edge?
          if ((aq.y < 0) != (aq.y < e.ab.y) && aq.x < e.dx_dy * aq.y) inside = !inside;
          const double t = std::clamp((aq.x * e.ab.x + aq.y * e.ab.y) * e.inv_len2, 0.0, 1.0);
          const double ex = aq.x - t * e.ab.x, ey = aq.y - t * e.ab.y;
          dist2 = std::min(dist2, ex * ex + ey * ey);
        }
        const double sd = inside ? -std::sqrt(dist2) : std::sqrt(dist2);
        put(x, y, float(std::clamp(0.5 - sd, 0.0, 1.0)) * level);
      }
  }

  // Separable Gaussian blur of standard deviation sigma pixels.
  void blur(double sigma) {
    if (sigma < 0.25) return;
    const int r = int(std::ceil(2.5 * sigma));
    std::vector<float> k(size_t(2 * r + 1));
    float sum = 0;
    for (int i = -r; i <= r; ++i) sum += k[size_t(i + r)] = float(std::exp(-0.5 * i * i / (sigma * sigma)));
    for (float& v : k) v /= sum;
    // Pass 0 filters rows, pass 1 columns; each line is copied out with its
    // edge pixels repeated r times, so the inner loop needs no bounds checks.
    std::vector<float> line(size_t(n_ + 2 * r)), tmp(alpha_.size());
    for (int pass = 0; pass < 2; ++pass) {
      auto at = [&](int l, int i) { return size_t(pass ? i * n_ + l : l * n_ + i); };
      for (int l = 0; l < n_; ++l) {
        for (int i = -r; i < n_ + r; ++i) line[size_t(i + r)] = alpha_[at(l, std::clamp(i, 0, n_ - 1))];
        for (int i = 0; i < n_; ++i) {
          float acc = 0;
          for (int t = 0; t <= 2 * r; ++t) acc += k[size_t(t)] * line[size_t(i + t)];
          tmp[at(l, i)] = acc;
        }
      }
      alpha_.swap(tmp);
    }
  }

 private:
  void put(int x, int y, float v) {
    float& a = alpha_[size_t(y) * size_t(n_) + size_t(x)];
    a = std::max(a, v);
  }
  int n_;
  std::vector<float> alpha_;
};

// A smooth random displacement field: two low-frequency sinusoids per axis.
struct Warp {
  struct Wave {
    double kx, ky, phase, amp;
  };
  Wave wx[2], wy[2];
  Warp(Draw& d, double amp) {
    for (Wave* w : {&wx[0], &wx[1], &wy[0], &wy[1]}) {
      const double f = d.uniform(1.0, 3.0), t = d.uniform(0, 2 * kPi);
      *w = {f * std::cos(t), f * std::sin(t), d.uniform(0, 2 * kPi), amp * d.uniform(0.5, 1.5)};
    }
  }
  Vec2 operator()(Vec2 p) const {
    Vec2 o = p;
    for (const Wave& w : wx) o.x += w.amp * std::sin(w.kx * p.x + w.ky * p.y + w.phase);
    for (const Wave& w : wy) o.y += w.amp * std::sin(w.kx * p.x + w.ky * p.y + w.phase);
    return o;
  }
};

// Canonical → pixel: centre + scale · R(θ) · [[1, slant], [0, 1]] · diag(aspect, 1/aspect).
struct Pose {
  Vec2 centre;
  double scale, theta, slant, aspect;
  Vec2 operator()(Vec2 p) const {
    const double x = p.x * aspect, y = p.y / aspect;
    const double sx = x + slant * y, sy = y;
    const double c = std::cos(theta), s = std::sin(theta);
    return {centre.x + scale * (c * sx - s * sy), centre.y + scale * (s * sx + c * sy)};
  }
};

// Draws one sample of class c, in writer w's style, as coverage on cv.
void draw_sample(int c, const WriterStyle& w, Draw& d, Canvas& cv) {
  const int n = cv.size();
  const Glyph g = make_glyph(c, d);
  const Warp warp(d, w.wobble);
  Pose pose;
  pose.scale = 0.5 * n * w.scale * d.uniform(0.62, 0.92);
  pose.theta = w.tilt + d.uniform(-0.3, 0.3);
  pose.slant = w.slant + 0.08 * d.normal();
  pose.aspect = w.aspect * std::exp(0.08 * d.normal());
  // Shift so that a glyph of radius ~0.9 mostly stays inside the frame.
  const double room = std::max(0.0, 0.5 * n - 0.85 * pose.scale);
  pose.centre = {0.5 * n + 0.5 * room * d.uniform(-1, 1), 0.5 * n + 0.5 * room * d.uniform(-1, 1)};
  const double hw = std::max(0.45, n * 0.042 * w.stroke * d.uniform(0.8, 1.25));
  const float ink = float(std::clamp(w.intensity * d.uniform(0.85, 1.1), 0.0, 1.0));

  auto to_pixels = [&](const std::vector<Vec2>& p, bool closed) {
    std::vector<Vec2> q = subdivide(p, closed, 0.2);
    for (Vec2& v : q) v = pose(warp(v));
    return q;
  };
  for (const auto& f : g.fills) cv.polygon(to_pixels(f, true), ink);
  for (const auto& s : g.strokes) {
    const auto q = to_pixels(s, false);
    for (size_t i = 0; i + 1 < q.size(); ++i) cv.segment(q[i], q[i + 1], hw, ink);
  }

  // Distractors: short straight or bent strokes anywhere in the frame.
  const double lambda = w.clutter;
  int count = 0;
  for (double p = std::exp(-lambda), u = d.uniform(), cdf = p; u > cdf && count < 4;)  // Poisson(λ), capped
    p *= lambda / ++count, cdf += p;
  for (int k = 0; k < count; ++k) {
    Vec2 a{d.uniform(0, n), d.uniform(0, n)};
    const double len = n * d.uniform(0.12, 0.35), t = d.uniform(0, 2 * kPi);
    Vec2 b = a + len * Vec2{std::cos(t), std::sin(t)};
    const float level = ink * float(d.uniform(0.4, 1.0));
    const double whw = hw * d.uniform(0.5, 1.0);
    cv.segment(a, b, whw, level);
    if (d.uniform() < 0.4) {  // bend it
      const double t2 = t + d.uniform(-2.0, 2.0);
      cv.segment(b, b + 0.6 * len * Vec2{std::cos(t2), std::sin(t2)}, whw, level);
    }
  }
  cv.blur(w.blur + d.uniform(0.0, 0.5));
}

void write_grey(Canvas& cv, Draw& d, float* out) {
  const float bg = float(d.uniform(0.0, 0.15)), noise = float(d.uniform(0.02, 0.1));
  const auto& a = cv.alpha();
  for (size_t i = 0; i < a.size(); ++i)
    out[i] = std::clamp(bg + (1.0f - bg) * a[i] + noise * d.pixel_noise(), 0.0f, 1.0f);
}

// RGB: a background gradient and a foreground colour drawn independently of
// the class, at least 0.3 apart in luminance; the ink is the lighter of the two
// in three samples out of four.
void write_rgb(Canvas& cv, Draw& d, float* out) {
  auto luma = [](const double* c) { return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]; };
  double fg[3] = {1, 1, 1}, bg0[3] = {0, 0, 0}, bg1[3];
  for (int tries = 0; tries < 100; ++tries) {  // ~40 % of pairs pass; the fallback is white on black
    double a[3], b[3];
    for (int c = 0; c < 3; ++c) a[c] = d.uniform(), b[c] = d.uniform();
    if (std::abs(luma(a) - luma(b)) < 0.3) continue;
    const bool a_lighter = luma(a) > luma(b), light_ink = d.uniform() < 0.75;
    std::copy(a, a + 3, a_lighter == light_ink ? fg : bg0);
    std::copy(b, b + 3, a_lighter == light_ink ? bg0 : fg);
    break;
  }
  for (int c = 0; c < 3; ++c) bg1[c] = std::clamp(bg0[c] + d.uniform(-0.15, 0.15), 0.0, 1.0);
  const double t = d.uniform(0, 2 * kPi), gx = std::cos(t), gy = std::sin(t);
  const float noise = float(d.uniform(0.02, 0.08));
  const int n = cv.size();
  const size_t plane = size_t(n) * size_t(n);
  const auto& a = cv.alpha();
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const double s = 0.5 + 0.5 * (gx * (2.0 * x / n - 1) + gy * (2.0 * y / n - 1)) / std::sqrt(2.0);
      const size_t i = size_t(y) * size_t(n) + size_t(x);
      for (int c = 0; c < 3; ++c) {
        const double bg = bg0[c] + (bg1[c] - bg0[c]) * s;
        const double v = bg + (fg[c] - bg) * a[i] + noise * d.pixel_noise();
        out[size_t(c) * plane + i] = float(std::clamp(v, 0.0, 1.0));
      }
    }
}

}  // namespace

const std::vector<std::string>& synthetic_vision_class_names() { return shape_names(); }

ArraySet make_synthetic_vision(const SyntheticVisionOptions& opt) {
  const int max_classes = int(shape_names().size());
  if (opt.image_size < 8 || opt.image_size > 512)
    throw std::invalid_argument("synthetic vision: image_size must be 8..512, not " + std::to_string(opt.image_size));
  if (opt.channels != 1 && opt.channels != 3)
    throw std::invalid_argument("synthetic vision: channels must be 1 or 3, not " + std::to_string(opt.channels));
  if (opt.num_classes < 2 || opt.num_classes > max_classes)
    throw std::invalid_argument("synthetic vision: num_classes must be 2.." + std::to_string(max_classes) +
                                ", not " + std::to_string(opt.num_classes));
  if (opt.samples_per_class < 1)
    throw std::invalid_argument("synthetic vision: samples_per_class must be at least 1");
  if (opt.num_writers < 1 || opt.num_writers > 10000)
    throw std::invalid_argument("synthetic vision: num_writers must be 1..10000");
  const double floats =
      double(opt.num_classes) * opt.samples_per_class * opt.channels * opt.image_size * opt.image_size;
  if (floats > 4e9)
    throw std::invalid_argument("synthetic vision: " + std::to_string(opt.samples_per_class) +
                                " samples per class would need over 16 GB");

  ArraySet out;
  out.modality = Modality::kVision;
  out.sample_shape = {opt.channels, opt.image_size, opt.image_size};
  out.class_names.assign(shape_names().begin(), shape_names().begin() + opt.num_classes);
  const int digits = opt.num_writers > 100 ? int(std::to_string(opt.num_writers - 1).size()) : 2;
  std::vector<WriterStyle> writers;
  for (int w = 0; w < opt.num_writers; ++w) {
    std::string id = std::to_string(w);
    out.group_names.push_back("w" + std::string(size_t(std::max(0, digits - int(id.size()))), '0') + id);
    writers.push_back(make_writer(opt.seed, w));
  }

  const size_t total = size_t(opt.num_classes) * size_t(opt.samples_per_class);
  const size_t numel = size_t(out.sample_numel());
  out.values.resize(total * numel);
  out.labels.resize(total);
  out.groups.resize(total);
  for (int k = 0; k < opt.samples_per_class; ++k)
    for (int c = 0; c < opt.num_classes; ++c) {
      const size_t i = size_t(k) * size_t(opt.num_classes) + size_t(c);
      const int w = k % opt.num_writers;
      Draw d(opt.seed, uint64_t(c) + 1, uint64_t(k));
      Canvas cv(opt.image_size);
      draw_sample(c, writers[size_t(w)], d, cv);
      if (opt.channels == 1)
        write_grey(cv, d, out.sample(i));
      else
        write_rgb(cv, d, out.sample(i));
      out.labels[i] = c;
      out.groups[i] = w;
    }
  return out;
}

}  // namespace slimlab::data
