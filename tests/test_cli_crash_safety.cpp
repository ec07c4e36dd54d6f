// kill -9 at random points of a whole run — base training, the DeepIoT stage, a
// QAT stage, the export — and inside checkpoint and results writes (through the
// SLIMLAB_FAULT hook, datasets/atomic_file.h), then `--resume`: the run finishes,
// no HDF5 file or .slim in the run folder is ever left half-written, and the
// resumed run ends where the uninterrupted one does: the same metrics, sizes and
// .slim accuracy in `runs list`, and bit-identical final weights in model.h5.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "datasets/h5.h"
#include "train/graph_io.h"
#include "test_util.h"

namespace fs = std::filesystem;
using slimlab::test::TempDir;

namespace {

std::string read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string quickstart() { return (fs::path(SLIMLAB_SOURCE_DIR) / "experiments/quickstart.toml").string(); }

// The quickstart's chain on a short leash, with the last stage as QAT (one epoch).
std::string args(const TempDir& dir, const std::string& run_id) {
  return "train " + quickstart() +
         " --set dataset.synthetic_scale=0.25 --set dataset.synthetic_subjects=10 --set train.epochs=2 --set train.threads=1"
         " --set dataset.cache_dir=" + (dir / "cache").string() +
         " --set stage.0.threshold_every=1 --set stage.0.max_iterations=60 --set stage.0.eval_every=20"
         " --set stage.0.epochs=1 --set stage.1.epochs=1 --set stage.2.mode=qat --set stage.2.epochs=1"
         " --runs " + (dir / "runs").string() + " --run-id " + run_id + " --quiet";
}

struct Exit {
  bool killed = false;  // ended by SIGKILL
  int code = -1;        // exit code otherwise
  std::string out;
};

// Runs `slimlab ARGS` with extra environment; kills it with SIGKILL after
// `kill_after` (when > 0).
Exit run(const std::string& a, const std::string& env, std::chrono::milliseconds kill_after) {
  const fs::path log = fs::temp_directory_path() / ("slimlab-crash-" + std::to_string(::getpid()) + ".log");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    const std::string cmd = env + " exec " + (slimlab::test::bin_dir() / "slimlab").string() + " " + a + " > " +
                            log.string() + " 2>&1";
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  if (kill_after.count() > 0) {
    const auto deadline = std::chrono::steady_clock::now() + kill_after;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  } else {
    ::waitpid(pid, &status, 0);
  }
  Exit e;
  e.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  e.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  e.out = read(log);
  fs::remove(log);
  return e;
}

// What an uninterrupted run and a resumed one must agree on.
std::string outcome(const TempDir& dir, const std::string& run_id) {
  const auto r = slimlab::test::run_slimlab(
      "runs list --runs " + (dir / "runs").string() +
      " --columns run,status,val_acc,test_acc,params,bytes,macs,slim_precision,slim_acc,file_bytes,arena_bytes");
  std::string row;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (line.find(run_id + " ") != std::string::npos) row = line.substr(line.find(run_id) + run_id.size());
  // The table's alignment depends on the longest run id: compare the cells, not the spacing.
  std::istringstream cells(row);
  std::string out;
  for (std::string c; cells >> c;) out += c + " ";
  return out;
}

// The final model's weights, layer by layer ("" when model.h5 cannot be read).
std::vector<std::vector<float>> final_weights(const TempDir& dir, const std::string& run_id) {
  std::vector<std::vector<float>> w;
  const slimlab::ir::Graph g = slimlab::ir::read_graph_h5(dir / "runs/quickstart" / run_id / "model.h5");
  for (const auto& l : g.layers)
    for (const auto& p : l.params) w.push_back(p.data);
  return w;
}

// Every HDF5 file in the run folder opens; nothing but temporaries is half-written.
void expect_whole_files(const fs::path& run_dir, const std::string& when) {
  if (!fs::exists(run_dir)) return;
  for (const auto& e : fs::recursive_directory_iterator(run_dir)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) continue;  // a temporary: never read as the real file
    if (e.path().extension() == ".h5")
      EXPECT_NO_THROW(slimlab::h5::File::open_read(e.path())) << when << ": " << e.path();
    if (e.path().extension() == ".slim") {
      const std::string bytes = read(e.path());
      EXPECT_GE(bytes.size(), 8u) << when << ": " << e.path();
      EXPECT_EQ(bytes.substr(4, 4), "SLIM") << when << ": " << e.path();
    }
  }
}

}  // namespace

namespace slimlab::test {
// slimrt-run describe FILE: the .slim loads and verifies.
inline CommandResult run_slimrt_describe(const fs::path& slim) {
  const std::string cmd = (bin_dir() / "slimrt-run").string() + " describe " + slim.string() + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}
}  // namespace slimlab::test

TEST(CliCrashSafety, KillNineAnywhereThenResumeEqualsUninterrupted) {
  TempDir dir;
  const auto t0 = std::chrono::steady_clock::now();
  const Exit ref = run(args(dir, "ref"), "", {});
  ASSERT_EQ(ref.code, 0) << ref.out;
  const auto whole = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_NE(outcome(dir, "ref").find("finished"), std::string::npos) << outcome(dir, "ref");

  // Kill points: inside checkpoint and results writes (fault hook, a random pass),
  // and at random moments of the run (base training, stages, export).
  std::mt19937 rng(20261207);
  std::vector<std::pair<std::string, std::chrono::milliseconds>> kills;
  for (const char* point : {"checkpoint:mid-write", "checkpoint:before-rename", "h5:mid-write", "h5:before-rename"})
    kills.push_back({"SLIMLAB_FAULT=" + std::string(point) + "@" + std::to_string(1 + rng() % 3), {}});
  for (int k = 0; k < 3; ++k)
    kills.push_back({"", std::chrono::milliseconds(200 + rng() % std::max<long>(1, long(whole.count()) - 200))});

  for (size_t i = 0; i < kills.size(); ++i) {
    const std::string id = "k" + std::to_string(i);
    const std::string what = kills[i].first.empty()
                                 ? "kill -9 after " + std::to_string(kills[i].second.count()) + " ms"
                                 : kills[i].first;
    const Exit first = run(args(dir, id), kills[i].first, kills[i].second);
    if (!first.killed) {  // the point was not reached (e.g. fewer writes) — then it must have finished cleanly
      EXPECT_EQ(first.code, 0) << what << "\n" << first.out;
    }
    expect_whole_files(dir / "runs/quickstart" / id, what);
    Exit resumed = run(args(dir, id) + " --resume", "", {});
    EXPECT_EQ(resumed.code, 0) << what << "\n" << resumed.out;
    const std::string got = outcome(dir, id);
    EXPECT_NE(got.find("finished"), std::string::npos) << what << ": " << got;
    EXPECT_NE(got.find("int8"), std::string::npos) << what << ": the export is missing: " << got;
    EXPECT_EQ(got, outcome(dir, "ref")) << what << ": the resumed run ends elsewhere than the uninterrupted one";
    EXPECT_TRUE(final_weights(dir, id) == final_weights(dir, "ref")) << what << ": final weights differ";
    const auto d = slimlab::test::run_slimrt_describe(dir / "runs/quickstart" / id / "model.slim");
    EXPECT_EQ(d.code, 0) << what << ": " << d.out;
    expect_whole_files(dir / "runs/quickstart" / id, what + ", resumed");
  }
}
