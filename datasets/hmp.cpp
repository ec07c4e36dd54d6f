// HMP wrist-accelerometer loader (declared in har_formats.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "datasets/errors.h"
#include "datasets/har_formats.h"

namespace slimlab::data {

namespace {

namespace fs = std::filesystem;

constexpr double kHmpRateHz = 32.0;

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One trial: lines "x y z" of coded integers 0–63 → g.
void read_trial(const fs::path& file, std::vector<float>& samples) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string(), "cannot open file");
  std::string line;
  long lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    int values[3];
    int count = 0;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (i >= line.size()) break;
      size_t j = i;
      while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
      const std::string tok = line.substr(i, j - i);
      long v = 0;
      auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
      if (ec != std::errc() || end != tok.data() + tok.size())
        throw DataError(file.string(), lineno, "non-numeric value '" + tok + "' (expected integers 0–63)");
      if (v < 0 || v > 63)
        throw DataError(file.string(), lineno, "value " + tok + " outside the coded range 0–63");
      if (count < 3) values[count] = int(v);
      ++count;
      i = j;
    }
    if (count == 0) continue;  // blank line
    if (count != 3)
      throw DataError(file.string(), lineno, "expected 3 values (x y z), found " + std::to_string(count));
    // Coded value v ∈ [0, 63] ↦ [−1.5 g, +1.5 g] (MANUAL.txt §4.2).
    for (int k = 0; k < 3; ++k) samples.push_back(float(-1.5 + (values[k] / 63.0) * 3.0));
  }
  if (samples.empty()) throw DataError(file.string(), "trial file has no samples");
}

}  // namespace

RecordingSet load_hmp(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw DataError(dir.string(), "HMP: not a directory");
  // Accelerometer-[YYYY-MM-DD-HH-MM-SS]-[hmp]-[volunteer].txt (MANUAL.txt §4.1).
  static const std::regex name_re(
      R"(Accelerometer-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-([A-Za-z_]+)-([A-Za-z]+[0-9]+)\.txt)");

  std::vector<fs::path> class_dirs;
  size_t skipped_models = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (ends_with(name, "_MODEL")) {
      ++skipped_models;
      continue;
    }
    class_dirs.push_back(e.path());
  }
  std::sort(class_dirs.begin(), class_dirs.end());
  if (class_dirs.empty()) throw DataError(dir.string(), "HMP: no class folders found");

  RecordingSet set;
  set.modality = Modality::kHar;
  set.channel_names = {"acc_x", "acc_y", "acc_z"};
  std::set<std::string> volunteers;
  size_t name_mismatches = 0;
  for (const fs::path& cdir : class_dirs) {
    const std::string cls = cdir.filename().string();
    const int label = int(set.class_names.size());
    set.class_names.push_back(cls);

    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(cdir)) {
      const std::string name = e.path().filename().string();
      if (name.empty() || name[0] == '.' || e.is_directory()) continue;
      files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw DataError(cdir.string(), "HMP: empty class folder (no trial files)");

    for (const fs::path& file : files) {
      const std::string name = file.filename().string();
      std::smatch m;
      if (!std::regex_match(name, m, name_re))
        throw DataError(file.string(),
                        "HMP: file name does not match "
                        "Accelerometer-YYYY-MM-DD-HH-MM-SS-<hmp>-<volunteer>.txt");
      if (lower(m[1].str()) != lower(cls)) ++name_mismatches;
      Recording rec;
      rec.channels = 3;
      rec.rate_hz = kHmpRateHz;
      rec.label = label;
      rec.group = m[2].str();
      rec.source = cls + "/" + name;
      read_trial(file, rec.samples);
      volunteers.insert(rec.group);
      set.recordings.push_back(std::move(rec));
    }
  }

  std::ostringstream note;
  note << "HMP " << dir.string() << ": " << set.recordings.size() << " trials, " << set.class_names.size()
       << " classes, " << volunteers.size() << " volunteers; wrist accelerometer at 32 Hz, coded 0–63 "
       << "converted to g (−1.5 + v/63·3)";
  set.notes.push_back(note.str());
  if (skipped_models) set.notes.push_back("skipped " + std::to_string(skipped_models) + " *_MODEL folders");
  if (name_mismatches)
    set.notes.push_back(std::to_string(name_mismatches) +
                        " trial file names name a different HMP than their folder; the folder gives the label");
  return set;
}

}  // namespace slimlab::data
