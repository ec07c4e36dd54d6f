// File → New experiment driven headless through the GUI's data model (no ImGui):
// a synthetic image source is inspected as `slimlab data inspect` does, a model
// that fits its modality and shape is proposed, a stage with only its own keys is
// added, errors come from the CLI's validator at their keys, the TOML is saved where
// asked and loads back as the same experiment, and Start queues `slimlab train` on it.
#include <gtest/gtest.h>

#include <fstream>

#include "datasets/pipeline.h"
#include "experiments/experiment.h"
#include "gui/model/new_experiment.h"
#include "gui/model/recent.h"
#include "train/model_factory.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::gui;
namespace fs = std::filesystem;

namespace {

bool has_key(const std::vector<const exp::SchemaEntry*>& keys, const std::string& key) {
  for (const auto* k : keys)
    if (k->key == key || k->name() == key) return true;
  return false;
}

void write_script(const fs::path& p, const std::string& body) {
  test::write_text(p, "#!/bin/sh\n" + body);
  fs::permissions(p, fs::perms::owner_all);
}

}  // namespace

TEST(GuiNewExperiment, InspectsTheDataAsTheCliDoes) {
  NewExperiment n;
  EXPECT_FALSE(n.valid());
  EXPECT_FALSE(n.errors("dataset.source").empty());
  n.set_source("synthetic:vision");
  n.set("dataset.synthetic_scale", "0.05");
  ASSERT_TRUE(n.inspect_now()) << n.inspect_error();
  const DataSummary& s = *n.summary();
  // The same numbers as data::prepare on the same [dataset] table.
  data::DatasetConfig cfg;
  cfg.source = "synthetic:vision";
  cfg.synthetic_scale = 0.05;
  const data::PreparedData d = data::prepare(cfg);
  EXPECT_EQ(s.modality, "vision");
  EXPECT_EQ(s.class_names(), d.source.class_names);
  EXPECT_EQ(s.source.class_counts, d.source.class_counts);
  EXPECT_EQ(s.input_shape, d.train.sample_shape);
  EXPECT_EQ(s.train, d.train.size());
  EXPECT_EQ(s.val, d.val.size());
  EXPECT_EQ(s.test, d.test.size());
  EXPECT_EQ(s.split_method, d.split_method);
  int64_t sum = 0;
  for (int64_t c : s.train_counts) sum += c;
  EXPECT_EQ(size_t(sum), s.train);
  EXPECT_GE(s.class_names().size(), 2u);
}

TEST(GuiNewExperiment, ProposesAModelThatFitsAndShowsOnlyKeysThatApply) {
  NewExperiment n;
  n.set_source("synthetic:vision");
  n.set("dataset.synthetic_scale", "0.05");
  ASSERT_TRUE(n.inspect_now()) << n.inspect_error();
  ASSERT_FALSE(n.models().empty());
  for (const ModelChoice& c : n.models()) EXPECT_EQ(train::model_modality(c.name), "vision") << c.name;
  EXPECT_TRUE(n.models().front().fits) << n.models().front().why;
  EXPECT_GT(n.models().front().params, 0);
  EXPECT_EQ(n.model(), n.models().front().name);
  EXPECT_TRUE(n.valid()) << n.toml();
  // Image data: image keys, no audio or HAR keys; synthetic keys for a synthetic source.
  const auto ds = n.keys("dataset");
  EXPECT_TRUE(has_key(ds, "dataset.image_size"));
  EXPECT_TRUE(has_key(ds, "dataset.synthetic_scale"));
  EXPECT_FALSE(has_key(ds, "dataset.n_mels"));
  EXPECT_FALSE(has_key(ds, "dataset.window_seconds"));
  EXPECT_FALSE(has_key(n.keys("model"), "model.gru_hidden"));
  EXPECT_TRUE(has_key(n.keys("evaluation"), "evaluation.protocol"));
  EXPECT_TRUE(has_key(n.keys("export"), "export.precision"));
  // The same rules elsewhere.
  EXPECT_TRUE(key_applies("dataset.n_mels", "audio", "audio_cnn", "synthetic:audio"));
  EXPECT_FALSE(key_applies("dataset.synthetic_scale", "vision", "lenet5", "/data/cifar"));
  EXPECT_TRUE(key_applies("model.gru_hidden", "har", "deepsense", ""));
  // A model that does not fit its shape says why.
  const auto tiny = propose_models("vision", {1, 4, 4}, 3);
  ASSERT_FALSE(tiny.empty());
  for (const ModelChoice& c : tiny) {
    EXPECT_FALSE(c.fits) << c.name;
    EXPECT_FALSE(c.why.empty()) << c.name;
  }
  // HAR: raw windows → cnn1d first.
  const auto har = propose_models("har", {6, 128}, 6);
  ASSERT_FALSE(har.empty());
  EXPECT_EQ(har.front().name, "cnn1d");
  EXPECT_TRUE(har.front().fits);
}

TEST(GuiNewExperiment, StagesEvaluationAndExportValidateWithTheCliRules) {
  NewExperiment n;
  n.set_source("synthetic:vision");
  n.set("dataset.synthetic_scale", "0.05");
  ASSERT_TRUE(n.inspect_now()) << n.inspect_error();
  const auto types = NewExperiment::stage_types();
  ASSERT_NE(std::find(types.begin(), types.end(), "fixed_point"), types.end());
  n.add_stage("fixed_point");
  ASSERT_EQ(n.stage_count(), 1u);
  const auto keys = n.stage_keys(0);
  EXPECT_TRUE(has_key(keys, "word_length"));
  EXPECT_FALSE(has_key(keys, "type"));
  for (const auto* k : keys) EXPECT_FALSE(k->doc.empty()) << k->key;
  EXPECT_TRUE(n.valid()) << n.toml();
  // Out of range: the validator's message, at the stage key.
  n.set("stage.0.word_length", "40");
  EXPECT_FALSE(n.valid());
  ASSERT_FALSE(n.errors("stage.0.word_length").empty()) << n.toml();
  n.set("stage.0.word_length", "6");
  EXPECT_TRUE(n.valid());
  // An export precision the stages cannot give: the CLI's cross-key check.
  n.set("export.enabled", "true");
  n.set("export.precision", "binary");
  EXPECT_FALSE(n.valid());
  EXPECT_FALSE(n.errors("export.precision").empty());
  n.set("export.precision", "int8");
  EXPECT_TRUE(n.valid());
  n.set("evaluation.protocol", "bogus");
  EXPECT_FALSE(n.errors("evaluation.protocol").empty());
  n.set("evaluation.protocol", "holdout");
  n.set("train.epochs", "abc");
  EXPECT_FALSE(n.errors("train.epochs").empty());
  n.set("train.epochs", "2");
  EXPECT_TRUE(n.valid());
  // Augmentation is part of the form: an image option is written to [augment], a HAR
  // option on images is the CLI's error at its key.
  EXPECT_FALSE(n.keys("augment").empty());
  n.set("augment.horizontal_flip", "true");
  EXPECT_TRUE(n.valid()) << n.toml();
  EXPECT_NE(n.toml().find("[augment]\nhorizontal_flip = true"), std::string::npos) << n.toml();
  n.set("augment.rotation_degrees", "30");
  EXPECT_FALSE(n.valid()) << n.toml();
  EXPECT_FALSE(n.errors("augment.rotation_degrees").empty()) << n.toml();
  n.set("augment.rotation_degrees", "");
  EXPECT_TRUE(n.valid()) << n.toml();
  // Removing a stage moves the later stages' keys down.
  n.add_stage("fixed_point");
  n.set("stage.1.word_length", "4");
  n.remove_stage(0);
  EXPECT_EQ(n.get("stage.0.word_length"), "4");
  EXPECT_EQ(n.stage_count(), 1u);
  // A model of another modality: the CLI's modality check.
  n.set_model("cnn1d");
  EXPECT_FALSE(n.errors("model.name").empty());
}

TEST(GuiNewExperiment, SavesWhereAskedLoadsBackAndStartsThroughTheJobLauncher) {
  test::TempDir tmp;
  NewExperiment n;
  n.set_source("synthetic:vision");
  n.set("dataset.synthetic_scale", "0.05");
  ASSERT_TRUE(n.inspect_now()) << n.inspect_error();
  n.add_stage("fixed_point");
  n.set("stage.0.word_length", "8");
  n.set("train.epochs", "2");
  n.set("export.enabled", "true");
  n.set("export.precision", "int8");
  n.set("name", "cifar_like");
  ASSERT_TRUE(n.valid()) << n.toml();
  std::string why;
  JobQueue q;
  ExperimentForm form;
  EXPECT_TRUE(n.start(form, q, "slimlab", tmp / "runs", &why).empty());
  EXPECT_NE(why.find("save"), std::string::npos);
  const auto saved = n.save(tmp / "elsewhere" / "mine", false, &why);
  ASSERT_TRUE(saved) << why;
  EXPECT_EQ(*saved, tmp / "elsewhere" / "mine.toml");
  EXPECT_FALSE(n.save(tmp / "elsewhere" / "mine.toml", false, &why));
  EXPECT_NE(why.find("exists"), std::string::npos);
  // It loads back as the experiment the form validated.
  const exp::Experiment e = exp::load_experiment(*saved);
  EXPECT_EQ(e.name, "cifar_like");
  EXPECT_EQ(e.model.name, n.model());
  EXPECT_EQ(e.train.epochs, 2);
  ASSERT_EQ(e.stages.size(), 1u);
  EXPECT_EQ(e.stages[0].type, "fixed_point");
  EXPECT_EQ(e.stages[0].params.at("word_length"), "8");
  EXPECT_EQ(e.export_.precision, "int8");
  EXPECT_DOUBLE_EQ(e.dataset.synthetic_scale, 0.05);
  // Start: one `slimlab train <saved file>` child per run, through the shared queue.
  const fs::path fake = tmp / "bin" / "slimlab";
  write_script(fake, "echo \"$@\" > \"$(dirname \"$0\")/args.txt\"\n");
  const auto ids = n.start(form, q, fake, tmp / "runs", &why);
  ASSERT_EQ(ids.size(), 1u) << why;
  EXPECT_EQ(form.file(), *saved);
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  std::ifstream in(tmp / "bin" / "args.txt");
  std::string args((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(args.find("train " + saved->string()), std::string::npos) << args;
  EXPECT_NE(args.find("--runs " + (tmp / "runs").string()), std::string::npos) << args;
  // An edit after saving needs another save before starting.
  n.set("train.epochs", "3");
  EXPECT_TRUE(n.start(form, q, fake, tmp / "runs", &why).empty());
}

TEST(GuiNewExperiment, UnreadableDataIsNamed) {
  test::TempDir tmp;
  NewExperiment n;
  n.set_source((tmp / "nothing-here").string());
  EXPECT_FALSE(n.inspect_now());
  EXPECT_NE(n.inspect_error().find("nothing-here"), std::string::npos) << n.inspect_error();
  EXPECT_TRUE(n.models().empty());
}

TEST(GuiNewExperiment, RecentFilesAndTheExperimentsFolderPersist) {
  test::TempDir tmp;
  GuiState s;
  for (int i = 0; i < 12; ++i) add_recent_file(s, tmp / ("e" + std::to_string(i) + ".toml"));
  add_recent_file(s, tmp / "e3.toml");  // again: moves to the front, no duplicate
  const auto r = recent_files(s);
  ASSERT_EQ(r.size(), kMaxRecentFiles);
  EXPECT_EQ(r.front(), tmp / "e3.toml");
  EXPECT_EQ(r[1], tmp / "e11.toml");
  ASSERT_TRUE(s.save(tmp / "state.ini"));
  EXPECT_EQ(recent_files(GuiState::load(tmp / "state.ini")), r);
  // The listing of a folder: sub-folders and .toml files, for Open / Save as / choose data.
  fs::create_directories(tmp / "sub");
  test::write_text(tmp / "a.toml", "");
  test::write_text(tmp / "b.txt", "");
  const DirListing l = list_dir(tmp.path(), ".toml");
  EXPECT_EQ(l.dirs, std::vector<fs::path>{tmp / "sub"});
  EXPECT_EQ(l.files, std::vector<fs::path>{tmp / "a.toml"});
  EXPECT_EQ(list_dir(tmp.path(), "").files.size(), 3u);  // b.txt, a.toml, state.ini
}

TEST(GuiNewExperiment, TheExperimentFormHidesKeysThatDoNotApply) {
  test::TempDir tmp;
  test::write_text(tmp / "img.toml", "[dataset]\nsource = \"synthetic:vision\"\n[model]\nname = \"lenet5\"\n");
  ExperimentForm form;
  ASSERT_TRUE(form.open(tmp / "img.toml"));
  EXPECT_TRUE(form.field("dataset.image_size")->applies);
  EXPECT_FALSE(form.field("dataset.n_mels")->applies);
  EXPECT_FALSE(form.field("dataset.window_seconds")->applies);
  EXPECT_FALSE(form.field("model.gru_hidden")->applies);
  // An edited key stays visible even where it does not apply (its value matters to the file).
  form.set("dataset.n_mels", "32");
  EXPECT_TRUE(form.field("dataset.n_mels")->applies);
}

TEST(GuiNewExperiment, AnUnknownModelIsAnErrorAtModelNameAndNewDataDropsIt) {
  NewExperiment n;
  n.set_source("synthetic:har");
  n.set_model("resnet9000");
  EXPECT_FALSE(n.valid());
  EXPECT_FALSE(n.errors("model.name").empty()) << n.toml();
  n.set_source("synthetic:audio");  // no throw; the unknown name is dropped, the modality's first model used
  EXPECT_TRUE(n.model().empty());
  EXPECT_TRUE(n.errors("model.name").empty()) << n.toml();
}
