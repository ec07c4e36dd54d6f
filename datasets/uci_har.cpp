// UCI HAR Dataset loader (declared in har_formats.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "datasets/errors.h"
#include "datasets/har_formats.h"
#include "datasets/text.h"

namespace slimlab::data {

namespace {

namespace fs = std::filesystem;

constexpr int kWindow = 128;       // samples per window (2.56 s at 50 Hz)
constexpr double kRateHz = 50.0;
// File stems in channel order (see har_formats.h).
const char* const kSignals[9] = {"total_acc_x", "total_acc_y", "total_acc_z", "body_gyro_x", "body_gyro_y",
                                 "body_gyro_z", "body_acc_x",  "body_acc_y",  "body_acc_z"};

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// Whitespace-separated tokens of one line.
std::vector<std::string_view> tokens(const std::string& line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) out.emplace_back(line.data() + i, j - i);
    i = j;
  }
  return out;
}

// Reads the non-blank lines of a file; blank lines are allowed only at the end
// (a blank line inside would shift every later window against the label files).
template <class OnLine>
long for_each_line(const fs::path& file, OnLine on_line) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string(), "cannot open file");
  std::string line;
  long lineno = 0, rows = 0, blank_at = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (is_blank(line)) {
      if (!blank_at) blank_at = lineno;
      continue;
    }
    if (blank_at) throw DataError(file.string(), blank_at, "blank line inside the data");
    on_line(line, lineno);
    ++rows;
  }
  return rows;
}

struct Activities {
  std::vector<std::string> names;
  std::map<long, int> index_of_id;
};

Activities read_activity_labels(const fs::path& file) {
  std::vector<std::pair<long, std::string>> rows;
  for_each_line(file, [&](const std::string& line, long lineno) {
    auto t = tokens(line);
    long id = 0;
    if (t.size() != 2 || !parse_number(t[0], id))
      throw DataError(file.string(), lineno, "expected '<id> <ACTIVITY_NAME>'");
    rows.emplace_back(id, std::string(t[1]));
  });
  if (rows.empty()) throw DataError(file.string(), "no activities");
  std::sort(rows.begin(), rows.end());
  Activities a;
  for (auto& [id, name] : rows) {
    if (a.index_of_id.count(id)) throw DataError(file.string(), "activity id " + std::to_string(id) + " repeated");
    a.index_of_id[id] = int(a.names.size());
    a.names.push_back(name);
  }
  return a;
}

void load_split(const fs::path& root, const std::string& split, const Activities& acts, RecordingSet& set) {
  const fs::path sdir = root / split;
  const fs::path yfile = sdir / ("y_" + split + ".txt");
  const fs::path subjfile = sdir / ("subject_" + split + ".txt");

  std::vector<int> labels;
  for_each_line(yfile, [&](const std::string& line, long lineno) {
    auto t = tokens(line);
    long id = 0;
    if (t.size() != 1 || !parse_number(t[0], id))
      throw DataError(yfile.string(), lineno, "expected one integer label");
    auto it = acts.index_of_id.find(id);
    if (it == acts.index_of_id.end())
      throw DataError(yfile.string(), lineno, "label " + std::to_string(id) + " is not in activity_labels.txt");
    labels.push_back(it->second);
  });
  const size_t n = labels.size();

  std::vector<long> subjects;
  const long subj_rows = for_each_line(subjfile, [&](const std::string& line, long lineno) {
    auto t = tokens(line);
    long id = 0;
    if (t.size() != 1 || !parse_number(t[0], id))
      throw DataError(subjfile.string(), lineno, "expected one integer subject id");
    subjects.push_back(id);
  });
  if (size_t(subj_rows) != n)
    throw DataError(subjfile.string(), "has " + std::to_string(subj_rows) + " lines but " +
                                           yfile.filename().string() + " has " + std::to_string(n));

  // Window-major, then frame, then channel: the Recording layout.
  const size_t first = set.recordings.size();
  for (size_t w = 0; w < n; ++w) {
    Recording rec;
    rec.channels = 9;
    rec.rate_hz = kRateHz;
    rec.label = labels[w];
    rec.group = "subject" + std::to_string(subjects[w]);
    rec.source = split + "/Inertial Signals/*_" + split + ".txt:" + std::to_string(w + 1);
    set.recordings.push_back(std::move(rec));
  }
  for (int c = 0; c < 9; ++c) {
    const fs::path file = sdir / "Inertial Signals" / (std::string(kSignals[c]) + "_" + split + ".txt");
    std::error_code ec;
    const auto bytes = fs::file_size(file, ec);
    if (ec) throw DataError(file.string(), "cannot read file");
    // Every line holds 128 numbers of ≥ 2 bytes each: refuse before allocating.
    if (uintmax_t(n) * kWindow * 2 > bytes)
      throw DataError(file.string(), "too short for " + std::to_string(n) + " windows of 128 values (" +
                                         yfile.filename().string() + " has " + std::to_string(n) + " lines)");
    size_t row = 0;
    const long rows = for_each_line(file, [&](const std::string& line, long lineno) {
      if (row >= n)
        throw DataError(file.string(), lineno,
                        "more lines than " + yfile.filename().string() + " (" + std::to_string(n) + ")");
      auto t = tokens(line);
      if (t.size() != size_t(kWindow))
        throw DataError(file.string(), lineno, "expected 128 values, found " + std::to_string(t.size()));
      Recording& rec = set.recordings[first + row];
      if (rec.samples.empty()) rec.samples.assign(size_t(kWindow) * 9, 0.0f);
      for (int k = 0; k < kWindow; ++k) {
        double v = 0;
        if (!parse_number(t[size_t(k)], v))
          throw DataError(file.string(), lineno, "non-numeric value '" + std::string(t[size_t(k)]) + "'");
        rec.samples[size_t(k) * 9 + size_t(c)] = float(v);
      }
      ++row;
    });
    if (size_t(rows) != n)
      throw DataError(file.string(), "has " + std::to_string(rows) + " lines but " + yfile.filename().string() +
                                         " has " + std::to_string(n));
  }
}

}  // namespace

RecordingSet load_uci_har(const fs::path& dir_in, const std::string& split) {
  if (split != "train" && split != "test" && split != "all")
    throw std::invalid_argument("load_uci_har: split must be train, test or all, got '" + split + "'");
  fs::path dir = dir_in;
  if (!fs::exists(dir / "activity_labels.txt") && fs::exists(dir / "UCI HAR Dataset" / "activity_labels.txt"))
    dir = dir / "UCI HAR Dataset";
  if (!fs::is_directory(dir)) throw DataError(dir.string(), "UCI HAR: not a directory");

  const Activities acts = read_activity_labels(dir / "activity_labels.txt");
  RecordingSet set;
  set.modality = Modality::kHar;
  set.class_names = acts.names;
  for (const char* s : kSignals) set.channel_names.push_back(s);
  std::vector<std::string> splits = split == "all" ? std::vector<std::string>{"train", "test"}
                                                   : std::vector<std::string>{split};
  for (const auto& s : splits) {
    const size_t first = set.recordings.size();
    load_split(dir, s, acts, set);
    if (split == "all")  // both of the distributed splits: keep which one each window came from
      for (size_t i = first; i < set.recordings.size(); ++i)
        set.recordings[i].given_split = s == "train" ? GivenSplit::kTrain : GivenSplit::kTest;
  }

  std::set<std::string> subjects;
  for (const auto& r : set.recordings) subjects.insert(r.group);
  set.notes.push_back("UCI HAR " + dir.string() + " (" + split + "): " + std::to_string(set.recordings.size()) +
                      " windows of 128 samples (2.56 s at 50 Hz), " + std::to_string(subjects.size()) +
                      " subjects; channels total_acc xyz (g), body_gyro xyz (rad/s), body_acc xyz (g)");
  set.notes.push_back(
      "UCI HAR windows already overlap by 50%: consecutive recordings share 64 samples, so split by subject; "
      "a 2.56 s window at 50 Hz gives exactly one window per recording");
  return set;
}

}  // namespace slimlab::data
