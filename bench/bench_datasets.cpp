// Loading + preprocessing throughput on the real datasets, and the speed-up of the
// HDF5 cache. Peer in the same run: LibTorch's torch::stft + a mel matmul for the
// log-mel features (what a LibTorch user would write).
//   build/bin/bench_datasets --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "datasets/audio_features.h"
#include "datasets/audio_folder.h"
#include "datasets/cache.h"
#include "datasets/har_formats.h"
#include "datasets/idx.h"

namespace fs = std::filesystem;
using namespace slimlab::data;

namespace {

fs::path shared() {
  if (const char* e = std::getenv("SLIMLAB_DATASETS")) return e;
  return SLIMLAB_SHARED_DATASETS;
}
fs::path fsdd() { return shared() / "fsdd/recordings"; }
fs::path scratch() { return fs::temp_directory_path() / "slimlab-bench"; }

bool need(benchmark::State& st, const fs::path& p) {
  if (fs::exists(p)) return true;
  st.SkipWithError(("dataset not found: " + p.string()).c_str());
  return false;
}

const RecordingSet& fsdd_clips() {
  static const RecordingSet set = load_audio_folder(fsdd());
  return set;
}

DatasetConfig fsdd_config() {
  DatasetConfig c;
  c.source = "wav:" + fsdd().string();
  c.audio.type = "logmel";
  return c;
}

// --- FSDD: 3,000 WAV files ---------------------------------------------------

void BM_FsddDecodeWav(benchmark::State& st) {
  if (!need(st, fsdd())) return;
  size_t n = 0;
  for (auto _ : st) {
    auto set = load_audio_folder(fsdd());
    n = set.recordings.size();
    benchmark::DoNotOptimize(set.recordings.data());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * n));
}
BENCHMARK(BM_FsddDecodeWav)->Unit(benchmark::kMillisecond)->UseRealTime();

// Whole pipeline: decode, split by speaker, log-mel, normalise.
void BM_FsddPrepareLogMel(benchmark::State& st) {
  if (!need(st, fsdd())) return;
  size_t n = 0;
  for (auto _ : st) {
    auto d = prepare(fsdd_config());
    n = d.train.size() + d.val.size() + d.test.size();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * n));
}
BENCHMARK(BM_FsddPrepareLogMel)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same tensors read back from the HDF5 cache.
void BM_FsddReadCache(benchmark::State& st) {
  if (!need(st, fsdd())) return;
  const fs::path path = scratch() / "fsdd_logmel.h5";
  load_or_build(fsdd_config(), path);
  size_t n = 0;
  for (auto _ : st) {
    auto d = read_cache(path);
    n = d.train.size() + d.val.size() + d.test.size();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * n));
}
BENCHMARK(BM_FsddReadCache)->Unit(benchmark::kMillisecond)->UseRealTime();

// Feature extraction alone, SlimLab vs LibTorch, on the 3,000 decoded clips.
void BM_LogMel_SlimLab(benchmark::State& st) {
  if (!need(st, fsdd())) return;
  const auto& set = fsdd_clips();
  AudioFeatureOptions o;
  AudioFeatureExtractor ex(o);
  int64_t numel = 1;
  for (auto d : ex.feature_shape()) numel *= d;
  std::vector<float> out(static_cast<size_t>(numel));
  for (auto _ : st)
    for (const auto& r : set.recordings) {
      ex.extract(r.samples.data(), r.frames(), out.data());
      benchmark::DoNotOptimize(out.data());
    }
  st.SetItemsProcessed(int64_t(st.iterations() * set.recordings.size()));
}
BENCHMARK(BM_LogMel_SlimLab)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LogMel_LibTorch(benchmark::State& st) {
  if (!need(st, fsdd())) return;
  const auto& set = fsdd_clips();
  AudioFeatureOptions o;
  // Same framing as ours: n_fft 256, hop 80, Hann window of 200 centred; the mel
  // matrix is ours (a LibTorch user would build one too), so only the STFT,
  // power, matmul and log are LibTorch's.
  const int64_t clip = int64_t(o.rate_hz * o.clip_seconds);
  auto window = torch::hann_window(o.win_length, torch::TensorOptions().dtype(torch::kFloat32));
  auto mel = torch::rand({o.n_mels, o.n_fft / 2 + 1});  // cost-equivalent dense mel matrix
  torch::set_num_threads(1);  // our extractor is single-threaded too
  for (auto _ : st)
    for (const auto& r : set.recordings) {
      // "center" framing as ours: n_fft/2 zeros on each side.
      auto x = torch::zeros({clip + o.n_fft});
      const int64_t n = std::min<int64_t>(clip, r.frames());
      std::memcpy(x.data_ptr<float>() + o.n_fft / 2, r.samples.data(), size_t(n) * sizeof(float));
      auto spec = torch::stft(x, o.n_fft, o.hop_length, o.win_length, window, /*normalized=*/false,
                              /*onesided=*/true, /*return_complex=*/true);
      auto power = spec.abs().pow(2);
      auto logmel = torch::log(torch::matmul(mel, power) + 1e-6);
      benchmark::DoNotOptimize(logmel.data_ptr<float>());
    }
  st.SetItemsProcessed(int64_t(st.iterations() * set.recordings.size()));
}
BENCHMARK(BM_LogMel_LibTorch)->Unit(benchmark::kMillisecond)->UseRealTime();

// --- HMP: 839 text files -----------------------------------------------------

void BM_HmpPrepare(benchmark::State& st) {
  if (!need(st, shared() / "hmp")) return;
  DatasetConfig c;
  c.source = "hmp:" + (shared() / "hmp").string();
  c.har_features = "deepsense";
  c.window.window_seconds = 5.0;  // 160 samples at 32 Hz, 20 intervals of 8
  c.deepsense.fft_bins = 5;
  size_t n = 0;
  for (auto _ : st) n = prepare(c).train.size();
  st.counters["train_windows"] = double(n);
}
BENCHMARK(BM_HmpPrepare)->Unit(benchmark::kMillisecond)->UseRealTime();

// --- MNIST: 10,000 gzipped IDX images ---------------------------------------

void BM_MnistLoadIdxGz(benchmark::State& st) {
  if (!need(st, shared() / "mnist")) return;
  for (auto _ : st) benchmark::DoNotOptimize(load_mnist_dir(shared() / "mnist", "test").values.data());
  st.SetItemsProcessed(int64_t(st.iterations() * 10000));
}
BENCHMARK(BM_MnistLoadIdxGz)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
