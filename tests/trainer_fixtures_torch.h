#pragma once
// Shared by the trainer and distributed tests: a tiny MLP that implements
// SlimModelImpl, the small synthetic HAR data set, and helpers to re-execute the
// test binary as a child process (a worker or a trainer to kill).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "datasets/pipeline.h"
#include "train/checkpoint.h"
#include "train/metrics.h"
#include "train/model.h"

extern char** environ;

namespace slimlab::test {

// [C, W] → flatten → Linear(hidden) → ReLU → Dropout → Linear(classes).
class TinyMlpImpl : public train::SlimModelImpl {
 public:
  TinyMlpImpl(std::vector<int64_t> sample_shape, int64_t classes, int64_t hidden = 32, double dropout = 0.0)
      : shape_(std::move(sample_shape)), classes_(classes) {
    int64_t in = 1;
    for (int64_t d : shape_) in *= d;
    fc1 = register_module("fc1", torch::nn::Linear(in, hidden));
    drop = register_module("drop", torch::nn::Dropout(dropout));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, classes));
  }
  torch::Tensor forward(torch::Tensor x) override { return fc2(drop(torch::relu(fc1(x.flatten(1))))); }
  ir::Graph graph(bool /*with_weights*/) const override {
    ir::Graph g;
    g.model = "tiny_mlp";
    g.input_shape = shape_;
    g.num_classes = classes_;
    ir::Layer in;
    in.name = "input";
    in.output_shape = shape_;
    g.layers.push_back(in);
    return g;
  }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::Dropout drop{nullptr};

 private:
  std::vector<int64_t> shape_;
  int64_t classes_;
};

// Synthetic HAR at a quarter of its default size (~1300 windows of [6, 100], 7 classes).
inline const data::PreparedData& small_har() {
  static const data::PreparedData d = [] {
    data::DatasetConfig c;
    c.source = "synthetic:har";
    c.synthetic_scale = 0.25;
    return data::prepare(c);
  }();
  return d;
}

inline train::SlimModel tiny_mlp(const data::PreparedData& d, uint64_t init_seed, double dropout = 0.0) {
  torch::manual_seed(init_seed);
  return std::make_shared<TinyMlpImpl>(d.train.sample_shape, int64_t(d.train.class_names.size()), 32, dropout);
}

inline bool same_weights(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto sa = train::model_state(a), sb = train::model_state(b);
  if (sa.size() != sb.size()) return false;
  for (size_t i = 0; i < sa.size(); ++i)
    if (sa[i].first != sb[i].first || !torch::equal(sa[i].second, sb[i].second)) return false;
  return true;
}

// Every field that does not measure time.
inline void expect_same_curves(const std::vector<train::EpochMetrics>& a, const std::vector<train::EpochMetrics>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("epoch " + std::to_string(i + 1));
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    EXPECT_EQ(a[i].train_loss, b[i].train_loss);
    EXPECT_EQ(a[i].train_accuracy, b[i].train_accuracy);
    EXPECT_EQ(a[i].val_loss, b[i].val_loss);
    EXPECT_EQ(a[i].val_accuracy, b[i].val_accuracy);
    EXPECT_EQ(a[i].val_macro_f1, b[i].val_macro_f1);
    EXPECT_EQ(a[i].lr, b[i].lr);
  }
}

// This test binary run again as a child, with `args` after argv[0] and the extra
// environment variables `env` ("KEY=value"). The argv and envp arrays are built
// before fork(), so the child only calls execve.
inline pid_t spawn_self(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv_s{"/proc/self/exe"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s(env);
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  std::vector<char*> argv_c, env_c;
  for (auto& s : argv_s) argv_c.push_back(s.data());
  argv_c.push_back(nullptr);
  for (auto& s : env_s) env_c.push_back(s.data());
  env_c.push_back(nullptr);
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  const pid_t pid = fork();
  if (pid == 0) {
    execve(exe.c_str(), argv_c.data(), env_c.data());
    _exit(127);
  }
  return pid;
}

// Arguments of this process, from /proc/self/cmdline (the gtest main hides argv).
inline std::vector<std::string> own_cmdline() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> out;
  std::string s;
  while (std::getline(f, s, '\0')) out.push_back(s);
  return out;
}

inline std::string flag_value(const std::vector<std::string>& args, const std::string& flag) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == flag) return args[i + 1];
  return "";
}

}  // namespace slimlab::test
