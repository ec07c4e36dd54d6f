#include "gui/ui/app.h"

#include "gui/model/recent.h"
#include "gui/ui/panels.h"

namespace slimlab::gui {

App::App(Workbench& wb) : wb_(wb) {
  // Every panel, once: the View menu, the state file and the tests iterate this list.
  panels_.push_back(std::make_unique<ExperimentsPanel>(wb));
  panels_.push_back(std::make_unique<RunsPanel>(wb));
  panels_.push_back(std::make_unique<LivePanel>(wb));
  panels_.push_back(std::make_unique<TradeoffPanel>(wb));
  panels_.push_back(std::make_unique<StructurePanel>(wb));
  panels_.push_back(std::make_unique<DeployPanel>(wb));
  panels_.push_back(std::make_unique<NewExperimentPanel>(wb));
  panels_.push_back(std::make_unique<ComparePanel>(wb));
  panels_.push_back(std::make_unique<ContextPanel>(wb));
}

Panel* App::panel(const std::string& id) {
  for (auto& p : panels_)
    if (p->id() == id) return p.get();
  return nullptr;
}

bool App::animating() const {
  for (const auto& p : panels_)
    if (p->open && p->animating()) return true;
  return false;
}

TradeoffPanel* App::tradeoff() { return static_cast<TradeoffPanel*>(panel("tradeoff")); }

void App::load_state() {
  const GuiState& s = wb_.state();
  for (auto& p : panels_) {
    p->open = s.get_bool("panel." + p->id() + ".open", p->default_open());
    p->load_state(s);
  }
  wb_.table().select(s.get("selected_run"));
  saved_ = s;
}

void App::save_state(bool force) {
  GuiState& s = wb_.state();
  for (const auto& p : panels_) {
    s.set_bool("panel." + p->id() + ".open", p->open);
    p->save_state(s);
  }
  s.set("selected_run", wb_.table().selected_key());
  const double now = ImGui::GetCurrentContext() ? ImGui::GetTime() : 0;
  if (!force && (s == saved_ || now - last_save_ < 1.0)) return;
  if (s != saved_ || force) {
    s.save(wb_.state_file());
    saved_ = s;
  }
  last_save_ = now;
}

void App::draw_menu() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    auto* ex = static_cast<ExperimentsPanel*>(panel("experiments"));
    if (ImGui::MenuItem("New experiment...")) static_cast<NewExperimentPanel*>(panel("new_experiment"))->start_new();
    if (ImGui::MenuItem("Open experiment...")) ex->request_open();
    if (ImGui::BeginMenu("Open recent")) {
      const auto recent = recent_files(wb_.state());
      if (recent.empty()) ImGui::TextDisabled("(none yet)");
      for (const auto& f : recent)
        if (ImGui::MenuItem(f.string().c_str())) {
          ex->open = true;
          ex->open_file(f);
        }
      ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Save experiment as...", nullptr, false, wb_.form().valid())) ex->request_save_as();
    const std::string folder = "Experiments folder: " + wb_.paths().experiments_dir.string() + "...";
    if (ImGui::MenuItem(folder.c_str())) ex->request_folder();
    ImGui::Separator();
    if (ImGui::MenuItem("Rescan runs")) wb_.scanner().request_rescan();
    if (ImGui::MenuItem("Quit")) quit_ = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (auto& p : panels_) ImGui::MenuItem(p->title().c_str(), nullptr, &p->open);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    ImGui::MenuItem("About", nullptr, &show_about_);
    ImGui::EndMenu();
  }
  const auto& q = wb_.jobs();
  ImGui::TextDisabled("  runs: %s   |   %zu runs, %d job(s) running, %d queued   |   selected: %s",
                      wb_.paths().runs_root.string().c_str(), wb_.table().runs().size(), q.running(), q.queued(),
                      wb_.table().selected_key().empty() ? "-" : wb_.table().selected_key().c_str());
  ImGui::EndMainMenuBar();
}

void App::frame() {
  wb_.update();
  draw_menu();
  for (auto& p : panels_) p->draw();
  if (show_about_) {
    ImGui::Begin("About slimlab-gui", &show_about_, ImGuiWindowFlags_AlwaysAutoResize);
    ImGui::Text("slimlab-gui - launch experiments, explore accuracy against resources.");
    ImGui::Text("Runs:        %s", wb_.paths().runs_root.string().c_str());
    ImGui::Text("Experiments: %s", wb_.paths().experiments_dir.string().c_str());
    ImGui::Text("slimlab:     %s", wb_.paths().slimlab_exe.string().c_str());
    ImGui::Text("State:       %s", wb_.state_file().string().c_str());
    ImGui::Text("Dear ImGui %s", ImGui::GetVersion());
    ImGui::End();
  }
  save_state();
}

}  // namespace slimlab::gui
