#pragma once
// Data-parallel training over c10d's Gloo process group (CPU, TCP).
//
// `world_size` processes — on one machine or several — each hold a full copy of
// the model. Rendezvous is a c10d TCPStore at TrainConfig::master ("host:port");
// rank 0 runs the store's server, so its address must be reachable by every rank.
// The Trainer uses this class when TrainConfig::world_size > 1:
//   - at the start rank 0's parameters and buffers are broadcast, so every rank
//     starts from the same weights whatever its own initialisation was;
//   - every rank builds the same permutation of the training split from
//     (seed, epoch); each global batch of batch_size samples is cut into
//     world_size contiguous slices and rank r trains on slice r, so the global
//     batch stays batch_size (the per-rank batch is batch_size / world_size);
//   - each rank's loss is its slice's share of the global batch's mean loss
//     (its sum of per-sample losses divided by the global batch's size, or the
//     global sum of class weights), so the SUM of the ranks' gradients is exactly
//     the gradient a single process would get for the whole batch — also for an
//     uneven last batch and with class weighting. Gradients travel as one
//     flattened bucket (a single all-reduce per step);
//   - BatchNorm statistics are per rank (no SyncBatchNorm); rank 0's running
//     statistics are broadcast after every epoch so all ranks stay identical.
// Only *_torch.cpp files include this header; c10d itself stays in the .cpp.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "train/config.h"

namespace slimlab::train {

struct MasterAddress {
  std::string host;
  uint16_t port = 0;
};
// "host:port" or "[ipv6]:port"; std::invalid_argument naming the text otherwise.
MasterAddress parse_master(const std::string& text);

class DataParallel {
 public:
  // Joins the process group (blocks until all cfg.world_size ranks have joined;
  // std::runtime_error after kRendezvousTimeout). The Gloo transport binds to
  // $GLOO_SOCKET_IFNAME when set, to loopback when the master is a loopback
  // address, and otherwise to the address this machine's hostname resolves to.
  explicit DataParallel(const TrainConfig& cfg);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }

  // Overwrites `tensors` (in place) with root's values.
  void broadcast(const std::vector<torch::Tensor>& tensors, int root = 0);
  // Every parameter and buffer of `module` from rank 0.
  void broadcast_module(torch::nn::Module& module);
  void broadcast_buffers(torch::nn::Module& module);
  // Replaces every parameter's gradient by its sum over the ranks (one flattened
  // bucket; a missing gradient counts as zeros).
  void sum_gradients(const std::vector<torch::Tensor>& parameters);
  enum class Op { kSum, kMin, kMax };
  std::vector<double> all_reduce(const std::vector<double>& values, Op op = Op::kSum);
  void barrier();

  static constexpr int kRendezvousTimeoutSeconds = 300;
  static constexpr int kOperationTimeoutSeconds = 1800;

 private:
  struct Group;
  std::unique_ptr<Group> group_;
  int rank_ = 0, world_size_ = 1;
  torch::Tensor bucket_;  // flattened gradients, reused between steps
};

// A TCP port that was free on `host` a moment ago (bind to port 0, read it back).
uint16_t free_tcp_port(const std::string& host = "127.0.0.1");

// Runs `nproc` copies of the current executable (/proc/self/exe) on this machine
// as ranks 0..nproc-1: each gets argv_without_nproc (the full command line,
// argv[0] included, with --nproc and its value removed) followed by
// `--world-size N --rank r --master 127.0.0.1:<free port>`. Waits for all; if
// one fails, the others get SIGTERM (SIGKILL 5 s later). Returns 0 when all
// exited 0, else the first failure's exit code (128 + signal for a signal).
int launch_local_workers(int nproc, const std::vector<std::string>& argv_without_nproc);

}  // namespace slimlab::train
