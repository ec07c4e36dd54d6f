#include "train/checkpoint.h"

#include "datasets/sealed_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

#include "train/op_facts.h"

namespace slimlab::train {

namespace {

constexpr const char* kFormat = "slimlab-checkpoint";
constexpr int64_t kVersion = 1;
// EpochMetrics as a row of doubles, in this order.
constexpr int64_t kMetricFields = 10;

// "[a, b]".
std::string shape_text(const torch::Tensor& t) { return ir::to_string(t.sizes().vec()); }

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

torch::Tensor history_tensor(const std::vector<EpochMetrics>& h) {
  torch::Tensor t = torch::zeros({int64_t(h.size()), kMetricFields}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (size_t i = 0; i < h.size(); ++i) {
    const EpochMetrics& m = h[i];
    const double row[kMetricFields] = {double(m.epoch), m.train_loss,   m.train_accuracy,     m.val_loss,
                                       m.val_accuracy,  m.val_macro_f1, m.lr,                 m.seconds,
                                       m.samples_per_second, m.data_wait_fraction};
    for (int64_t k = 0; k < kMetricFields; ++k) a[int64_t(i)][k] = row[k];
  }
  return t;
}

std::vector<EpochMetrics> history_from(const torch::Tensor& t) {
  if (t.dim() != 2 || t.size(1) != kMetricFields || t.scalar_type() != torch::kFloat64)
    throw std::runtime_error("history has shape " + shape_text(t) + ", expected [epochs, " +
                             std::to_string(kMetricFields) + "] float64");
  std::vector<EpochMetrics> h(size_t(t.size(0)));
  auto a = t.accessor<double, 2>();
  for (size_t i = 0; i < h.size(); ++i) {
    EpochMetrics& m = h[i];
    const int64_t r = int64_t(i);
    m.epoch = int(a[r][0]);
    m.train_loss = a[r][1];
    m.train_accuracy = a[r][2];
    m.val_loss = a[r][3];
    m.val_accuracy = a[r][4];
    m.val_macro_f1 = a[r][5];
    m.lr = a[r][6];
    m.seconds = a[r][7];
    m.samples_per_second = a[r][8];
    m.data_wait_fraction = a[r][9];
  }
  return h;
}

c10::IValue read_value(torch::serialize::InputArchive& in, const std::string& key) {
  c10::IValue v;
  if (!in.try_read(key, v)) throw std::runtime_error("missing entry '" + key + "'");
  return v;
}

// Verifies that the saved (names, tensors) match the model's and returns the
// tensors in model order. Names the first tensor that does not fit.
std::vector<torch::Tensor> matched_tensors(const std::vector<std::pair<std::string, torch::Tensor>>& model,
                                           const c10::List<std::string>& names,
                                           const c10::List<at::Tensor>& tensors, const std::string& what) {
  if (names.size() != tensors.size())
    throw std::runtime_error(what + ": " + std::to_string(names.size()) + " names but " +
                             std::to_string(tensors.size()) + " tensors");
  std::map<std::string, torch::Tensor> saved;
  for (size_t i = 0; i < names.size(); ++i) saved[names.get(i)] = tensors.get(i);
  std::vector<torch::Tensor> out;
  for (const auto& [name, t] : model) {
    auto it = saved.find(name);
    if (it == saved.end())
      throw std::runtime_error(what + ": tensor '" + name + "' " + shape_text(t) +
                               " of the model is not in the checkpoint");
    if (!it->second.sizes().equals(t.sizes()))
      throw std::runtime_error(what + ": tensor '" + name + "' has shape " + shape_text(it->second) +
                               " in the checkpoint but " + shape_text(t) + " in the model");
    if (it->second.scalar_type() != t.scalar_type())
      throw std::runtime_error(what + ": tensor '" + name + "' has dtype " +
                               std::string(c10::toString(it->second.scalar_type())) +
                               " in the checkpoint but " + std::string(c10::toString(t.scalar_type())) +
                               " in the model");
    out.push_back(it->second);
    saved.erase(it);
  }
  // BatchNorm's num_batches_tracked counters of checkpoints written before the models
  // became GraphModules (torch::nn::BatchNorm*d kept one; momentum is fixed, so it was never read).
  for (auto it = saved.begin(); it != saved.end();)
    it = ends_with(it->first, ".num_batches_tracked") ? saved.erase(it) : std::next(it);
  if (!saved.empty())
    throw std::runtime_error(what + ": tensor '" + saved.begin()->first + "' " +
                             shape_text(saved.begin()->second) + " of the checkpoint is not in the model");
  return out;
}

}  // namespace

std::filesystem::path checkpoint_path(const std::filesystem::path& dir) { return dir / "last.pt"; }

void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file) {
  std::string bytes;
  archive.save_to([&](const void* data, size_t n) {
    bytes.append(static_cast<const char*>(data), n);
    return n;
  });
  try {
    data::write_sealed_file(file, bytes, "checkpoint");
  } catch (const std::exception& e) {
    throw std::runtime_error("checkpoint " + file.string() + ": " + e.what());
  }
}

void load_archive(torch::serialize::InputArchive& archive, const std::filesystem::path& file) {
  data::SealedRead r;
  try {
    r = data::read_sealed_file(file);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("checkpoint ") + e.what());
  }
  try {
    archive.load_from(r.payload.data(), r.payload.size());
  } catch (const c10::Error& e) {
    throw std::runtime_error("checkpoint " + file.string() + ": not a readable LibTorch archive (" +
                             first_line(e.what_without_backtrace()) + ")");
  }
}

std::vector<std::pair<std::string, torch::Tensor>> model_state(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& p : model.named_parameters(/*recurse=*/true)) out.emplace_back(p.key(), p.value());
  for (const auto& b : model.named_buffers(/*recurse=*/true)) out.emplace_back(b.key(), b.value());
  return out;
}

std::vector<torch::Tensor> snapshot_weights(const torch::nn::Module& model) {
  std::vector<torch::Tensor> out;
  for (const auto& [name, t] : model_state(model)) out.push_back(t.detach().clone());
  return out;
}

void restore_weights(torch::nn::Module& model, const std::vector<torch::Tensor>& weights) {
  auto state = model_state(model);
  if (state.size() != weights.size())
    throw std::invalid_argument("restore_weights: " + std::to_string(weights.size()) + " tensors for a model with " +
                                std::to_string(state.size()));
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < state.size(); ++i) {
    if (!state[i].second.sizes().equals(weights[i].sizes()))
      throw std::invalid_argument("restore_weights: tensor '" + state[i].first + "' has shape " +
                                  shape_text(state[i].second) + " but the snapshot has " + shape_text(weights[i]));
    state[i].second.copy_(weights[i]);
  }
}

void save_checkpoint(const std::filesystem::path& file, const torch::nn::Module& model,
                     const torch::optim::Optimizer& optimizer, const TrainingState& st) {
  torch::serialize::OutputArchive out;
  out.write("format", c10::IValue(std::string(kFormat)));
  out.write("version", c10::IValue(kVersion));
  c10::List<std::string> names;
  c10::List<at::Tensor> tensors;
  for (const auto& [name, t] : model_state(model)) {
    names.push_back(name);
    tensors.push_back(t.detach());
  }
  out.write("model_names", c10::IValue(names));
  out.write("model_tensors", c10::IValue(tensors));
  c10::List<at::Tensor> best;
  for (const auto& t : st.best_weights) best.push_back(t);
  out.write("best_weights", c10::IValue(best));
  torch::serialize::OutputArchive opt_archive;
  optimizer.save(opt_archive);
  out.write("optimizer", opt_archive);
  out.write("epoch", c10::IValue(int64_t(st.epoch)));
  out.write("history", history_tensor(st.history));
  out.write("best_epoch", c10::IValue(int64_t(st.best_epoch)));
  out.write("best_val_accuracy", c10::IValue(st.best_val_accuracy));
  out.write("epochs_since_best", c10::IValue(int64_t(st.epochs_since_best)));
  out.write("stopped_early", c10::IValue(st.stopped_early));
  out.write("lr", c10::IValue(st.lr));
  out.write("config", c10::IValue(st.config));

  save_archive(out, file);
}

bool load_checkpoint(const std::filesystem::path& file, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, TrainingState& state) {
  if (!std::filesystem::exists(file)) return false;
  const std::string where = "checkpoint " + file.string();
  torch::serialize::InputArchive in;
  load_archive(in, file);
  try {
    c10::IValue format;
    if (!in.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat)
      throw std::runtime_error("not a SlimLab training checkpoint (no '" + std::string(kFormat) + "' marker)");
    const int64_t version = read_value(in, "version").toInt();
    if (version != kVersion)
      throw std::runtime_error("format version " + std::to_string(version) + ", this build reads " +
                               std::to_string(kVersion));

    const auto state_now = model_state(model);
    const auto names = read_value(in, "model_names").to<c10::List<std::string>>();
    const auto weights = matched_tensors(state_now, names, read_value(in, "model_tensors").toTensorList(), "model");
    TrainingState st;
    const auto best = read_value(in, "best_weights").toTensorList();
    if (!best.empty()) st.best_weights = matched_tensors(state_now, names, best, "best weights");
    st.epoch = int(read_value(in, "epoch").toInt());
    torch::Tensor history;
    if (!in.try_read("history", history)) throw std::runtime_error("missing entry 'history'");
    st.history = history_from(history);
    st.best_epoch = int(read_value(in, "best_epoch").toInt());
    st.best_val_accuracy = read_value(in, "best_val_accuracy").toDouble();
    st.epochs_since_best = int(read_value(in, "epochs_since_best").toInt());
    st.stopped_early = read_value(in, "stopped_early").toBool();
    st.lr = read_value(in, "lr").toDouble();
    st.config = read_value(in, "config").toStringRef();
    if (int(st.history.size()) != st.epoch)
      throw std::runtime_error("epoch " + std::to_string(st.epoch) + " but " + std::to_string(st.history.size()) +
                               " epochs of history");

    if (optimizer) {
      torch::serialize::InputArchive opt_archive;
      if (!in.try_read("optimizer", opt_archive)) throw std::runtime_error("missing entry 'optimizer'");
      optimizer->load(opt_archive);
    }
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < state_now.size(); ++i) state_now[i].second.copy_(weights[i]);
    state = std::move(st);
  } catch (const c10::Error& e) {
    throw std::runtime_error(where + ": " + first_line(e.what_without_backtrace()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  return true;
}

}  // namespace slimlab::train
