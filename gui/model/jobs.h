#pragma once
// The GUI's jobs are the shared launcher's (experiments/jobs.h): the same queue,
// states and run-status rule as `slimlab run`.
#include "experiments/jobs.h"

namespace slimlab::gui {

using exp::Job;
using exp::JobQueue;
using exp::JobSpec;
using exp::JobState;
using exp::mark_run_failed;
using exp::to_string;

// Whether every job of `ids` has ended (or was cleared from the queue): a "queued N
// run(s)" message is then stale.
inline bool all_done(const JobQueue& q, const std::vector<int>& ids) {
  for (int id : ids)
    if (const Job* j = q.find(id); j && !j->done()) return false;
  return true;
}

}  // namespace slimlab::gui
