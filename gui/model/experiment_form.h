#pragma once
// The Experiments panel's model: one experiment file opened as a form. Every key
// of the schema (and of each [[stage]]) is a field holding text; an edited field
// is an override "key=text", validated exactly as `slimlab train FILE --set
// key=text` is (parse_experiment with overrides), so the GUI and the CLI accept
// and reject the same things. Each ConfigIssue is attached to the field of its
// key; issues about no field (the sweep, a broken file) are listed for the form.
// "Save as" writes to_toml() of the edited experiment under a new name; "start"
// turns each sweep point into a `slimlab train` child in the job queue.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiments/experiment.h"
#include "experiments/sweep.h"
#include "gui/model/jobs.h"

namespace slimlab::gui {

struct FormField {
  std::string key;      // dotted: "train.lr", "stage.0.target"
  std::string section;  // "", "dataset", "model", "train", "export", "stage 0 (deepiot)"
  exp::ValueType type = exp::ValueType::kString;
  std::string doc;
  std::string range;                 // SchemaEntry::range_text()
  std::vector<std::string> choices;  // for a combo
  std::string original;              // value in the file (defaults filled in), as text
  std::string text;                  // what the form holds now
  int line = 0;                      // where the file sets it (0: default)
  bool read_only = false;            // stage.N.type
  std::vector<std::string> errors;   // this field's ConfigIssues
  bool applies = true;               // the key means something for this data and model (key_applies)
  bool edited() const { return text != original; }
};

// Every experiments/*.toml under `dir`, sorted.
std::vector<std::filesystem::path> list_experiment_files(const std::filesystem::path& dir);

class ExperimentForm {
 public:
  // Reads and validates the file. Returns false when it cannot be read or does
  // not validate as written (errors() says why; the form then has no fields).
  bool open(const std::filesystem::path& file);
  bool is_open() const { return !file_.empty(); }
  const std::filesystem::path& file() const { return file_; }

  std::vector<FormField>& fields() { return fields_; }
  const std::vector<FormField>& fields() const { return fields_; }
  FormField* field(const std::string& key);

  // Sets a field's text and re-validates the whole form. Returns whether the form is valid.
  bool set(const std::string& key, const std::string& text);
  void revert();  // every field back to the file's value
  bool valid() const { return valid_; }
  // Issues that belong to no field (a bad sweep point, a file error), "file:line: key: message".
  const std::vector<std::string>& errors() const { return errors_; }
  // "key=text" for each edited field (the `--set` list).
  std::vector<std::string> overrides() const;
  // The resolved experiment with the edits (valid() only) and its sweep points.
  const exp::Experiment& experiment() const { return experiment_; }
  const std::vector<exp::SweepPoint>& points() const { return points_; }

  // Writes the edited experiment as `dir/<name>.toml` (name also set inside).
  // Refuses an existing file or a name that is not a plain file stem. Returns the
  // path, or nullopt with *why.
  std::optional<std::filesystem::path> save_as(const std::string& name, const std::filesystem::path& dir,
                                               std::string* why) const;

  // Queues one `slimlab train` child per sweep point; run ids are the points'
  // ids, made unique against folders that already exist in runs_root. Returns the job ids.
  std::vector<int> start(JobQueue& queue, const std::filesystem::path& slimlab_exe,
                         const std::filesystem::path& runs_root) const;

 private:
  void validate();
  std::filesystem::path file_;
  std::string text_;
  std::vector<FormField> fields_;
  std::vector<std::string> errors_;
  bool valid_ = false;
  exp::Experiment experiment_;
  std::vector<exp::SweepPoint> points_;
};

}  // namespace slimlab::gui
