#include "gui/model/experiment_form.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "experiments/schema.h"
#include "gui/model/new_experiment.h"
#include "gui/model/recent.h"

namespace fs = std::filesystem;

namespace slimlab::gui {

namespace {

std::string read_text(const fs::path& p, bool* ok) {
  std::ifstream in(p, std::ios::binary);
  *ok = bool(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

FormField field_from(const exp::SchemaEntry& e, const std::string& key, const std::string& section,
                     const std::string& value) {
  FormField f;
  f.key = key;
  f.section = section;
  f.type = e.type;
  f.doc = e.doc;
  f.range = e.range_text();
  f.choices = e.choices;
  f.original = f.text = value;
  return f;
}

}  // namespace

std::vector<fs::path> list_experiment_files(const fs::path& dir) { return list_dir(dir, ".toml").files; }

bool ExperimentForm::open(const fs::path& file) {
  file_ = file;
  fields_.clear();
  errors_.clear();
  points_.clear();
  valid_ = false;
  bool ok = false;
  text_ = read_text(file, &ok);
  if (!ok) {
    errors_.push_back(file.string() + ": cannot be read");
    return false;
  }
  exp::Experiment e;
  try {
    e = exp::parse_experiment(text_, file.string());
  } catch (const exp::ConfigError& err) {
    for (const auto& i : err.issues()) errors_.push_back(i.str());
    return false;
  } catch (const std::exception& err) {
    errors_.push_back(file.string() + ": " + err.what());
    return false;
  }
  for (const exp::SchemaEntry& s : exp::experiment_schema()) {
    if (!s.get) continue;
    FormField f = field_from(s, s.key, s.table(), exp::plain_text(s.get(e)));
    auto it = e.lines.find(s.key);
    if (it != e.lines.end()) f.line = it->second;
    fields_.push_back(std::move(f));
  }
  for (size_t i = 0; i < e.stages.size(); ++i) {
    const exp::StageConfig& st = e.stages[i];
    const std::string prefix = "stage." + std::to_string(i) + ".";
    const std::string section = "stage " + std::to_string(i) + " (" + st.type + ")";
    FormField t;
    t.key = prefix + "type";
    t.section = section;
    t.original = t.text = st.type;
    t.read_only = true;
    t.line = st.line;
    t.doc = "compression stage type (fixed; edit the file to add or remove stages)";
    fields_.push_back(t);
    const auto* keys = exp::stage_schema(st.type);
    if (keys) {
      for (const exp::SchemaEntry& s : *keys) {
        if (s.key == "type") continue;
        auto v = st.params.find(s.key);
        fields_.push_back(field_from(s, prefix + s.key, section, v == st.params.end() ? "" : v->second));
      }
    } else {
      for (const auto& [k, v] : st.params) {
        FormField f;
        f.key = prefix + k;
        f.section = section;
        f.original = f.text = v;
        fields_.push_back(f);
      }
    }
  }
  validate();
  return valid_;
}

FormField* ExperimentForm::field(const std::string& key) {
  for (FormField& f : fields_)
    if (f.key == key) return &f;
  return nullptr;
}

bool ExperimentForm::set(const std::string& key, const std::string& text) {
  FormField* f = field(key);
  if (!f || f->read_only) return valid_;
  if (f->text == text) return valid_;
  f->text = text;
  validate();
  return valid_;
}

void ExperimentForm::revert() {
  for (FormField& f : fields_) f.text = f.original;
  validate();
}

std::vector<std::string> ExperimentForm::overrides() const {
  std::vector<std::string> out;
  for (const FormField& f : fields_)
    if (f.edited() && !f.read_only) out.push_back(f.key + "=" + f.text);
  return out;
}

void ExperimentForm::validate() {
  for (FormField& f : fields_) f.errors.clear();
  errors_.clear();
  points_.clear();
  valid_ = false;
  try {
    experiment_ = exp::parse_experiment(text_, file_.string(), overrides());
    points_ = exp::expand_sweep(experiment_);
    valid_ = true;
  } catch (const exp::ConfigError& err) {
    for (const auto& i : err.issues()) {
      FormField* f = i.key.empty() ? nullptr : field(i.key);
      if (f) f->errors.push_back(i.message);
      else errors_.push_back(i.str());
    }
  } catch (const std::exception& err) {
    errors_.push_back(err.what());
  }
  // Which keys mean something for this source and model (audio keys hide for images).
  const FormField* src = field("dataset.source");
  const FormField* model = field("model.name");
  const std::string source = src ? src->text : "";
  const std::string modality = source_modality(source);
  for (FormField& f : fields_)
    f.applies = key_applies(f.key, modality, model ? model->text : "", source) || f.edited() || !f.errors.empty();
}

std::optional<fs::path> ExperimentForm::save_as(const std::string& name, const fs::path& dir, std::string* why) const {
  auto fail = [&](const std::string& w) -> std::optional<fs::path> {
    if (why) *why = w;
    return std::nullopt;
  };
  if (!valid_) return fail("the experiment has errors; fix them first");
  if (name.empty()) return fail("give the new experiment a name");
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return fail("'" + name + "': use letters, digits, '_', '-' and '.' only");
  if (name[0] == '.') return fail("'" + name + "' may not start with '.'");
  const fs::path out = dir / (name + ".toml");
  std::error_code ec;
  if (fs::exists(out, ec)) return fail(out.string() + " exists already; choose another name");
  exp::Experiment e = experiment_;
  e.name = name;
  const std::string text = exp::to_toml(e);
  // What we write must load back as the same experiment.
  try {
    exp::parse_experiment(text, out.string());
  } catch (const std::exception& err) {
    return fail(std::string("the saved form would not load back: ") + err.what());
  }
  fs::create_directories(dir, ec);
  const fs::path tmp = out.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) return fail("cannot write " + tmp.string());
  }
  fs::rename(tmp, out, ec);
  if (ec) return fail("cannot write " + out.string() + ": " + ec.message());
  return out;
}

std::vector<int> ExperimentForm::start(JobQueue& queue, const fs::path& slimlab_exe, const fs::path& runs_root) const {
  std::vector<int> ids;
  if (!valid_) return ids;
  const std::vector<std::string> base = overrides();
  for (const exp::SweepPoint& p : points_) {
    std::string id = p.id;
    std::error_code ec;
    for (int n = 2; fs::exists(runs_root / experiment_.name / id, ec); ++n) id = p.id + "-" + std::to_string(n);
    JobSpec spec;
    spec.label = experiment_.name + "/" + id;
    spec.kind = "train";
    spec.run_dir = runs_root / experiment_.name / id;
    spec.output = spec.run_dir / "console.txt";
    spec.argv = {slimlab_exe.string(), "train", file_.string(), "--quiet", "--runs", runs_root.string(), "--run-id", id};
    for (const auto& o : base) spec.argv.insert(spec.argv.end(), {"--set", o});
    for (const auto& o : p.overrides) spec.argv.insert(spec.argv.end(), {"--set", o});
    // The folder exists from now on, so the next start picks another id.
    fs::create_directories(spec.run_dir, ec);
    ids.push_back(queue.submit(std::move(spec)));
  }
  return ids;
}

}  // namespace slimlab::gui
