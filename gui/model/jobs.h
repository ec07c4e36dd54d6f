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

}  // namespace slimlab::gui
