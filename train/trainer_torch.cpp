#include "train/trainer.h"

#include <malloc.h>

#include <chrono>
#include <mutex>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

#include "datasets/split.h"
#include "train/checkpoint.h"
#include "train/distributed.h"

namespace slimlab::train {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// [first, last) of the training split's permutation per global batch. A last batch
// with fewer than 2 samples per rank is dropped (BatchNorm needs ≥ 2 samples in
// training mode); it is a different handful of samples every epoch.
std::vector<std::pair<size_t, size_t>> batch_ranges(size_t n, int64_t batch_size, int world_size) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t lo = 0; lo < n; lo += size_t(batch_size)) out.emplace_back(lo, std::min(n, lo + size_t(batch_size)));
  if (out.size() > 1 && out.back().second - out.back().first < size_t(2 * world_size)) out.pop_back();
  return out;
}

}  // namespace

// ---- configuration helpers --------------------------------------------------

void check_train_config(const TrainConfig& c) {
  auto bad = [](const std::string& key, const std::string& why) {
    throw std::invalid_argument("train." + key + ": " + why);
  };
  static const std::set<std::string> optimizers{"sgd", "adam", "adamw", "rmsprop"};
  static const std::set<std::string> schedules{"none", "step", "cosine"};
  if (!optimizers.count(c.optimizer)) bad("optimizer", "'" + c.optimizer + "' is not one of sgd, adam, adamw, rmsprop");
  if (!schedules.count(c.schedule)) bad("schedule", "'" + c.schedule + "' is not one of none, step, cosine");
  if (!(c.lr > 0) || !std::isfinite(c.lr)) bad("lr", "must be positive, got " + num(c.lr));
  if (c.momentum < 0) bad("momentum", "must be ≥ 0, got " + num(c.momentum));
  if (c.nesterov && c.optimizer == "sgd" && !(c.momentum > 0)) bad("nesterov", "needs momentum > 0");
  if (c.beta1 < 0 || c.beta1 >= 1) bad("beta1", "must be in [0, 1), got " + num(c.beta1));
  if (c.beta2 < 0 || c.beta2 >= 1) bad("beta2", "must be in [0, 1), got " + num(c.beta2));
  if (c.weight_decay < 0) bad("weight_decay", "must be ≥ 0, got " + num(c.weight_decay));
  if (c.schedule == "step" && c.step_size < 1) bad("step_size", "must be ≥ 1, got " + std::to_string(c.step_size));
  if (c.gamma < 0) bad("gamma", "must be ≥ 0, got " + num(c.gamma));
  if (c.warmup_epochs < 0) bad("warmup_epochs", "must be ≥ 0, got " + std::to_string(c.warmup_epochs));
  if (c.min_lr < 0) bad("min_lr", "must be ≥ 0, got " + num(c.min_lr));
  if (c.epochs < 1) bad("epochs", "must be ≥ 1, got " + std::to_string(c.epochs));
  if (c.batch_size < 1) bad("batch_size", "must be ≥ 1, got " + std::to_string(c.batch_size));
  if (c.patience < 0) bad("patience", "must be ≥ 0, got " + std::to_string(c.patience));
  if (c.grad_clip < 0) bad("grad_clip", "must be ≥ 0, got " + num(c.grad_clip));
  if (c.threads < 0) bad("threads", "must be ≥ 0, got " + std::to_string(c.threads));
  if (c.world_size < 1) bad("world_size", "must be ≥ 1, got " + std::to_string(c.world_size));
  if (c.rank < 0 || c.rank >= c.world_size)
    bad("rank", std::to_string(c.rank) + " is outside 0.." + std::to_string(c.world_size - 1));
  if (c.batch_size < c.world_size)
    bad("batch_size", std::to_string(c.batch_size) + " is smaller than world_size " + std::to_string(c.world_size) +
                          " (batch_size is the global batch, split over the ranks)");
}

double scheduled_lr(const TrainConfig& c, int epoch) {
  const int w = c.warmup_epochs;
  if (epoch <= w) return c.lr / 10 + (c.lr - c.lr / 10) * double(epoch - 1) / double(w);
  const int t = epoch - w - 1;
  if (c.schedule == "step") return c.lr * std::pow(c.gamma, double(t / c.step_size));
  if (c.schedule == "cosine") {
    const int T = std::max(1, c.epochs - w);
    return c.min_lr + (c.lr - c.min_lr) * (1 + std::cos(M_PI * double(t) / double(T))) / 2;
  }
  return c.lr;
}

std::vector<double> inverse_frequency_weights(const std::vector<int64_t>& counts) {
  std::vector<double> w(counts.size(), 1.0);
  double sum = 0;
  int present = 0;
  for (int64_t n : counts)
    if (n > 0) {
      sum += 1.0 / double(n);
      ++present;
    }
  if (present == 0) return w;
  const double mean = sum / present;
  for (size_t c = 0; c < counts.size(); ++c)
    if (counts[c] > 0) w[c] = (1.0 / double(counts[c])) / mean;
  return w;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, std::vector<torch::Tensor> params) {
  using namespace torch::optim;
  if (c.optimizer == "sgd")
    return std::make_unique<SGD>(
        std::move(params), SGDOptions(c.lr).momentum(c.momentum).nesterov(c.nesterov).weight_decay(c.weight_decay));
  if (c.optimizer == "adam")
    return std::make_unique<Adam>(
        std::move(params),
        AdamOptions(c.lr).betas(std::make_tuple(c.beta1, c.beta2)).weight_decay(c.weight_decay));
  if (c.optimizer == "adamw")
    return std::make_unique<AdamW>(
        std::move(params),
        AdamWOptions(c.lr).betas(std::make_tuple(c.beta1, c.beta2)).weight_decay(c.weight_decay));
  if (c.optimizer == "rmsprop")
    return std::make_unique<RMSprop>(std::move(params),
                                     RMSpropOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
  throw std::invalid_argument("train.optimizer: '" + c.optimizer + "' is not one of sgd, adam, adamw, rmsprop");
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

uint64_t epoch_shuffle_seed(uint64_t seed, int epoch) {
  // Distinct odd multipliers keep (seed, epoch) pairs apart; seeded_shuffle mixes further.
  return seed * 0x9E3779B97F4A7C15ull ^ (uint64_t(epoch) * 0xD1B54A32D192ED03ull);
}

std::string describe_for_resume(const TrainConfig& c) {
  std::ostringstream o;
  o << "optimizer=" << c.optimizer << "\nlr=" << num(c.lr) << "\nmomentum=" << num(c.momentum)
    << "\nbeta1=" << num(c.beta1) << "\nbeta2=" << num(c.beta2) << "\nweight_decay=" << num(c.weight_decay)
    << "\nnesterov=" << c.nesterov << "\nschedule=" << c.schedule << "\nstep_size=" << c.step_size
    << "\ngamma=" << num(c.gamma) << "\nwarmup_epochs=" << c.warmup_epochs << "\nmin_lr=" << num(c.min_lr)
    << "\nbatch_size=" << c.batch_size << "\nclass_weighting=" << c.class_weighting
    << "\ngrad_clip=" << num(c.grad_clip) << "\nseed=" << c.seed << "\n"
    << c.augment.describe();
  return o.str();
}

// ---- Trainer ----------------------------------------------------------------

struct Trainer::EpochTotals {
  double loss_sum = 0;  // Σ over global batches of this rank's share of the batch loss
  int64_t batches = 0;  // global batches
  int64_t correct = 0, samples = 0;  // this rank's
  int64_t global_samples = 0;
  double train_seconds = 0, data_seconds = 0, step_seconds = 0;
};

void keep_freed_memory_in_process() {
  // Every training step frees and re-allocates the same activation and gradient
  // buffers (hundreds of KiB each). glibc serves blocks above its mmap threshold
  // (128 KiB at start) with mmap and gives freed ones back to the kernel, so each
  // step pays page faults to zero fresh pages again: measured ~20 % of a DeepSense
  // step at batch 8 (docs/BENCHMARKS.md). Raising the mmap and trim thresholds
  // keeps freed blocks in the heap for reuse. Process-wide, set once; a training
  // process keeps its peak heap for its lifetime, which is what it needs anyway.
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  });
}

Trainer::Trainer(TrainConfig cfg, SlimModel model, const data::PreparedData& data,
                 std::filesystem::path checkpoint_dir, ProgressReporter* progress)
    : cfg_(std::move(cfg)),
      model_(std::move(model)),
      data_(data),
      checkpoint_dir_(std::move(checkpoint_dir)),
      progress_(progress),
      // A non-owning pointer: `data` outlives the Trainer (documented).
      train_set_(std::shared_ptr<const data::ArraySet>(std::shared_ptr<void>(), &data.train), cfg_.augment,
                 cfg_.seed),
      rank_(cfg_.rank) {
  check_train_config(cfg_);
  keep_freed_memory_in_process();
  if (!model_) throw std::invalid_argument("Trainer: null model");
  if (data.train.size() == 0) throw std::invalid_argument("Trainer: the training split is empty");
  num_classes_ = int64_t(data.train.class_names.size());
  for (int32_t y : data.train.labels) num_classes_ = std::max<int64_t>(num_classes_, int64_t(y) + 1);
  if (cfg_.class_weighting) {
    std::vector<int64_t> counts(size_t(num_classes_), 0);
    for (int32_t y : data.train.labels) ++counts[size_t(y)];
    class_weights_ = inverse_frequency_weights(counts);
    class_weights_tensor_ = torch::tensor(class_weights_, torch::kFloat32);
  }
}

Trainer::~Trainer() = default;

std::filesystem::path Trainer::checkpoint_file() const {
  return checkpoint_dir_.empty() ? std::filesystem::path() : checkpoint_path(checkpoint_dir_);
}

void Trainer::log(const std::string& message) const {
  if (rank_ != 0) return;
  if (on_log) on_log(message);
  else std::cerr << "slimlab: " << message << "\n";
}

EvalMetrics Trainer::evaluate(const data::ArraySet& set) {
  torch::NoGradGuard no_grad;
  model_->eval();
  const int64_t n = int64_t(set.size());
  const int64_t chunk = std::max<int64_t>(cfg_.batch_size, 256);
  std::vector<int64_t> y_true(set.labels.begin(), set.labels.end()), y_pred;
  y_pred.reserve(size_t(n));
  double loss_sum = 0;
  for (int64_t lo = 0; lo < n; lo += chunk) {
    const int64_t m = std::min(chunk, n - lo);
    std::vector<int64_t> shape{m};
    shape.insert(shape.end(), set.sample_shape.begin(), set.sample_shape.end());
    // The set is only read: from_blob shares its memory without a copy.
    torch::Tensor x = torch::from_blob(const_cast<float*>(set.sample(size_t(lo))), shape, torch::kFloat32);
    torch::Tensor y = torch::from_blob(y_true.data() + lo, {m}, torch::kInt64);
    torch::Tensor logits = model_->forward(x);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    torch::Tensor pred = logits.argmax(1).contiguous();
    const int64_t* p = pred.data_ptr<int64_t>();
    y_pred.insert(y_pred.end(), p, p + m);
  }
  int64_t k = std::max<int64_t>(num_classes_, int64_t(set.class_names.size()));
  for (int64_t v : y_true) k = std::max(k, v + 1);
  return compute_metrics(y_true, y_pred, std::max<int64_t>(k, 1), n > 0 ? loss_sum / double(n) : 0.0);
}

Trainer::EpochTotals Trainer::train_epoch(int epoch) {
  EpochTotals tot;
  const int world = parallel_ ? parallel_->world_size() : 1;
  const int rank = parallel_ ? parallel_->rank() : 0;
  // Dropout and other random layers: one seed per (epoch, rank), independent of history.
  torch::manual_seed(cfg_.seed + uint64_t(epoch) + uint64_t(rank) * 0x9E3779B97F4A7C15ull);
  std::vector<size_t> perm(data_.train.size());
  std::iota(perm.begin(), perm.end(), size_t(0));
  data::seeded_shuffle(perm, epoch_shuffle_seed(cfg_.seed, epoch));
  train_set_.set_epoch(epoch);  // augmentation draws: (seed, epoch, index)
  const auto ranges = batch_ranges(perm.size(), cfg_.batch_size, world);
  const std::vector<torch::Tensor> params = model_->parameters();
  const bool report = progress_ && rank_ == 0;
  if (report) progress_->begin_epoch(epoch, cfg_.epochs, int64_t(ranges.size()));

  if (before_epoch) before_epoch(epoch);
  model_->train();
  double shown_loss = 0, shown_weight = 0;  // this rank's running (weighted) mean, for the progress line
  const double t_start = now_seconds();
  for (size_t b = 0; b < ranges.size(); ++b) {
    const auto [lo, hi] = ranges[b];
    const size_t m = hi - lo;
    // Rank r's contiguous slice of the global batch.
    const size_t s_lo = lo + size_t(rank) * m / size_t(world), s_hi = lo + size_t(rank + 1) * m / size_t(world);
    // The global batch's mean-loss denominator: its size, or the sum of its
    // samples' class weights (as in a weighted mean cross-entropy). Every rank
    // knows the whole permutation, so no communication is needed.
    double denominator = double(m);
    if (!class_weights_.empty()) {
      denominator = 0;
      for (size_t i = lo; i < hi; ++i) denominator += class_weights_[size_t(data_.train.labels[perm[i]])];
    }
    const double t0 = now_seconds();
    torch::data::Example<> ex = train_set_.batch(std::vector<size_t>(perm.begin() + long(s_lo), perm.begin() + long(s_hi)));
    const double t1 = now_seconds();

    torch::Tensor logits = model_->forward(ex.data);
    if (logits.dim() != 2 || logits.size(1) != num_classes_) {
      std::ostringstream o;
      o << "Trainer: the model's output has shape " << logits.sizes() << ", expected [batch, " << num_classes_
        << "] (the data has " << num_classes_ << " classes)";
      throw std::runtime_error(o.str());
    }
    torch::Tensor per_sample =
        per_sample_loss ? per_sample_loss(logits, ex.data, ex.target)
                        : torch::nn::functional::cross_entropy(
                              logits, ex.target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    torch::Tensor weight_sum = torch::tensor(double(s_hi - s_lo));
    if (class_weights_tensor_.defined()) {
      torch::Tensor w = class_weights_tensor_.index_select(0, ex.target);
      per_sample = per_sample * w;
      weight_sum = w.sum();
    }
    torch::Tensor loss = per_sample.sum() / denominator;
    if (extra_loss) loss = loss + extra_loss();
    optimizer_->zero_grad();
    loss.backward();
    if (parallel_) parallel_->sum_gradients(params);
    if (cfg_.grad_clip > 0) torch::nn::utils::clip_grad_norm_(params, cfg_.grad_clip);
    optimizer_->step();
    if (after_step) after_step();
    const double t2 = now_seconds();

    tot.data_seconds += t1 - t0;
    tot.step_seconds += t2 - t0;
    tot.loss_sum += loss.item<double>();
    tot.correct += (logits.argmax(1) == ex.target).sum().item<int64_t>();
    tot.samples += int64_t(s_hi - s_lo);
    tot.global_samples += int64_t(m);
    ++tot.batches;
    if (report) {
      shown_loss += per_sample.sum().item<double>();
      shown_weight += weight_sum.item<double>();
      progress_->step(int64_t(b + 1), shown_weight > 0 ? shown_loss / shown_weight : 0.0,
                      tot.samples > 0 ? double(tot.correct) / double(tot.samples) : 0.0,
                      double(tot.global_samples) / std::max(1e-9, now_seconds() - t_start));
    }
  }
  tot.train_seconds = now_seconds() - t_start;
  return tot;
}

TrainResult Trainer::fit(bool resume) {
  if (cfg_.threads > 0) torch::set_num_threads(cfg_.threads);
  if (cfg_.world_size > 1 && !parallel_) parallel_ = std::make_unique<DataParallel>(cfg_);
  optimizer_ = optimizer_factory ? optimizer_factory(model_->parameters()) : make_optimizer(cfg_, model_->parameters());
  if (!optimizer_) throw std::logic_error("Trainer: optimizer_factory returned no optimizer");

  TrainingState st;
  st.config = describe_for_resume(cfg_);
  const std::filesystem::path file = checkpoint_file();
  if (resume) {
    if (file.empty()) {
      log("resume: no checkpoint directory given; starting from epoch 1");
    } else if (load_checkpoint(file, *model_, optimizer_.get(), st)) {
      const std::string now = describe_for_resume(cfg_);
      if (st.config != now) {
        // Name the first setting that differs.
        std::istringstream a(st.config), b(now);
        std::string la, lb;
        while (std::getline(a, la) && std::getline(b, lb) && la == lb) {
        }
        throw std::runtime_error("checkpoint " + file.string() +
                                 " was written with another training configuration (checkpoint: " + la +
                                 ", now: " + lb + "); resume with the same settings or start a new run");
      }
      log("resuming from " + file.string() + " after epoch " + std::to_string(st.epoch));
    } else {
      log("resume: no checkpoint at " + file.string() + "; starting from epoch 1");
    }
  }
  if (parallel_) {
    // Every rank must continue from the same epoch, or the collectives would not pair up.
    const double e = double(st.epoch);
    const double lo = parallel_->all_reduce({e}, DataParallel::Op::kMin)[0];
    const double hi = parallel_->all_reduce({e}, DataParallel::Op::kMax)[0];
    if (lo != hi)
      throw std::runtime_error("distributed resume: rank " + std::to_string(rank_) + " resumes after epoch " +
                               std::to_string(st.epoch) + " but other ranks after " + num(lo) + ".." + num(hi) +
                               " — the checkpoint directory must hold the same last.pt on every machine");
    parallel_->broadcast_module(*model_);
  }

  const bool has_val = data_.val.size() > 0;
  for (int epoch = st.epoch + 1; epoch <= cfg_.epochs && !st.stopped_early; ++epoch) {
    const double t_epoch = now_seconds();
    const double lr = scheduled_lr(cfg_, epoch);
    set_learning_rate(*optimizer_, lr);
    EpochTotals tot = train_epoch(epoch);
    if (parallel_) {
      const auto sums = parallel_->all_reduce({tot.loss_sum, double(tot.correct), double(tot.samples)});
      tot.loss_sum = sums[0];
      tot.correct = int64_t(sums[1]);
      tot.samples = int64_t(sums[2]);
      parallel_->broadcast_buffers(*model_);  // BatchNorm running statistics of rank 0
    }
    EpochMetrics m;
    m.epoch = epoch;
    m.lr = lr;
    m.train_loss = tot.batches > 0 ? tot.loss_sum / double(tot.batches) : 0.0;
    m.train_accuracy = tot.samples > 0 ? double(tot.correct) / double(tot.samples) : 0.0;
    if (!std::isfinite(m.train_loss))
      throw std::runtime_error("training diverged: the loss is " + std::to_string(m.train_loss) + " in epoch " +
                               std::to_string(epoch) + " (learning rate " + std::to_string(lr) +
                               "); lower train.lr, add warm-up (train.warmup_epochs) or clip gradients (train.grad_clip)");
    if (has_val) {
      const EvalMetrics v = evaluate(data_.val);
      std::vector<torch::Tensor> vals{torch::tensor({v.loss, v.accuracy, v.macro_f1}, torch::kFloat64)};
      // Rank 0 decides early stopping for everyone: its numbers go to all ranks.
      if (parallel_) parallel_->broadcast(vals);
      m.val_loss = vals[0][0].item<double>();
      m.val_accuracy = vals[0][1].item<double>();
      m.val_macro_f1 = vals[0][2].item<double>();
    }
    m.seconds = now_seconds() - t_epoch;
    m.samples_per_second = double(tot.global_samples) / std::max(1e-9, tot.train_seconds);
    m.data_wait_fraction = tot.step_seconds > 0 ? tot.data_seconds / tot.step_seconds : 0.0;

    st.history.push_back(m);
    st.epoch = epoch;
    st.lr = lr;
    if (has_val) {
      if (m.val_accuracy > st.best_val_accuracy) {
        st.best_epoch = epoch;
        st.best_val_accuracy = m.val_accuracy;
        st.best_weights = snapshot_weights(*model_);
        st.epochs_since_best = 0;
      } else if (cfg_.patience > 0 && ++st.epochs_since_best >= cfg_.patience) {
        st.stopped_early = true;
      }
    } else {
      st.best_epoch = epoch;  // no validation: keep the last epoch
    }
    if (rank_ == 0 && !file.empty()) {
      std::filesystem::create_directories(checkpoint_dir_);
      save_checkpoint(file, *model_, *optimizer_, st);
    }
    if (rank_ == 0) {
      if (progress_) progress_->end_epoch(m);
      if (on_epoch) on_epoch(m);
    }
  }
  if (has_val && !st.best_weights.empty()) restore_weights(*model_, st.best_weights);

  TrainResult r;
  r.epochs = st.history;
  r.best_epoch = st.best_epoch;
  r.stopped_early = st.stopped_early;
  if (has_val) r.val = evaluate(data_.val);
  if (data_.test.size() > 0) r.test = evaluate(data_.test);
  for (const auto& e : st.history) r.train_seconds += e.seconds;
  if (parallel_) parallel_->barrier();  // nobody tears down the group while another rank still uses it
  return r;
}

}  // namespace slimlab::train
