#pragma once
// The knowledge-distillation stage (see distill.h for its keys) and its loss.
#include <memory>

#include "compress/distill/distill.h"
#include "compress/stage_torch.h"

namespace slimlab::compress {

std::unique_ptr<Stage> make_distill_stage();

// Per-sample α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(y, s): [B].
torch::Tensor distillation_loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                                const torch::Tensor& targets, double temperature, double alpha);

// The teacher as a frozen GraphModule in eval mode: the graph of ref.graph, with the
// weights of ref.checkpoint when given (tensors matched by name; extra entries such
// as BN step counters are ignored). std::runtime_error naming the file / tensor.
GraphModule load_teacher(const TeacherRef& ref);

}  // namespace slimlab::compress
