#pragma once
// Knowledge distillation (Hinton, Vinyals, Dean 2015), the torch-free half: the
// stage's keys and checks, and how a teacher reference is resolved.
//
//   [[stage]]
//   type = "distill"
//   teacher = "runs/fsdd_dnn/p00"   # a finished run (folder, or "<experiment>/<run-id>" under runs/),
//                                   # its model.h5, or a checkpoint .pt inside a run folder
//   temperature = 4.0               # T
//   alpha = 0.7                     # weight of the soft-target term
//   epochs = 20
//
// Student loss per sample = α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α)·CE(y, z_s);
// the teacher is frozen in eval mode. The student is whatever model the stage
// receives (with any quantization hooks earlier stages installed).
#include <filesystem>
#include <string>

#include "compress/stage.h"

namespace slimlab::compress {

StageDescription distill_stage_description();

struct TeacherRef {
  std::filesystem::path graph;       // model.h5: structure, formats and (final) weights
  std::filesystem::path checkpoint;  // a training checkpoint whose weights replace the graph's ("" = none)
};

// `text` is a run folder, "<experiment>/<run-id>" under `runs_root`, a model.h5, or
// a checkpoint .pt inside a run folder (<run>/checkpoints/last.pt or
// <run>/stages/<i>-<type>/checkpoints/last.pt: the structure comes from
// <run>/model.h5 or the stage's model.h5). std::invalid_argument saying what was looked for.
TeacherRef resolve_teacher(const std::string& text, const std::filesystem::path& runs_root = "runs");

}  // namespace slimlab::compress
