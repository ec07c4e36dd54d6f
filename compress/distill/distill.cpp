#include "compress/distill/distill.h"

#include <stdexcept>

#include "compress/stage_keys.h"
#include "train/graph_io.h"
#include "train/op_facts.h"

namespace fs = std::filesystem;

namespace slimlab::compress {

namespace {

fs::path model_file_of_run(const fs::path& dir) { return dir / "model.h5"; }

}  // namespace

TeacherRef resolve_teacher(const std::string& text, const fs::path& runs_root) {
  if (text.empty()) throw std::invalid_argument("no teacher given (a run folder, model.h5 or checkpoint .pt)");
  std::error_code ec;
  const fs::path given(text);
  TeacherRef ref;
  if (fs::is_regular_file(given, ec)) {
    if (given.extension() == ".h5") {
      ref.graph = given;
      return ref;
    }
    if (given.extension() == ".pt") {
      // <dir>/checkpoints/last.pt: the structure is <dir>/model.h5 (a run or a stage folder).
      const fs::path dir = given.parent_path().parent_path();
      if (!fs::is_regular_file(model_file_of_run(dir), ec))
        throw std::invalid_argument("checkpoint '" + text + "': no " + model_file_of_run(dir).string() +
                                    " beside it to give the teacher's structure");
      ref.graph = model_file_of_run(dir);
      ref.checkpoint = given;
      return ref;
    }
    throw std::invalid_argument("'" + text + "' is neither a model.h5 nor a checkpoint .pt");
  }
  for (const fs::path& dir : {given, runs_root / given}) {
    if (!fs::is_directory(dir, ec)) continue;
    if (!fs::is_regular_file(model_file_of_run(dir), ec))
      throw std::invalid_argument("run folder '" + dir.string() +
                                  "' has no model.h5 (is the run finished? only finished runs can teach)");
    ref.graph = model_file_of_run(dir);
    return ref;
  }
  throw std::invalid_argument("no run folder, model.h5 or checkpoint at '" + text + "' (also looked in " +
                              (runs_root / given).string() + ")");
}

StageDescription distill_stage_description() {
  StageKey teacher =
      make_key("teacher", KeyType::kString, "",
               "the teacher: a finished run folder, <experiment>/<run-id> under runs/, a model.h5 or a checkpoint .pt");
  teacher.required = true;
  StageDescription d = describe_stage(
      "distill", "knowledge distillation from a finished run (Hinton et al. 2015): α·T²·KL + (1 − α)·CE",
      {teacher,
       make_key("temperature", KeyType::kFloat, "4.0",
                "softmax temperature T of both teacher and student in the KL term", 0, 100, /*min_open=*/true),
       make_key("alpha", KeyType::kFloat, "0.7",
                "weight α of the soft-target term (1 − α weighs the cross-entropy with the labels)", 0, 1)},
      /*default_epochs=*/10);
  d.validate = [](const StageParams& p) {
    std::vector<StageIssue> issues;
    try {
      resolve_teacher(p.text("teacher"));
    } catch (const std::invalid_argument& e) {
      issues.push_back({"teacher", e.what()});
    }
    for (StageIssue& i : require_training(p, "distillation needs at least one epoch of training")) issues.push_back(i);
    return issues;
  };
  d.preflight = [](const StageParams& p, const ir::Graph& model) {
    std::vector<StageIssue> issues;
    try {
      const TeacherRef ref = resolve_teacher(p.text("teacher"));
      const ir::Graph t = ir::read_graph_h5(ref.graph);
      if (t.num_classes != model.num_classes)
        issues.push_back({"teacher", "the teacher (" + ref.graph.string() + ", " + t.model + ") has " +
                                         std::to_string(t.num_classes) + " classes but this experiment's data has " +
                                         std::to_string(model.num_classes)});
      if (t.input_shape != model.input_shape)
        issues.push_back({"teacher", "the teacher (" + ref.graph.string() + ", " + t.model + ") takes inputs " +
                                         ir::to_string(t.input_shape) + " but this experiment's samples are " +
                                         ir::to_string(model.input_shape)});
    } catch (const std::exception& e) {
      issues.push_back({"teacher", e.what()});
    }
    return issues;
  };
  return d;
}

}  // namespace slimlab::compress
