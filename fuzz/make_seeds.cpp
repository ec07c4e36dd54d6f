// fuzz_make_seeds <shared-datasets-dir> <corpus-dir>: writes the seed corpora of
// the fuzz targets (fuzz/corpus/<target>/). Real data: a few MNIST images and labels
// (raw and gzip), FSDD clips, HMP trials cut to their first lines. Files the
// project writes: .slim models from the exporter, model.h5, results.h5 and a stage
// record. Formats with no sample in ../shared/datasets (CIFAR-10, UCI HAR, WISDM,
// HHAR, PNG/JPEG) get small files written to their published layout. The TOML
// corpus is experiments/*.toml (tools/fuzz.sh copies it). Kept small: the whole
// corpus stays well under 2 MB.
#include <stb/stb_image_write.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "datasets/wav.h"
#include "deploy/export/exporter.h"
#include "experiments/results.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/hostile_files.h"
#include "train/graph_io.h"

namespace fs = std::filesystem;
using slimlab::fuzz::kFileSeparator;
using slimlab::fuzz::write_file;

namespace {

std::string read_gz(const fs::path& p, size_t max_bytes) {
  gzFile f = gzopen(p.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + p.string());
  std::string out(max_bytes, '\0');
  int n = gzread(f, out.data(), unsigned(max_bytes));
  gzclose(f);
  out.resize(n > 0 ? size_t(n) : 0);
  return out;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string gzip_bytes(const std::string& raw) {
  std::string tmp = (fs::temp_directory_path() / "slimlab-seed.gz").string();
  gzFile f = gzopen(tmp.c_str(), "wb1");
  gzwrite(f, raw.data(), unsigned(raw.size()));
  gzclose(f);
  std::string out = read_all(tmp);
  fs::remove(tmp);
  return out;
}

// The harnesses' leading option byte.
std::string tag(int c) { return std::string(1, char(c)); }

void be32(std::string& s, uint32_t v) {
  for (int b = 3; b >= 0; --b) s.push_back(char((v >> (8 * b)) & 0xff));
}

// MNIST: the first `n` images and labels of the real t10k files, with their sizes.
void idx_seeds(const fs::path& mnist, const fs::path& out) {
  for (int n : {1, 3}) {
    std::string img = read_gz(mnist / "t10k-images-idx3-ubyte.gz", 16 + 784 * size_t(n));
    std::string lab = read_gz(mnist / "t10k-labels-idx1-ubyte.gz", 8 + size_t(n));
    img.replace(4, 4, [&] { std::string s; be32(s, uint32_t(n)); return s; }());
    lab.replace(4, 4, [&] { std::string s; be32(s, uint32_t(n)); return s; }());
    write_file(out / ("raw-" + std::to_string(n)), tag(0) + img + std::string(kFileSeparator) + lab);
    // The first byte is odd: the harness gzips the images; the second seed is gzip already.
    write_file(out / ("gzip-" + std::to_string(n)), tag(1) + img + std::string(kFileSeparator) + lab);
    write_file(out / ("gzfile-" + std::to_string(n)),
               tag(0) + gzip_bytes(img) + std::string(kFileSeparator) + gzip_bytes(lab));
  }
}

void wav_seeds(const fs::path& fsdd, const fs::path& out) {
  for (const char* name : {"0_george_0.wav", "7_jackson_3.wav"}) write_file(out / name, read_all(fsdd / name));
  // Stereo at 16 kHz: the folder loader mixes and resamples it.
  std::vector<float> stereo;
  for (int i = 0; i < 400; ++i) {
    stereo.push_back(0.5f * float(std::sin(0.05 * i)));
    stereo.push_back(0.25f * float(std::cos(0.11 * i)));
  }
  slimlab::data::write_wav_pcm16(out / "stereo16k.wav", stereo, 2, 16000);
}

void hmp_seeds(const fs::path& hmp, const fs::path& out) {
  int k = 0;
  std::string both;
  for (const char* cls : {"Walk", "Sitdown_chair"}) {
    fs::path first;
    for (const auto& e : fs::directory_iterator(hmp / cls))
      if (first.empty() || e.path() < first) first = e.path();
    std::ifstream in(first);
    std::string line, text;
    for (int i = 0; i < 48 && std::getline(in, line); ++i) text += line + "\n";
    write_file(out / ("trial-" + std::to_string(k++)), text);
    both += (both.empty() ? "" : std::string(kFileSeparator)) + text;
  }
  write_file(out / "two-classes", both);
}

void cifar_seeds(const fs::path& out) {
  std::string batch;
  for (int r = 0; r < 3; ++r) {
    batch.push_back(char(r * 4));
    for (int i = 0; i < 3072; ++i) batch.push_back(char((i * 7 + r * 31) & 0xff));
  }
  write_file(out / "three-records", batch);
  write_file(out / "with-meta", batch + std::string(kFileSeparator) +
                                    "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
}

void image_seeds(const fs::path& out) {
  const int w = 6, h = 5;
  std::vector<unsigned char> rgb(w * h * 3), grey(w * h);
  for (int i = 0; i < w * h * 3; ++i) rgb[i] = (unsigned char)(i * 13);
  for (int i = 0; i < w * h; ++i) grey[i] = (unsigned char)(i * 9);
  auto sink = [](void* ctx, void* data, int size) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size_t(size));
  };
  std::string png, jpg, png_grey;
  stbi_write_png_to_func(sink, &png, w, h, 3, rgb.data(), w * 3);
  stbi_write_jpg_to_func(sink, &jpg, w, h, 3, rgb.data(), 90);
  stbi_write_png_to_func(sink, &png_grey, w, h, 1, grey.data(), w);
  write_file(out / "png", tag(0) + png);
  write_file(out / "jpg", tag(6) + jpg);
  write_file(out / "png-jpg-resized", tag(1) + png_grey + std::string(kFileSeparator) + jpg);
}

void har_text_seeds(const fs::path& out) {
  std::ostringstream labels, y, subj, signal;
  labels << "1 WALKING\n2 WALKING_UPSTAIRS\n3 SITTING\n";
  y << "1\n3\n";
  subj << "2\n4\n";
  for (int w = 0; w < 2; ++w) {
    for (int i = 0; i < 128; ++i) signal << (i ? " " : " ") << std::scientific << 0.01 * (i - 64 + w) << "e+00";
    signal << "\n";
  }
  std::string uci = labels.str() + std::string(kFileSeparator) + y.str() + std::string(kFileSeparator) + subj.str();
  for (int s = 0; s < 9; ++s) uci += std::string(kFileSeparator) + signal.str();
  write_file(out / "uci_har" / "two-windows", uci);

  std::ostringstream wisdm;
  for (int i = 0; i < 24; ++i)
    wisdm << (i < 12 ? 33 : 17) << "," << (i < 12 ? "Jogging" : "Walking") << "," << 49105962326000 + i * 50000000LL
          << "," << -0.6946377 + 0.1 * i << "," << 12.680544 << "," << 0.50395286 << ";\n";
  wisdm << "17,Walking,0,1.0,2.0,3.0,\n17,Sitting,49106112167000,0.5,9.8,0.1;17,Sitting,49106162167000,0.6,9.7,0.2;\n";
  write_file(out / "wisdm" / "records", wisdm.str());

  std::ostringstream hhar;
  hhar << "Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt\n";
  for (int i = 0; i < 30; ++i)
    hhar << i << "," << 1424696633908 + i * 10 << "," << 1424696631913248572LL + i * 10000000LL << ","
         << -5.958191 + 0.01 * i << "," << 0.6880646 << "," << 8.135345 << ",a,nexus4,nexus4_1,"
         << (i < 20 ? "stand" : (i < 25 ? "null" : "walk")) << "\n";
  write_file(out / "hhar" / "rows", tag(0) + hhar.str());
  write_file(out / "hhar" / "gyro", tag(1) + hhar.str());
}

slimlab::ir::Param param(const std::string& name, std::vector<int64_t> shape, std::mt19937& rng) {
  slimlab::ir::Param p;
  p.name = name;
  p.shape = std::move(shape);
  std::normal_distribution<float> d(0.f, 0.3f);
  for (int64_t i = 0; i < p.numel(); ++i) p.data.push_back(d(rng));
  return p;
}

// input [1, 8, 8] → conv 3×3 (4) → ReLU → max-pool 2 → flatten → dense 3.
slimlab::ir::Graph small_cnn() {
  using slimlab::ir::LayerKind;
  std::mt19937 rng(7);
  slimlab::ir::Graph g;
  g.model = "fuzz_seed_cnn";
  g.input_shape = {1, 8, 8};
  g.num_classes = 3;
  auto layer = [](std::string name, LayerKind kind, std::vector<std::string> in, std::vector<int64_t> shape) {
    slimlab::ir::Layer l;
    l.name = std::move(name);
    l.kind = kind;
    l.inputs = std::move(in);
    l.output_shape = std::move(shape);
    return l;
  };
  slimlab::ir::Layer conv = layer("conv1", LayerKind::kConv2d, {"input"}, {4, 6, 6});
  conv.in_features = 1, conv.out_features = 4;
  conv.kernel = {3, 3}, conv.stride = {1, 1}, conv.padding = {0, 0}, conv.dilation = {1, 1};
  conv.params = {param("weight", {4, 1, 3, 3}, rng), param("bias", {4}, rng)};
  slimlab::ir::Layer pool = layer("pool1", LayerKind::kMaxPool2d, {"relu1"}, {4, 3, 3});
  pool.kernel = {2, 2}, pool.stride = {2, 2};
  slimlab::ir::Layer fc = layer("fc", LayerKind::kDense, {"flatten"}, {3});
  fc.in_features = 36, fc.out_features = 3;
  fc.params = {param("weight", {3, 36}, rng), param("bias", {3}, rng)};
  g.layers = {layer("input", LayerKind::kInput, {}, {1, 8, 8}), conv,
              layer("relu1", LayerKind::kRelu, {"conv1"}, {4, 6, 6}), pool,
              layer("flatten", LayerKind::kFlatten, {"pool1"}, {36}), fc};
  return g;
}

void project_file_seeds(const fs::path& out) {
  const slimlab::ir::Graph g = small_cnn();
  slimlab::ir::write_graph_h5(out / "model_h5" / "small_cnn.h5", g);

  std::vector<float> calib(64 * 8);
  for (size_t i = 0; i < calib.size(); ++i) calib[i] = float(std::sin(0.1 * double(i)));
  for (auto p : {slimlab::deploy::ExportPrecision::kFp32, slimlab::deploy::ExportPrecision::kInt8,
                 slimlab::deploy::ExportPrecision::kInt16}) {
    slimlab::deploy::ExportOptions opt;
    opt.precision = p;
    opt.class_names = {"a", "b", "c"};
    opt.calibration = calib.data();
    opt.calibration_samples = 8;
    auto r = slimlab::deploy::export_graph(g, opt);
    write_file(out / "slim" / (std::string("small_cnn-") + slimlab::deploy::to_string(p) + ".slim"),
               std::string(r.bytes.begin(), r.bytes.end()));
  }

  slimlab::exp::RunRecord r;
  r.experiment = "seed";
  r.run_id = "p00";
  r.status = "finished";
  r.model = "fuzz_seed_cnn";
  r.num_classes = 3;
  r.class_names = {"a", "b", "c"};
  r.input_shape = {1, 8, 8};
  r.config_toml = "name = \"seed\"\n";
  for (int e = 1; e <= 2; ++e) {
    slimlab::train::EpochMetrics m;
    m.epoch = e;
    m.train_loss = 1.0 / e;
    r.result.epochs.push_back(m);
  }
  r.result.val.num_classes = 3;
  r.result.val.confusion = {2, 0, 1, 0, 3, 0, 1, 0, 2};
  r.result.val.samples = 9;
  r.graph = slimlab::exp::summarize_graph(g);
  slimlab::compress::StageRecord s;
  s.type = "fixed_point";
  s.metrics = {{"val_accuracy", 0.75}};
  s.info = {{"mode", "ptq"}};
  s.tables["curves"] = {{"step", "loss"}, {{1, 0.5}, {2, 0.25}}, {}};
  r.stages = {s};
  r.tags = {{"seed", "yes"}};
  slimlab::exp::write_results(r, out / "results_h5" / "results.h5");
  slimlab::exp::write_stage_record(s, out / "results_h5" / "record.h5");
}

// `--hostile DIR`: files that lie about sizes or structure, for tools/bad-inputs.sh.
void hostile_files(const fs::path& out) {
  using namespace slimlab::fuzz;
  auto slim = [&](const char* name, const std::vector<uint8_t>& b) {
    write_file(out / name, std::string(b.begin(), b.end()));
  };
  slim("huge-tensor.slim", relu_model({1000000, 1000000}));
  slim("negative-dim.slim", relu_model({-3, 4}));
  const int64_t big = int64_t(1) << 30;
  slim("overflow-dims.slim", relu_model({big, big, big}));
  slim("cyclic.slim", cyclic_model());
  project_file_seeds(out / "valid");
  fs::copy_file(out / "valid" / "model_h5" / "small_cnn.h5", out / "weights-16gb.h5");
  claim_sixteen_gigabytes(out / "weights-16gb.h5", "0001");
  fs::copy_file(out / "valid" / "model_h5" / "small_cnn.h5", out / "cyclic-model.h5");
  replace_strings(out / "cyclic-model.h5", "/layers/0001/inputs", {"fc"});
  fs::copy_file(out / "valid" / "results_h5" / "results.h5", out / "results-1e12-classes.h5");
  hid_t str = vlen_string_type();
  replace_with_unwritten(out / "results-1e12-classes.h5", "/class_names", str, hsize_t(1000000) * 1000000);
  H5Tclose(str);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--hostile") {
    hostile_files(argv[2]);
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_make_seeds <shared-datasets-dir> <corpus-dir> | --hostile <dir>\n");
    return 2;
  }
  const fs::path shared = argv[1], out = argv[2];
  idx_seeds(shared / "mnist", out / "idx");
  wav_seeds(shared / "fsdd" / "recordings", out / "wav");
  hmp_seeds(shared / "hmp", out / "hmp");
  cifar_seeds(out / "cifar");
  image_seeds(out / "image");
  har_text_seeds(out);
  project_file_seeds(out);
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
