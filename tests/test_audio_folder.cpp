#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "datasets/audio_folder.h"
#include "datasets/errors.h"
#include "datasets/wav.h"
#include "test_util.h"

using namespace slimlab::data;
using namespace slimlab::test;
namespace fs = std::filesystem;

namespace {

std::vector<float> tone(double hz, double rate, size_t frames, int channels = 1) {
  std::vector<float> x(frames * size_t(channels));
  for (size_t i = 0; i < frames; ++i)
    for (int c = 0; c < channels; ++c)
      x[i * size_t(channels) + size_t(c)] = float((c == 0 ? 0.5 : 0.3) * std::sin(2 * M_PI * hz * double(i) / rate));
  return x;
}

// write_wav_pcm16, creating the folders on the way.
void put(const fs::path& p, const std::vector<float>& x, int channels, int rate) {
  fs::create_directories(p.parent_path());
  slimlab::data::write_wav_pcm16(p, x, channels, rate);
}

// A small FSDD-like folder: 2 labels × 2 speakers × 2 takes, 8 kHz mono.
void write_fsdd_like(const fs::path& dir) {
  fs::create_directories(dir);
  for (const char* label : {"3", "10"})
    for (const char* spk : {"ann", "bob"})
      for (int k = 0; k < 2; ++k)
        slimlab::data::write_wav_pcm16(dir / (std::string(label) + "_" + spk + "_" + std::to_string(k) + ".wav"),
                                       tone(300 + 100 * k, 8000, 800), 1, 8000);
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(AudioFolder, RealFsdd) {
  SLIMLAB_REQUIRE_DATASET("fsdd/recordings");
  const fs::path root = slimlab::test::shared_datasets() / "fsdd/recordings";
  ASSERT_TRUE(looks_like_audio_folder(root));
  const RecordingSet set = load_audio_folder(root);
  EXPECT_EQ(set.modality, slimlab::data::Modality::kAudio);
  EXPECT_EQ(set.channel_names, std::vector<std::string>{"mic"});
  EXPECT_EQ(set.class_names, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  ASSERT_EQ(set.recordings.size(), 3000u);
  EXPECT_TRUE(set.notes.empty()) << set.notes.front();
  std::map<int, int> per_class;
  std::set<std::string> speakers;
  for (const auto& r : set.recordings) {
    ++per_class[r.label];
    speakers.insert(r.group);
    ASSERT_EQ(r.channels, 1);
    ASSERT_EQ(r.rate_hz, 8000);
    ASSERT_GT(r.frames(), 1000) << r.source;
  }
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], 300) << c;
  EXPECT_EQ(speakers, (std::set<std::string>{"george", "jackson", "lucas", "nicolas", "theo", "yweweler"}));
  // Numeric-aware file order, and each source is the file itself.
  EXPECT_EQ(fs::path(set.recordings[0].source).filename(), "0_george_0.wav");
  EXPECT_EQ(fs::path(set.recordings[2].source).filename(), "0_george_2.wav");
  EXPECT_EQ(fs::path(set.recordings[10].source).filename(), "0_george_10.wav");
  // The samples are those of the file.
  const auto clip = slimlab::data::read_wav(set.recordings[123].source);
  EXPECT_EQ(clip.samples, set.recordings[123].samples);
}

TEST(AudioFolder, FileNameLayout) {
  TempDir dir;
  write_fsdd_like(dir.path());
  const RecordingSet set = load_audio_folder(dir.path());
  EXPECT_EQ(set.class_names, (std::vector<std::string>{"3", "10"}));  // numeric-aware: 3 < 10
  ASSERT_EQ(set.recordings.size(), 8u);
  EXPECT_TRUE(set.notes.empty());
  // Files sorted by name ("10_…" < "3_…" numerically: 3 < 10).
  EXPECT_EQ(fs::path(set.recordings[0].source).filename(), "3_ann_0.wav");
  EXPECT_EQ(set.recordings[0].label, 0);
  EXPECT_EQ(set.recordings[0].group, "ann");
  EXPECT_EQ(fs::path(set.recordings[4].source).filename(), "10_ann_0.wav");
  EXPECT_EQ(set.recordings[4].label, 1);
  EXPECT_EQ(set.recordings[4].frames(), 800);
}

TEST(AudioFolder, SpeakerNamesMayHoldUnderscores) {
  TempDir dir;
  slimlab::data::write_wav_pcm16(dir / "yes_a_b_c_12.wav", tone(440, 8000, 100), 1, 8000);
  const RecordingSet set = load_audio_folder(dir.path());
  ASSERT_EQ(set.recordings.size(), 1u);
  EXPECT_EQ(set.class_names, std::vector<std::string>{"yes"});
  EXPECT_EQ(set.recordings[0].group, "a_b_c");
}

TEST(AudioFolder, StereoAndOtherRatesAreConvertedAndNoted) {
  TempDir dir;
  write_fsdd_like(dir.path());
  const size_t frames = 4410;  // 0.1 s
  slimlab::data::write_wav_pcm16(dir / "3_cara_0.wav", tone(440, 44100, frames, 2), 2, 44100);
  slimlab::data::write_wav_pcm16(dir / "3_cara_1.wav", tone(440, 16000, 1600, 1), 1, 16000);
  slimlab::data::write_wav_pcm16(dir / "3_cara_2.wav", tone(440, 16000, 1600, 1), 1, 16000);
  const RecordingSet set = load_audio_folder(dir.path());
  ASSERT_EQ(set.recordings.size(), 11u);
  ASSERT_EQ(set.notes.size(), 3u) << ::testing::PrintToString(set.notes);
  EXPECT_EQ(set.notes[0], "1 file was stereo and mixed to mono");
  EXPECT_EQ(set.notes[1], "2 files at 16000 Hz resampled to 8000 Hz");
  EXPECT_EQ(set.notes[2], "1 file at 44100 Hz resampled to 8000 Hz");
  const auto& r = set.recordings[4];  // 3_cara_0 after the 3_bob_* files
  ASSERT_EQ(fs::path(r.source).filename(), "3_cara_0.wav");
  EXPECT_EQ(r.channels, 1);
  EXPECT_EQ(r.rate_hz, 8000);
  EXPECT_EQ(r.frames(), 800);  // ceil(4410 · 8000 / 44100)
  // Mono is the average of the channels: amplitude (0.5 + 0.3) / 2 in the middle.
  float peak = 0;
  for (int64_t i = 200; i < 600; ++i) peak = std::max(peak, std::fabs(r.samples[size_t(i)]));
  EXPECT_NEAR(peak, 0.4, 0.01);

  AudioFolderOptions strict;
  strict.strict = true;
  expect_data_error([&] { load_audio_folder(dir.path(), strict); },
                    {(dir / "3_cara_0.wav").string(), "2-channel at 44100 Hz", "mono at 8000 Hz"});
}

TEST(AudioFolder, ResamplesToTheAskedRate) {
  TempDir dir;
  write_fsdd_like(dir.path());
  AudioFolderOptions o;
  o.rate_hz = 16000;
  const RecordingSet set = load_audio_folder(dir.path(), o);
  EXPECT_EQ(set.notes, std::vector<std::string>{"8 files at 8000 Hz resampled to 16000 Hz"});
  for (const auto& r : set.recordings) {
    EXPECT_EQ(r.rate_hz, 16000);
    EXPECT_EQ(r.frames(), 1600);
  }
}

TEST(AudioFolder, TruncatedWavNamesTheFile) {
  TempDir dir;
  write_fsdd_like(dir.path());
  fs::resize_file(dir / "10_bob_1.wav", 44 + 700);
  expect_data_error([&] { load_audio_folder(dir.path()); }, {(dir / "10_bob_1.wav").string(), "truncated"});
}

TEST(AudioFolder, FirstBadFileInOrderIsReported) {
  // Many files so that several threads decode; two are bad. The error must be
  // the first one in file order, whatever the thread timing.
  TempDir dir;
  for (int k = 0; k < 300; ++k)
    slimlab::data::write_wav_pcm16(dir / ("1_s_" + std::to_string(k) + ".wav"), tone(300, 8000, 50), 1, 8000);
  slimlab::test::write_text(dir / "1_s_250.wav", "garbage");
  slimlab::test::write_text(dir / "1_s_70.wav", "garbage");
  for (int rep = 0; rep < 5; ++rep) {
    expect_data_error([&] { load_audio_folder(dir.path()); }, {(dir / "1_s_70.wav").string()});
  }
}

TEST(AudioFolder, ThreadedLoadIsDeterministic) {
  TempDir dir;
  for (int k = 0; k < 200; ++k)
    slimlab::data::write_wav_pcm16(dir / (std::to_string(k % 4) + "_s" + std::to_string(k % 3) + "_" + std::to_string(k) + ".wav"),
                                   tone(100 + k, 8000, 100 + size_t(k)), 1, 8000);
  const RecordingSet a = load_audio_folder(dir.path()), b = load_audio_folder(dir.path());
  ASSERT_EQ(a.recordings.size(), 200u);
  for (size_t i = 0; i < a.recordings.size(); ++i) {
    EXPECT_EQ(a.recordings[i].source, b.recordings[i].source);
    EXPECT_EQ(a.recordings[i].samples, b.recordings[i].samples);
    EXPECT_EQ(a.recordings[i].label, b.recordings[i].label);
  }
}

TEST(AudioFolder, BadFileNameNamesTheFile) {
  TempDir dir;
  write_fsdd_like(dir.path());
  slimlab::data::write_wav_pcm16(dir / "hello.wav", tone(300, 8000, 100), 1, 8000);
  expect_data_error([&] { load_audio_folder(dir.path()); },
                    {(dir / "hello.wav").string(), "{label}_{speaker}_{index}.wav"});

  TempDir dir2;
  slimlab::data::write_wav_pcm16(dir2 / "3_ann_x.wav", tone(300, 8000, 100), 1, 8000);
  expect_data_error([&] { load_audio_folder(dir2.path()); }, {(dir2 / "3_ann_x.wav").string()});
}

TEST(AudioFolder, SpeechCommandsLayout) {
  TempDir dir;
  for (const char* word : {"yes", "no", "up"})
    for (const char* name : {"0a7c2a8d_nohash_0.wav", "0a7c2a8d_nohash_1.wav", "b1c2d3e4_nohash_0.wav"})
      put(dir / word / name, tone(500, 16000, 1600), 1, 16000);
  put(dir / "no" / "plain.wav", tone(500, 16000, 1600), 1, 16000);
  // Long noise recordings: not a class, skipped.
  put(dir / "_background_noise_" / "white_noise.wav", tone(50, 16000, 16000), 1, 16000);
  slimlab::test::write_text(dir / "README.md", "Speech Commands\n");
  slimlab::test::write_text(dir / "validation_list.txt", "yes/0a7c2a8d_nohash_0.wav\n");
  AudioFolderOptions o;
  o.rate_hz = 16000;
  ASSERT_TRUE(looks_like_audio_folder(dir.path()));
  const RecordingSet set = load_audio_folder(dir.path(), o);
  EXPECT_EQ(set.class_names, (std::vector<std::string>{"no", "up", "yes"}));
  ASSERT_EQ(set.recordings.size(), 10u);
  ASSERT_EQ(set.notes.size(), 1u);
  EXPECT_TRUE(contains(set.notes[0], "without testing_list.txt")) << set.notes[0];
  EXPECT_EQ(set.recordings[0].group, "0a7c2a8d");
  EXPECT_EQ(set.recordings[0].label, 0);
  EXPECT_EQ(set.recordings[2].group, "b1c2d3e4");
  EXPECT_EQ(fs::path(set.recordings[3].source).filename(), "plain.wav");
  EXPECT_EQ(set.recordings[3].group, "");
  for (const auto& r : set.recordings) EXPECT_FALSE(contains(r.source, "_background_noise_"));

  // A given class list fixes the order and the label indices.
  o.class_names = {"yes", "no", "up"};
  const RecordingSet ordered = load_audio_folder(dir.path(), o);
  EXPECT_EQ(ordered.class_names, o.class_names);
  EXPECT_EQ(ordered.recordings[0].label, 0);
  EXPECT_EQ(fs::path(ordered.recordings[0].source).parent_path().filename(), "yes");
  EXPECT_EQ(fs::path(ordered.recordings[3].source).parent_path().filename(), "no");

  // Forcing the file-name layout on this folder finds no files in the root.
  o.class_names.clear();
  o.label_from = LabelFrom::kFileName;
  expect_data_error([&] { load_audio_folder(dir.path(), o); }, {dir.path().string(), "no .wav files"});
}

TEST(AudioFolder, EmptyClassFolderNamesTheFolder) {
  TempDir dir;
  put(dir / "yes" / "a_nohash_0.wav", tone(500, 8000, 800), 1, 8000);
  fs::create_directories(dir / "no");
  slimlab::test::write_text(dir / "no" / "notes.txt", "not audio");
  expect_data_error([&] { load_audio_folder(dir.path()); }, {(dir / "no").string(), "no .wav files"});
}

TEST(AudioFolder, LabelOutsideTheClassListNamesTheFileOrFolder) {
  TempDir flat;
  write_fsdd_like(flat.path());
  AudioFolderOptions o;
  o.class_names = {"3", "4"};
  expect_data_error([&] { load_audio_folder(flat.path(), o); }, {(flat / "10_ann_0.wav").string(), "'10'"});

  TempDir tree;
  put(tree / "yes" / "a_nohash_0.wav", tone(500, 8000, 800), 1, 8000);
  put(tree / "maybe" / "a_nohash_0.wav", tone(500, 8000, 800), 1, 8000);
  o.class_names = {"yes", "no"};
  expect_data_error([&] { load_audio_folder(tree.path(), o); }, {(tree / "maybe").string(), "'maybe'"});
}

TEST(AudioFolder, ListedClassWithoutFilesIsNoted) {
  TempDir flat;
  write_fsdd_like(flat.path());
  AudioFolderOptions o;
  o.class_names = {"3", "7", "10"};
  const RecordingSet set = load_audio_folder(flat.path(), o);
  EXPECT_EQ(set.notes, std::vector<std::string>{"class '7' has no recordings"});
  EXPECT_EQ(set.recordings[4].label, 2);
}

TEST(AudioFolder, NoWavFilesNamesTheFolder) {
  TempDir dir;
  slimlab::test::write_text(dir / "readme.txt", "nothing here");
  put(dir / "_background_noise_" / "noise.wav", tone(50, 8000, 800), 1, 8000);  // not a class
  EXPECT_FALSE(looks_like_audio_folder(dir.path()));
  expect_data_error([&] { load_audio_folder(dir.path()); }, {dir.path().string()});
  expect_data_error([&] { load_audio_folder(dir / "missing"); }, {(dir / "missing").string()});
  EXPECT_FALSE(looks_like_audio_folder(dir / "missing"));
}

TEST(AudioFolder, InvalidOptions) {
  TempDir dir;
  write_fsdd_like(dir.path());
  AudioFolderOptions o;
  o.rate_hz = 0;
  EXPECT_THROW(load_audio_folder(dir.path(), o), std::invalid_argument);
  o = {};
  o.class_names = {"3", "3"};
  EXPECT_THROW(load_audio_folder(dir.path(), o), std::invalid_argument);
}
