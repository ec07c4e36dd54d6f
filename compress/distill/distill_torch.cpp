#include "compress/distill/distill_torch.h"

#include <iomanip>
#include <map>
#include <sstream>

#include "train/graph_io.h"
#include "train/op_facts.h"
#include "train/trainer.h"

namespace slimlab::compress {

namespace {

// "[a, b]".
std::string shape_text(const torch::Tensor& t) { return ir::to_string(t.sizes().vec()); }

void load_checkpoint_weights(torch::nn::Module& m, const std::filesystem::path& file) {
  const std::string where = "teacher checkpoint " + file.string();
  torch::serialize::InputArchive in;
  try {
    in.load_from(file.string());
  } catch (const c10::Error& e) {
    throw std::runtime_error(where + ": not a readable LibTorch archive");
  }
  c10::IValue names_v, tensors_v;
  if (!in.try_read("model_names", names_v) || !in.try_read("model_tensors", tensors_v) || !names_v.isList() ||
      !tensors_v.isTensorList())
    throw std::runtime_error(where + ": not a SlimLab training checkpoint (no model_names / model_tensors)");
  const auto names = names_v.toList();
  const auto tensors = tensors_v.toTensorList();
  if (names.size() != tensors.size()) throw std::runtime_error(where + ": names and tensors differ in number");
  std::map<std::string, torch::Tensor> saved;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!names.get(i).isString()) throw std::runtime_error(where + ": a tensor name is not a string");
    saved[names.get(i).toStringRef()] = tensors.get(i);
  }
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& name, torch::Tensor& t) {
    auto it = saved.find(name);
    if (it == saved.end()) throw std::runtime_error(where + ": tensor '" + name + "' of the teacher's model.h5 is missing");
    if (!it->second.sizes().equals(t.sizes()))
      throw std::runtime_error(where + ": tensor '" + name + "' is " + shape_text(it->second) + " but the model.h5 says " +
                               shape_text(t));
    t.copy_(it->second);
  };
  for (auto& p : m.named_parameters()) copy(p.key(), p.value());
  for (auto& b : m.named_buffers()) copy(b.key(), b.value());
}

class DistillStage : public Stage {
 public:
  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    const TeacherRef ref = resolve_teacher(p.text("teacher"), ctx.runs_root);
    GraphModule teacher = load_teacher(ref);
    const ir::Graph student_graph = ctx.model->graph(false);
    if (teacher->ir().num_classes != student_graph.num_classes || teacher->ir().input_shape != student_graph.input_shape)
      throw std::invalid_argument(p.where("teacher") + ": the teacher's classes / input shape differ from the student's");
    const double temperature = p.number("temperature"), alpha = p.number("alpha");
    const train::EvalMetrics teacher_test = [&] {
      StageContext tctx = ctx;
      tctx.model = teacher.ptr();
      return tctx.evaluate(ctx.data->test);
    }();
    ctx.log("distill: teacher " + ref.graph.string() + (ref.checkpoint.empty() ? "" : " + " + ref.checkpoint.string()) +
            " (" + teacher->ir().model + ", " + std::to_string(teacher->ir().parameter_count()) +
            " parameters), test accuracy " + std::to_string(teacher_test.accuracy) + "; T = " +
            std::to_string(temperature) + ", alpha = " + std::to_string(alpha));
    fine_tune(ctx, ctx.train_config(), [&](train::Trainer& t) {
      t.per_sample_loss = [&](const torch::Tensor& logits, const torch::Tensor& x, const torch::Tensor& y) {
        torch::Tensor z_t;
        {
          torch::NoGradGuard no_grad;
          z_t = teacher->forward(x);
        }
        return distillation_loss(logits, z_t, y, temperature, alpha);
      };
    });
    ctx.record->info["teacher"] = ref.graph.string();
    if (!ref.checkpoint.empty()) ctx.record->info["teacher_checkpoint"] = ref.checkpoint.string();
    ctx.record->info["teacher_model"] = teacher->ir().model;
    ctx.record->metrics["teacher_params"] = double(teacher->ir().parameter_count());
    ctx.record->metrics["teacher_test_accuracy"] = teacher_test.accuracy;
    ctx.record->metrics["temperature"] = temperature;
    ctx.record->metrics["alpha"] = alpha;
  }
};

}  // namespace

torch::Tensor distillation_loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                                const torch::Tensor& targets, double temperature, double alpha) {
  const torch::Tensor log_ps = torch::log_softmax(student_logits / temperature, 1);
  const torch::Tensor log_pt = torch::log_softmax(teacher_logits / temperature, 1);
  // KL(p_t ‖ p_s) per sample = Σ_c p_t (log p_t − log p_s).
  const torch::Tensor kl = (log_pt.exp() * (log_pt - log_ps)).sum(1);
  const torch::Tensor ce = torch::nn::functional::cross_entropy(
      student_logits, targets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  return alpha * temperature * temperature * kl + (1 - alpha) * ce;
}

GraphModule load_teacher(const TeacherRef& ref) {
  GraphModule t(ir::read_graph_h5(ref.graph));
  if (!ref.checkpoint.empty()) load_checkpoint_weights(*t, ref.checkpoint);
  t->eval();
  for (auto& p : t->parameters()) p.requires_grad_(false);
  return t;
}

std::unique_ptr<Stage> make_distill_stage() { return std::make_unique<DistillStage>(); }

}  // namespace slimlab::compress
