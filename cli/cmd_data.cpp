// `slimlab data inspect|cache`: look at a dataset the way the trainer will see it,
// and write its preprocessed tensors to an HDF5 cache.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/dataset_options.h"
#include "datasets/cache.h"
#include "datasets/h5.h"
#include "datasets/linear_probe.h"

namespace slimlab::cli {

namespace {

namespace fs = std::filesystem;
using data::PreparedData;

std::string join(const std::vector<std::string>& v, const std::string& sep = " ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f s", s);
  return b;
}

bool is_cache_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && H5Fis_hdf5(path.c_str()) > 0;
}

void print_counts_table(const PreparedData& d) {
  const auto& names = d.source.class_names;
  const auto tr = d.train.class_counts(), va = d.val.class_counts(), te = d.test.class_counts();
  size_t w = 5;
  for (const auto& n : names) w = std::max(w, n.size());
  std::printf("  %-*s %9s %9s %9s %9s\n", int(w), "class", d.source.unit.c_str(), "train", "val", "test");
  for (size_t c = 0; c < names.size(); ++c)
    std::printf("  %-*s %9lld %9lld %9lld %9lld\n", int(w), names[c].c_str(),
                (long long)(c < d.source.class_counts.size() ? d.source.class_counts[c] : 0), (long long)tr[c],
                (long long)va[c], (long long)te[c]);
  std::printf("  %-*s %9zu %9zu %9zu %9zu\n", int(w), "total", d.source.items, d.train.size(), d.val.size(),
              d.test.size());
}

void print_inspect(const PreparedData& d) {
  const auto& s = d.source;
  std::printf("source       %s  (format %s%s)\n", s.spec.text.c_str(), s.spec.format.c_str(),
              d.from_cache ? ", read from cache" : "");
  std::printf("modality     %s\n", data::to_string(s.modality));
  std::printf("samples      %zu %s", s.items, s.unit.c_str());
  if (s.groups) std::printf(" from %zu %s", s.groups, s.group_kind.c_str());
  std::printf(", %zu classes\n", s.class_names.size());
  if (s.modality == data::Modality::kVision) {
    std::printf("image size   %s (C×H×W)\n", data::shape_to_string(s.image_shape).c_str());
  } else {
    std::printf("sample rate  %g Hz, mean length %s\n", s.rate_hz, seconds(s.mean_seconds).c_str());
    if (!s.channel_names.empty()) std::printf("channels     %s\n", join(s.channel_names).c_str());
  }
  std::printf("input shape  %s per sample\n", data::shape_to_string(d.train.sample_shape).c_str());
  std::printf("split        %s: train %zu / val %zu / test %zu samples\n", d.split_method.c_str(), d.train.size(),
              d.val.size(), d.test.size());
  if (!d.normalization.empty())
    std::printf("normalized   per index of axis %d (%zu statistics, fitted on train)\n", d.normalization.axis,
                d.normalization.mean.size());
  std::printf("\n");
  print_counts_table(d);
  std::printf("\nparameters\n");
  for (const auto& [k, v] : d.parameters) std::printf("  %-24s %s\n", k.c_str(), v.c_str());
  if (!s.notes.empty()) {
    std::printf("\nnotes\n");
    for (const auto& n : s.notes) std::printf("  %s\n", n.c_str());
  }
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data_cmd = app.add_subcommand("data", "Inspect datasets and cache their preprocessed tensors");
  data_cmd->require_subcommand(1);
  data_cmd->footer(
      "Sources: synthetic:har | synthetic:audio | synthetic:vision | synthetic:vision-rgb, or a path to\n"
      "MNIST/Fashion-MNIST IDX, CIFAR-10 binary batches, an image folder, a WAV folder (FSDD names or\n"
      "Speech Commands subfolders), HMP, UCI HAR, a WISDM v1.1 raw file or an HHAR csv. The format is\n"
      "detected from the layout; force it with a prefix, e.g. wav:path or fashion-mnist:path.");

  // data inspect
  {
    struct Args {
      std::string source;
      data::DatasetConfig config;
      bool probe = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = data_cmd->add_subcommand(
        "inspect", "Print samples, classes, per-class counts, input shape, rate / image size and split sizes");
    cmd->add_option("source", args->source, "Dataset source, or a cache .h5 written by `slimlab data cache`")
        ->required();
    add_dataset_options(*cmd, args->config);
    cmd->add_flag("--probe", args->probe,
                  "Also train a linear (softmax-regression) classifier and print its accuracy: how separable "
                  "the data is without a deep model");
    cmd->callback([args] {
      PreparedData d;
      if (is_cache_file(args->source)) {
        d = data::read_cache(args->source);
      } else {
        args->config.source = args->source;
        d = data::prepare(args->config);
      }
      print_inspect(d);
      if (args->probe) {
        const auto& eval = d.test.size() ? d.test : d.val;
        const auto r = data::linear_probe(d.train, eval);
        std::printf("\nlinear probe  train accuracy %.3f, %s accuracy %.3f (chance %.3f)\n", r.train_accuracy,
                    d.test.size() ? "test" : "val", r.test_accuracy, 1.0 / double(d.source.class_names.size()));
      }
    });
  }

  // data cache
  {
    struct Args {
      std::string source;
      std::string out;
      data::DatasetConfig config;
      bool force = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = data_cmd->add_subcommand(
        "cache", "Preprocess a dataset and write its tensors (train/val/test) to an HDF5 file");
    cmd->add_option("source", args->source, "Dataset source")->required();
    cmd->add_option("--out,-o", args->out, "HDF5 file to write")->required();
    cmd->add_flag("--force", args->force, "Rebuild even when the cache is up to date");
    add_dataset_options(*cmd, args->config);
    cmd->callback([args] {
      args->config.source = args->source;
      if (args->force && fs::exists(args->out)) {
        PreparedData d = data::prepare(args->config);
        data::write_cache(d, args->out);
        std::printf("rebuilt %s\n", args->out.c_str());
        return;
      }
      std::string reason;
      PreparedData d = data::load_or_build(args->config, args->out, &reason);
      std::printf("%s\n", reason.c_str());
      std::printf("train %zu / val %zu / test %zu samples of shape %s, %zu classes\n", d.train.size(), d.val.size(),
                  d.test.size(), data::shape_to_string(d.train.sample_shape).c_str(), d.source.class_names.size());
    });
  }
}

}  // namespace slimlab::cli
