#include "train/distributed.h"

// c10d's Gloo process group is compiled into Debian's libtorch_cpu; its header
// is guarded by the macro the PyTorch build defines.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace slimlab::train {

namespace {

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

std::shared_ptr<::gloo::transport::Device> make_device(const std::string& master_host) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (is_loopback(master_host)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("distributed ") + what + " failed (another rank stopped?): " + e.what());
  }
}

}  // namespace

struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

MasterAddress parse_master(const std::string& text) {
  std::string host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      throw std::invalid_argument("master: '" + text + "' is not [ipv6]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw std::invalid_argument("master: '" + text + "' is not host:port (e.g. 127.0.0.1:29500)");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  char* end = nullptr;
  const long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 1 || p > 65535)
    throw std::invalid_argument("master: port '" + port + "' in '" + text + "' is not in 1..65535");
  return {host, uint16_t(p)};
}

DataParallel::DataParallel(const TrainConfig& cfg) : rank_(cfg.rank), world_size_(cfg.world_size) {
  if (world_size_ < 1) throw std::invalid_argument("world_size must be at least 1, got " + std::to_string(world_size_));
  if (rank_ < 0 || rank_ >= world_size_)
    throw std::invalid_argument("rank " + std::to_string(rank_) + " is outside 0.." + std::to_string(world_size_ - 1));
  const MasterAddress master = parse_master(cfg.master);
  group_ = std::make_unique<Group>();
  try {
    c10d::TCPStoreOptions so;
    so.port = master.port;
    so.isServer = rank_ == 0;
    so.numWorkers = size_t(world_size_);
    so.waitWorkers = true;
    so.timeout = std::chrono::seconds(kRendezvousTimeoutSeconds);
    group_->store = c10::make_intrusive<c10d::TCPStore>(master.host, so);
    auto opts = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(kOperationTimeoutSeconds));
    opts->devices.push_back(make_device(master.host));
    group_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank_, world_size_, opts);
  } catch (const std::exception& e) {
    throw std::runtime_error("distributed rendezvous at " + cfg.master + " as rank " + std::to_string(rank_) + " of " +
                             std::to_string(world_size_) + " failed: " + e.what());
  }
}

DataParallel::~DataParallel() = default;

void DataParallel::broadcast(const std::vector<torch::Tensor>& tensors, int root) {
  if (tensors.empty()) return;
  // One flat buffer: a single collective instead of one per tensor.
  std::vector<torch::Tensor> flat_parts;
  for (const auto& t : tensors) flat_parts.push_back(t.detach().reshape({-1}).to(torch::kFloat64));
  std::vector<torch::Tensor> buf{torch::cat(flat_parts)};
  c10d::BroadcastOptions o;
  o.rootRank = root;
  wait(group_->pg->broadcast(buf, o), "broadcast");
  torch::NoGradGuard no_grad;
  int64_t off = 0;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(buf[0].narrow(0, off, n).view(t.sizes()).to(t.scalar_type()));
    off += n;
  }
}

void DataParallel::broadcast_module(torch::nn::Module& module) {
  std::vector<torch::Tensor> all = module.parameters(/*recurse=*/true);
  for (auto& b : module.buffers(/*recurse=*/true)) all.push_back(b);
  broadcast(all);
}

void DataParallel::broadcast_buffers(torch::nn::Module& module) { broadcast(module.buffers(/*recurse=*/true)); }

void DataParallel::sum_gradients(const std::vector<torch::Tensor>& parameters) {
  int64_t total = 0;
  for (const auto& p : parameters) total += p.numel();
  if (total == 0) return;
  if (!bucket_.defined() || bucket_.numel() != total) bucket_ = torch::empty({total}, torch::kFloat32);
  torch::NoGradGuard no_grad;
  int64_t off = 0;
  for (const auto& p : parameters) {
    const int64_t n = p.numel();
    if (p.grad().defined()) bucket_.narrow(0, off, n).copy_(p.grad().reshape({-1}));
    else bucket_.narrow(0, off, n).zero_();
    off += n;
  }
  std::vector<torch::Tensor> buf{bucket_};
  wait(group_->pg->allreduce(buf), "gradient all-reduce");
  off = 0;
  for (const auto& p : parameters) {
    const int64_t n = p.numel();
    torch::Tensor g = bucket_.narrow(0, off, n).view(p.sizes());
    if (p.grad().defined()) p.mutable_grad().copy_(g);
    else p.mutable_grad() = g.clone();
    off += n;
  }
}

std::vector<double> DataParallel::all_reduce(const std::vector<double>& values, Op op) {
  if (values.empty()) return {};
  std::vector<torch::Tensor> buf{torch::tensor(values, torch::kFloat64)};
  c10d::AllreduceOptions o;
  o.reduceOp = op == Op::kSum ? c10d::ReduceOp::SUM : op == Op::kMin ? c10d::ReduceOp::MIN : c10d::ReduceOp::MAX;
  wait(group_->pg->allreduce(buf, o), "all-reduce");
  const double* p = buf[0].data_ptr<double>();
  return std::vector<double>(p, p + values.size());
}

void DataParallel::barrier() { wait(group_->pg->barrier(), "barrier"); }

uint16_t free_tcp_port(const std::string& host) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("free_tcp_port: socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    ::close(fd);
    throw std::invalid_argument("free_tcp_port: '" + host + "' is not an IPv4 address");
  }
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("free_tcp_port: bind to " + host + ": " + err);
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

int launch_local_workers(int nproc, const std::vector<std::string>& argv_without_nproc) {
  if (nproc < 1) throw std::invalid_argument("--nproc must be at least 1, got " + std::to_string(nproc));
  for (const auto& a : argv_without_nproc)
    for (const char* flag : {"--world-size", "--rank", "--master", "--nproc"})
      if (a == flag || a.rfind(std::string(flag) + "=", 0) == 0)
        throw std::invalid_argument(std::string("launch_local_workers: ") + flag +
                                    " is set by the launcher; remove it from the command line");
  std::error_code ec;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) throw std::runtime_error("launch_local_workers: cannot read /proc/self/exe: " + ec.message());
  const std::string master = "127.0.0.1:" + std::to_string(free_tcp_port("127.0.0.1"));

  // Build every argv before forking: the child only calls execv (async-signal-safe).
  std::vector<std::vector<std::string>> args(static_cast<size_t>(nproc));
  for (int r = 0; r < nproc; ++r) {
    args[size_t(r)] = argv_without_nproc;
    if (args[size_t(r)].empty()) args[size_t(r)].push_back(exe);
    for (const std::string& s :
         {std::string("--world-size"), std::to_string(nproc), std::string("--rank"), std::to_string(r),
          std::string("--master"), master})
      args[size_t(r)].push_back(s);
  }
  std::vector<std::vector<char*>> cargs(static_cast<size_t>(nproc));
  for (int r = 0; r < nproc; ++r) {
    for (auto& s : args[size_t(r)]) cargs[size_t(r)].push_back(s.data());
    cargs[size_t(r)].push_back(nullptr);
  }

  std::vector<pid_t> pids;
  auto terminate_all = [&](int sig) {
    for (pid_t p : pids)
      if (p > 0) ::kill(p, sig);
  };
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      const std::string err = std::strerror(errno);
      terminate_all(SIGKILL);
      for (pid_t p : pids) ::waitpid(p, nullptr, 0);
      throw std::runtime_error("launch_local_workers: fork failed: " + err);
    }
    if (pid == 0) {
      ::execv(exe.c_str(), cargs[size_t(r)].data());
      ::_exit(127);
    }
    pids.push_back(pid);
  }

  auto exit_code = [](int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
  };
  int result = 0;
  size_t running = pids.size();
  double kill_deadline = -1;  // seconds on steady_clock after which survivors get SIGKILL
  auto now = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
  while (running > 0) {
    int status = 0;
    pid_t done = 0;
    for (auto& p : pids) {
      if (p <= 0) continue;
      const pid_t w = ::waitpid(p, &status, WNOHANG);
      if (w == p) {
        done = p;
        p = -p;  // reaped
        break;
      }
    }
    if (done == 0) {
      if (kill_deadline > 0 && now() > kill_deadline) {
        terminate_all(SIGKILL);
        kill_deadline = -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    --running;
    const int code = exit_code(status);
    if (code != 0 && result == 0) {
      result = code;
      terminate_all(SIGTERM);  // the others would wait for the failed rank until their timeout
      kill_deadline = now() + 5.0;
    }
  }
  return result;
}

}  // namespace slimlab::train
