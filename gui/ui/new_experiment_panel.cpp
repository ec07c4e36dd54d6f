// File → New experiment: the NewExperiment model (gui/model/new_experiment.h) as a
// window — data, its summary and class counts, a model that fits, stages, evaluation,
// export, live validation, save where the user chooses, start.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>

#include "experiments/schema.h"
#include "gui/model/recent.h"
#include "gui/ui/panels.h"

namespace slimlab::gui {

namespace {

const char* const kSynthetic[] = {"synthetic:har", "synthetic:audio", "synthetic:vision", "synthetic:vision-rgb"};
const ImVec4 kError(1, 0.45f, 0.45f, 1);

std::string with_commas(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = int(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3) s.insert(size_t(i), ",");
  return s;
}

}  // namespace

NewExperimentPanel::NewExperimentPanel(Workbench& wb)
    : Panel("new_experiment", "New experiment", wb, {0.22f, 0.02f, 0.52f, 0.92f}) {}

void NewExperimentPanel::start_new() {
  open = true;
  wb_.new_experiment().reset();
  message_.clear();
  save_path_.clear();
  auto_path_.clear();
  queued_.clear();
}

void NewExperimentPanel::draw_key(const std::string& dotted, const exp::SchemaEntry& e, int line) {
  NewExperiment& n = wb_.new_experiment();
  ImGui::PushID(dotted.c_str());
  const auto& errs = n.errors(dotted);
  if (!errs.empty()) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.5f, 0.12f, 0.12f, 1));
  else if (n.is_set(dotted)) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.18f, 0.30f, 0.50f, 1));
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("calibration_samples__").x);
  std::string text = n.get(dotted);
  const bool changed = key_input(e.name().empty() ? e.key : e.name(), e.type, e.choices, text,
                                 key_tooltip(dotted, e.doc, e.range_text(), line));
  if (!errs.empty() || n.is_set(dotted)) ImGui::PopStyleColor();
  if (changed) n.set(dotted, text);
  for (const std::string& m : n.errors(dotted)) ImGui::TextColored(kError, "  %s", m.c_str());
  ImGui::PopID();
}

void NewExperimentPanel::draw_table(const char* title, const std::string& table, bool open_default) {
  NewExperiment& n = wb_.new_experiment();
  if (!ImGui::CollapsingHeader(title, open_default ? ImGuiTreeNodeFlags_DefaultOpen : 0)) return;
  for (const exp::SchemaEntry* e : n.keys(table)) draw_key(e->key, *e);
}

void NewExperimentPanel::draw_data() {
  NewExperiment& n = wb_.new_experiment();
  ImGui::TextUnformatted("1. Data");
  std::string src = n.source();
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse... Inspect____").x);
  if (ImGui::InputTextWithHint("##source", "data folder, file or synthetic:…", &src,
                               ImGuiInputTextFlags_EnterReturnsTrue) ||
      ImGui::IsItemDeactivatedAfterEdit()) {
    n.set_source(src);
    n.start_inspect();
  }
  ImGui::SameLine();
  if (ImGui::Button("Browse...")) {
    asking_ = Ask::kData;
    const std::filesystem::path from = n.source().empty() || n.source().rfind("synthetic:", 0) == 0
                                           ? std::filesystem::path(".")
                                           : std::filesystem::path(n.source()).parent_path();
    dialog_.show("Choose a data folder or file", FileDialog::Mode::kChooseAny, from, "");
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(n.inspecting() || n.source().empty());
  if (ImGui::Button("Inspect")) n.start_inspect();
  ImGui::EndDisabled();
  ImGui::TextDisabled("or synthetic:");
  for (const char* s : kSynthetic) {
    ImGui::SameLine();
    if (ImGui::SmallButton(s + 10)) {
      n.set_source(s);
      n.start_inspect();
    }
  }
  if (n.inspecting()) ImGui::TextDisabled("reading the data as `slimlab data inspect` does...");
  if (!n.inspect_error().empty()) ImGui::TextColored(kError, "%s", n.inspect_error().c_str());
  for (const std::string& m : n.errors("dataset.source")) ImGui::TextColored(kError, "%s", m.c_str());
  if (n.summary()) draw_summary(*n.summary());
  draw_table("dataset keys (only those that apply to this data)", "dataset", false);
}

void NewExperimentPanel::draw_summary(const DataSummary& s) {
  const data::SourceInfo& src = s.source;
  ImGui::Text("%s (%s): %zu %s, %zu classes, input %s per sample", s.modality.c_str(), src.spec.format.c_str(),
              src.items, src.unit.c_str(), src.class_names.size(), s.shape_text().c_str());
  ImGui::Text("split %s: train %zu / val %zu / test %zu%s", s.split_method.c_str(), s.train, s.val, s.test,
              src.groups ? (", " + std::to_string(src.groups) + " " + src.group_kind).c_str() : "");
  for (const std::string& note : src.notes) ImGui::TextDisabled("%s", note.c_str());
  // Samples per class (train + val + test), one bar each; hover for the numbers.
  const size_t k = src.class_names.size();
  if (k == 0) return;
  const float h = 70;
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float w = std::max(80.0f, ImGui::GetContentRegionAvail().x);
  ImGui::InvisibleButton("classes", ImVec2(w, h));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p0, ImVec2(p0.x + w, p0.y + h), rgba(30, 30, 36));
  std::vector<int64_t> total(k, 0);
  int64_t most = 1;
  for (size_t c = 0; c < k; ++c) {
    for (const auto* v : {&s.train_counts, &s.val_counts, &s.test_counts})
      if (c < v->size()) total[c] += (*v)[c];
    most = std::max(most, total[c]);
  }
  const float slot = w / float(k);
  const float gap = std::max(1.0f, slot * 0.15f);
  chart_ = Rect{p0.x, p0.y, p0.x + w, p0.y + h};
  for (size_t c = 0; c < k; ++c) {
    const float x0 = p0.x + float(c) * slot + gap, x1 = p0.x + float(c + 1) * slot - gap;
    const float top = p0.y + h - 4 - (h - 8) * float(total[c]) / float(most);
    dl->AddRectFilled(ImVec2(x0, top), ImVec2(std::max(x1, x0 + 1), p0.y + h - 4), kBarColor);
  }
  if (ImGui::IsItemHovered()) {
    const size_t c = std::min(k - 1, size_t((ImGui::GetIO().MousePos.x - p0.x) / slot));
    auto at = [&](const std::vector<int64_t>& v) { return c < v.size() ? v[c] : 0; };
    ImGui::SetTooltip("%s: train %lld, val %lld, test %lld", src.class_names[c].c_str(), (long long)at(s.train_counts),
                      (long long)at(s.val_counts), (long long)at(s.test_counts));
  }
}

void NewExperimentPanel::draw_model() {
  NewExperiment& n = wb_.new_experiment();
  ImGui::Separator();
  ImGui::TextUnformatted("2. Model");
  if (n.models().empty()) {
    ImGui::TextDisabled("Inspect the data: the models that fit its shape are proposed here.");
  } else {
    ImGui::SetNextItemWidth(280);
    if (ImGui::BeginCombo("model", n.model().empty() ? "(none fits)" : n.model().c_str())) {
      for (const ModelChoice& c : n.models()) {
        const std::string label =
            c.fits ? c.name + "  (" + with_commas(c.params) + " parameters)" : c.name + "  (does not fit)";
        ImGui::BeginDisabled(!c.fits);
        if (ImGui::Selectable(label.c_str(), c.name == n.model())) n.set_model(c.name);
        ImGui::EndDisabled();
        if (!c.fits && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", c.why.c_str());
      }
      ImGui::EndCombo();
    }
  }
  for (const std::string& m : n.errors("model.name")) ImGui::TextColored(kError, "%s", m.c_str());
  draw_table("model keys", "model", false);
  draw_table("training", "train", false);
  draw_table("augmentation (training only; docs/AUGMENTATION.md)", "augment", false);
}

void NewExperimentPanel::draw_stages() {
  NewExperiment& n = wb_.new_experiment();
  ImGui::Separator();
  ImGui::TextUnformatted("3. Compression stages (run in order after training)");
  const auto types = NewExperiment::stage_types();
  stage_choice_ = std::min(stage_choice_, types.empty() ? 0 : int(types.size()) - 1);
  ImGui::SetNextItemWidth(200);
  if (!types.empty() && ImGui::BeginCombo("##stagetype", types[size_t(stage_choice_)].c_str())) {
    for (size_t i = 0; i < types.size(); ++i) {
      if (ImGui::Selectable(types[i].c_str(), int(i) == stage_choice_)) stage_choice_ = int(i);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", exp::stage_doc(types[i]).c_str());
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(types.empty());
  if (ImGui::Button("Add stage")) n.add_stage(types[size_t(stage_choice_)]);
  ImGui::EndDisabled();
  int remove = -1;
  for (size_t i = 0; i < n.stage_count(); ++i) {
    ImGui::PushID(int(i));
    const std::string title = "stage " + std::to_string(i) + ": " + n.stage_type(i);
    const bool shown = ImGui::CollapsingHeader(title.c_str(), ImGuiTreeNodeFlags_DefaultOpen);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", exp::stage_doc(n.stage_type(i)).c_str());
    if (shown) {
      if (ImGui::SmallButton("Remove")) remove = int(i);
      for (const std::string& m : n.errors("stage." + std::to_string(i) + ".type"))
        ImGui::TextColored(kError, "%s", m.c_str());
      for (const exp::SchemaEntry* e : n.stage_keys(i)) draw_key("stage." + std::to_string(i) + "." + e->key, *e);
    }
    ImGui::PopID();
  }
  if (remove >= 0) n.remove_stage(size_t(remove));
  ImGui::Separator();
  ImGui::TextUnformatted("4. Evaluation and export");
  draw_table("evaluation", "evaluation", true);
  draw_table("export", "export", true);
}

void NewExperimentPanel::draw_actions() {
  NewExperiment& n = wb_.new_experiment();
  ImGui::Separator();
  for (const exp::SchemaEntry* e : n.keys("")) draw_key(e->key, *e);
  if (n.valid())
    ImGui::TextColored(ImVec4(0.45f, 0.85f, 0.45f, 1), "valid (the rules of slimlab train) - %zu run%s", n.run_count(),
                       n.run_count() == 1 ? "" : "s");
  else
    ImGui::TextColored(kError, "not valid yet");
  for (const std::string& m : n.other_errors()) ImGui::TextColored(kError, "%s", m.c_str());
  if (save_path_.empty() || save_path_ == auto_path_) {  // follows the name until the user picks a path
    auto_path_ = (wb_.paths().experiments_dir / (n.get("name") + ".toml")).string();
    save_path_ = auto_path_;
  }
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Browse... overwrite_____").x);
  ImGui::InputText("##savepath", &save_path_);
  ImGui::SameLine();
  if (ImGui::Button("Browse...##save")) {
    asking_ = Ask::kSave;
    const std::filesystem::path p(save_path_);
    dialog_.show("Save the new experiment", FileDialog::Mode::kSaveFile, p.parent_path(), ".toml",
                 p.filename().string());
  }
  ImGui::SameLine();
  ImGui::Checkbox("overwrite", &overwrite_);
  ImGui::BeginDisabled(!n.valid());
  if (ImGui::Button("Save")) save();
  ImGui::SameLine();
  if (ImGui::Button("Save and start")) {
    if (save()) {
      std::string why;
      queued_ = n.start(wb_.form(), wb_.jobs(), wb_.paths().slimlab_exe, wb_.paths().runs_root, &why);
      message_ = queued_.empty() ? why : "queued " + std::to_string(queued_.size()) + " run(s) of " + n.saved_file().string();
    }
  }
  ImGui::EndDisabled();
  if (!queued_.empty() && all_done(wb_.jobs(), queued_)) {
    queued_.clear();
    message_.clear();
  }
  if (!message_.empty()) ImGui::TextWrapped("%s", message_.c_str());
  if (ImGui::CollapsingHeader("TOML")) ImGui::TextUnformatted(n.toml().c_str());
}

bool NewExperimentPanel::save() {
  std::string why;
  if (auto p = wb_.new_experiment().save(save_path_, overwrite_, &why)) {
    save_path_ = p->string();
    add_recent_file(wb_.state(), *p);
    message_ = "saved " + p->string();
    return true;
  }
  message_ = why;
  return false;
}

void NewExperimentPanel::draw_content() {
  if (dialog_.draw()) {
    if (asking_ == Ask::kData) {
      wb_.new_experiment().set_source(dialog_.result().string());
      wb_.new_experiment().start_inspect();
    } else if (asking_ == Ask::kSave) {
      save_path_ = dialog_.result().string();
    }
    asking_ = Ask::kNone;
  }
  if (ImGui::SmallButton("Clear")) start_new();
  ImGui::SameLine();
  ImGui::TextDisabled("from a data folder to a queued run; every change is checked as slimlab train checks it");
  draw_data();
  draw_model();
  draw_stages();
  draw_actions();
}

}  // namespace slimlab::gui
