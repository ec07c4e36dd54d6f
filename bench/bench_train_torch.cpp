// Training throughput of SlimLab's Trainer (LeNet-5, DeepSense), to compare with
// the same models in PyTorch Python (bench/train_peer.py) at the same thread count:
//   build/bin/bench_train --model lenet5 --batch 64 --threads 1 --steps 100 [--repeats 5]
// prints: model batch threads samples_per_second data_wait_fraction samples_per_cpu_second
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <ctime>
#include <random>
#include <string>

#include "train/model_factory.h"
#include "train/trainer.h"

using namespace slimlab;

int main(int argc, char** argv) {
  std::string model = "lenet5";
  int64_t batch = 64, steps = 100;
  int threads = 1, repeats = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--model")) model = argv[i + 1];
    else if (!std::strcmp(argv[i], "--batch")) batch = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--steps")) steps = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: bench_train --model lenet5|deepsense --batch N --threads T --steps S\n");
      return 2;
    }
  }
  if (threads > 0) torch::set_num_threads(threads);  // before the model is built, as the peer does
  data::PreparedData d;
  const bool lenet = model == "lenet5";
  d.train.sample_shape = lenet ? std::vector<int64_t>{1, 28, 28} : std::vector<int64_t>{2, 20, 60};
  const int64_t classes = lenet ? 10 : 6;
  for (int64_t c = 0; c < classes; ++c) d.train.class_names.push_back(std::to_string(c));
  const int64_t n = steps * batch;
  std::mt19937 rng(1);
  std::normal_distribution<float> nd;
  d.train.values.resize(size_t(n * d.train.sample_numel()));
  for (auto& v : d.train.values) v = nd(rng);
  for (int64_t i = 0; i < n; ++i) {
    d.train.labels.push_back(int32_t(i % classes));
    d.train.groups.push_back(-1);
  }
  d.val = d.train.subset({});
  d.test = d.train.subset({});
  d.source.class_names = d.train.class_names;

  train::ModelConfig mc;
  mc.name = model;
  mc.input_shape = d.train.sample_shape;
  mc.num_classes = classes;
  train::TrainConfig tc;
  tc.optimizer = "adam";
  tc.lr = 1e-3;
  // Epoch 1 warms up; the best of the next `repeats` epochs is reported (timings on a
  // shared machine are noisy; the best epoch is the least disturbed one).
  tc.epochs = 1 + repeats;
  tc.batch_size = batch;
  tc.threads = threads;
  train::Trainer trainer(tc, train::make_model(mc), d);
  trainer.on_log = [](const std::string&) {};
  // Process CPU time per epoch as well: on a shared machine it is far steadier than
  // wall time (time stolen by other tenants is not counted).
  std::vector<double> cpu_at_epoch_end;
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  };
  double cpu_start = cpu_now(), best_cpu_rate = 0;
  trainer.on_epoch = [&](const train::EpochMetrics& m) {
    const double t = cpu_now();
    // The epoch's CPU time includes its (empty) validation pass: nothing to evaluate.
    if (m.epoch > 1) best_cpu_rate = std::max(best_cpu_rate, double(n) / (t - cpu_start));
    cpu_start = t;
  };
  const train::TrainResult r = trainer.fit();
  const train::EpochMetrics* best = &r.epochs[1];
  for (size_t e = 1; e < r.epochs.size(); ++e)
    if (r.epochs[e].samples_per_second > best->samples_per_second) best = &r.epochs[e];
  std::printf("%s %lld %d %.1f %.4f %.1f\n", model.c_str(), static_cast<long long>(batch), threads,
              best->samples_per_second, best->data_wait_fraction, best_cpu_rate);
  return 0;
}
