// The one job launcher (experiments/jobs.h) and the run-folder lock
// (experiments/run_lock.h): how a launched run ends — failed with the reason,
// killed by a signal, cancelled — and one process per run folder.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "experiments/jobs.h"
#include "experiments/run_lock.h"
#include "experiments/runs.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::exp;
namespace fs = std::filesystem;

namespace {

using test::read_text;

std::pair<std::string, std::string> status_of(const fs::path& run) { return parse_status_text(read_text(run / "status")); }

// A child process that holds `dir`'s lock until killed.
pid_t hold_lock_in_child(const fs::path& dir) {
  int ready[2];
  if (pipe(ready) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    RunLock lock(dir);
    const char ok = 1;
    if (::write(ready[1], &ok, 1) != 1) _exit(2);
    for (;;) pause();
  }
  close(ready[1]);
  char ok = 0;
  if (::read(ready[0], &ok, 1) != 1) ok = 0;
  close(ready[0]);
  return ok ? pid : -1;
}

void stop(pid_t pid) {
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
}

JobSpec train_job(const std::string& label, const std::string& script, const fs::path& run) {
  JobSpec s;
  s.label = label;
  s.argv = {"/bin/sh", "-c", script};
  s.run_dir = run;
  s.output = run / "console.txt";
  return s;
}

}  // namespace

TEST(RunLock, OneProcessPerRunFolder) {
  test::TempDir tmp;
  const fs::path run = tmp / "runs" / "e" / "p00";
  EXPECT_EQ(run_lock_holder(run), 0);  // no lock file yet
  const pid_t child = hold_lock_in_child(run);
  ASSERT_GT(child, 0);
  EXPECT_TRUE(has_run_lock_file(run));
  EXPECT_EQ(run_lock_holder(run), child);
  try {
    RunLock second(run);
    ADD_FAILURE() << "a second lock of a held folder";
  } catch (const RunFolderBusy& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another slimlab process (pid " + std::to_string(child) + ")"),
              std::string::npos)
        << e.what();
  }
  // The launcher never writes into a folder a live process holds.
  test::write_text(run / "status", "running\n");
  EXPECT_FALSE(mark_run_failed(run, "exit 1"));
  EXPECT_EQ(read_text(run / "status"), "running\n");
  // kill -9 frees it: the listing then knows the run is gone.
  stop(child);
  EXPECT_EQ(run_lock_holder(run), 0);
  const auto runs = list_runs(tmp / "runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "failed");
  RunLock mine(run);
  EXPECT_TRUE(mine.held());
}

TEST(RunLauncher, DescribesHowAChildEnded) {
  EXPECT_EQ(describe_signal(SIGKILL), "signal 9 (SIGKILL — out of memory?)");
  EXPECT_EQ(describe_signal(SIGSEGV), "signal 11 (SIGSEGV)");
  EXPECT_EQ(describe_wait_status(W_EXITCODE(3, 0)), "exit 3");
  EXPECT_EQ(describe_wait_status(W_EXITCODE(0, SIGKILL)), "killed by signal 9 (SIGKILL — out of memory?)");
}

// One rule for failed, killed and cancelled runs: the status file says it with the
// reason, and a listing shows it.
TEST(RunLauncher, FailedKilledAndCancelledRuns) {
  test::TempDir tmp;
  const fs::path root = tmp / "runs";
  JobQueue q;
  q.kill_on_exit = true;
  q.kill_after = std::chrono::milliseconds(200);
  q.set_max_parallel(4);
  for (const char* id : {"killed", "exit", "said", "cancel"}) test::write_text(root / "e" / id / "status", "running\n");
  const int killed = q.submit(train_job("killed", "kill -KILL $$", root / "e" / "killed"));
  // Exits non-zero with the status still "running": the last error line it printed is the reason.
  const int exit1 = q.submit(train_job("exit", "echo 'slimlab: error: dataset.source: gone' >&2; exit 1",
                                       root / "e" / "exit"));
  // A run that wrote its own failure is left alone.
  const int said = q.submit(train_job(
      "said", "echo 'failed: export (binary) failed: x' > '" + (root / "e" / "said" / "status").string() + "'; exit 1",
      root / "e" / "said"));
  const int cancelled = q.submit(train_job("cancel", "trap '' TERM; sleep 30", root / "e" / "cancel"));
  const int queued = q.submit(train_job("queued", "exit 0", root / "e" / "queued"));
  q.poll();
  q.cancel(cancelled);
  q.cancel(queued, "cancelled before it started");
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  EXPECT_EQ(q.find(killed)->state, JobState::kFailed);
  EXPECT_EQ(q.find(killed)->signal, SIGKILL);
  EXPECT_EQ(q.find(killed)->message, "killed by signal 9 (SIGKILL — out of memory?)");
  auto st = status_of(root / "e" / "killed");
  EXPECT_EQ(st.first, "failed");
  EXPECT_EQ(st.second.rfind("killed by signal 9 (SIGKILL — out of memory?)", 0), 0u) << st.second;
  st = status_of(root / "e" / "exit");
  EXPECT_EQ(st, (std::pair<std::string, std::string>{"failed", "dataset.source: gone"}));
  EXPECT_EQ(q.find(exit1)->exit_code, 1);
  EXPECT_EQ(q.find(said)->state, JobState::kFailed);
  EXPECT_EQ(read_text(root / "e" / "said" / "status"), "failed: export (binary) failed: x\n");
  EXPECT_EQ(q.find(cancelled)->state, JobState::kCancelled);
  EXPECT_EQ(status_of(root / "e" / "cancel"), (std::pair<std::string, std::string>{"cancelled", "cancelled from the GUI"}));
  EXPECT_EQ(q.find(queued)->state, JobState::kCancelled);
  EXPECT_EQ(status_of(root / "e" / "queued").first, "cancelled");

  const auto runs = list_runs(root);
  std::map<std::string, std::string> status;
  for (const auto& r : runs) status[r.run_id] = r.status;
  EXPECT_EQ(status["killed"], "failed");
  EXPECT_EQ(status["exit"], "failed");
  EXPECT_EQ(status["cancel"], "cancelled");
  EXPECT_EQ(status["queued"], "cancelled");
}
