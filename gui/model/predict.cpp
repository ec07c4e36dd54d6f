#include "gui/model/predict.h"

#include <algorithm>
#include <sstream>

#include "experiments/experiment.h"
#include "gui/model/deploy.h"
#include "gui/model/recent.h"

namespace fs = std::filesystem;

namespace slimlab::gui {

namespace {

std::string stage_precision(const exp::StageConfig& s) {
  if (s.type == "binaryconnect" || s.type == "bnn") return "binary";
  if (s.type != "fixed_point") return "";
  auto num = [&](const char* k) {
    auto it = s.params.find(k);
    try {
      return it == s.params.end() ? 0 : std::stoi(it->second);
    } catch (const std::exception&) {
      return 0;
    }
  };
  const int bits = num("weights") > 0 ? num("weights") : num("word_length");
  return bits > 0 && bits <= 8 ? "int8" : "int16";
}

}  // namespace

std::string run_precision(const exp::RunRecord& r) {
  if (r.config_toml.empty()) return "fp32";
  try {
    const exp::Experiment e = exp::parse_experiment(r.config_toml, (r.dir / "config.toml").string());
    if (e.export_.enabled) return e.export_.precision;
    std::string p = "fp32";
    for (const exp::StageConfig& s : e.stages)
      if (const std::string sp = stage_precision(s); !sp.empty()) p = sp;  // the last stage that sets one
    return p;
  } catch (const std::exception&) {
    return "fp32";  // an old or foreign configuration: the safe default
  }
}

std::vector<fs::path> exported_models(const fs::path& run_dir) { return list_dir(run_dir, ".slim").files; }

Prediction parse_run_output(const std::string& text) {
  Prediction p;
  std::istringstream in(text);
  std::string line, last_error;
  bool front_end = false;
  while (std::getline(in, line)) {
    if (line.rfind("slimrt", 0) == 0 && line.find("note:") == std::string::npos) last_error = line;
    std::istringstream ls(line);
    std::string first;
    ls >> first;
    if (first == "prediction") {
      ls >> p.index;
      std::getline(ls >> std::ws, p.class_name);
      p.state = "done";
    } else if (first == "class") {  // class NAME SCORE, best first
      std::string name;
      double score = 0;
      if (ls >> name >> score) {
        p.scores.push_back({name, score});
        front_end = true;
      }
    } else if (!first.empty() && std::all_of(first.begin(), first.end(), ::isdigit)) {  // i \t name \t score
      std::vector<std::string> cols;
      std::istringstream cs(line);
      for (std::string c; std::getline(cs, c, '\t');) cols.push_back(c);
      try {
        if (cols.size() == 3) p.scores.push_back({cols[1].empty() ? cols[0] : cols[1], std::stod(cols[2])});
      } catch (const std::exception&) {
      }
    }
  }
  if (front_end && !p.scores.empty()) {
    p.class_name = p.scores.front().first;
    p.state = "done";
  }
  if (p.state == "done" && p.class_name.empty() && p.index >= 0) p.class_name = std::to_string(p.index);
  if (p.state != "done") {
    p.state = "failed";
    p.message = last_error.empty() ? "slimrt-run printed no prediction" : last_error;
  }
  return p;
}

int PredictController::request(const std::string& run_key, const fs::path& run_dir, const fs::path& model,
                               const fs::path& input, std::string* why) {
  auto fail = [&](const std::string& w) {
    if (why) *why = w;
    return 0;
  };
  std::error_code ec;
  if (!fs::exists(slimrt_run_, ec)) return fail("slimrt-run not found at " + slimrt_run_.string());
  if (!fs::is_regular_file(model, ec)) return fail("no exported model " + model.string() + ": export the run first");
  if (!fs::is_regular_file(input, ec)) return fail("no input file " + input.string());
  Prediction p;
  p.id = next_id_++;
  p.run_key = run_key;
  p.model = model;
  p.input = input;
  p.log_file = run_dir / "predict.txt";
  fs::remove(p.log_file, ec);
  JobSpec spec;
  spec.label = "run " + run_key + " on " + input.filename().string();
  spec.kind = "predict";
  spec.argv = {slimrt_run_.string(), "run", model.string(), input.string()};
  spec.output = p.log_file;
  spec.group = p.id;
  p.job = queue_.submit(std::move(spec));
  requests_.push_back(p);
  return p.id;
}

void PredictController::on_job_done(const Job& job) {
  for (Prediction& p : requests_) {
    if (p.job != job.id || p.state != "running") continue;
    Prediction out = parse_run_output(read_file_text(p.log_file));
    p.state = out.state;
    p.class_name = out.class_name;
    p.index = out.index;
    p.scores = out.scores;
    p.message = out.message;
    if (job.state != JobState::kFinished) {
      p.state = "failed";
      p.message = job.message + (out.message.empty() ? "" : ": " + out.message);
    }
  }
}

const Prediction* PredictController::latest_for(const std::string& run_key) const {
  for (auto it = requests_.rbegin(); it != requests_.rend(); ++it)
    if (it->run_key == run_key) return &*it;
  return nullptr;
}

}  // namespace slimlab::gui
