// WISDM v1.1 raw loader (declared in har_formats.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <set>

#include "datasets/errors.h"
#include "datasets/har_formats.h"
#include "datasets/text.h"

namespace slimlab::data {

namespace {

namespace fs = std::filesystem;

constexpr double kRateHz = 20.0;
constexpr int64_t kMaxGapNs = 1'000'000'000;  // a jump of more than 1 s starts a new recording

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Fields of one record, trimmed; one empty field after the 6th (a trailing comma) is dropped.
std::vector<std::string_view> fields(std::string_view rec) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    const size_t j = rec.find(',', i);
    out.push_back(trim(rec.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i)));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  if (out.size() == 7 && out.back().empty()) out.pop_back();
  return out;
}

bool complete(std::string_view rec) {
  auto f = fields(rec);
  return f.size() == 6 && std::none_of(f.begin(), f.end(), [](std::string_view s) { return s.empty(); });
}

struct Run {
  std::string user, activity;
  long first_line = 0, last_line = 0;
  int64_t last_ts = 0;  // last non-zero timestamp
  std::vector<float> samples;
};

}  // namespace

RecordingSet load_wisdm(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string(), "cannot open file");
  const std::string fname = file.filename().string();

  std::vector<Run> runs;
  Run cur;
  size_t records = 0, zero_ts = 0, trailing_commas = 0;
  static const char* const kNames[6] = {"user", "activity", "timestamp", "x", "y", "z"};

  auto close_run = [&]() {
    if (!cur.samples.empty()) runs.push_back(std::move(cur));
    cur = Run{};
  };
  auto finish_record = [&](std::string_view text, long start, long end) {
    text = trim(text);
    if (text.empty()) return;
    auto f = fields(text);
    if (f.size() == 6 && text.back() == ',') ++trailing_commas;
    if (f.size() != 6)
      throw DataError(file.string(), start,
                      "expected 6 fields user,activity,timestamp,x,y,z; found " + std::to_string(f.size()) +
                          " in '" + std::string(text.substr(0, 120)) + "'");
    for (int k = 0; k < 6; ++k)
      if (f[size_t(k)].empty()) throw DataError(file.string(), start, std::string("missing ") + kNames[k]);
    long user = 0;
    if (!parse_number(f[0], user))
      throw DataError(file.string(), start, "non-numeric user '" + std::string(f[0]) + "'");
    int64_t ts = 0;
    if (!parse_number(f[2], ts))
      throw DataError(file.string(), start, "non-numeric timestamp '" + std::string(f[2]) + "'");
    float xyz[3];
    for (int k = 0; k < 3; ++k) {
      double v = 0;
      if (!parse_number(f[size_t(3 + k)], v))
        throw DataError(file.string(), start,
                        std::string("non-numeric ") + kNames[3 + k] + " '" + std::string(f[size_t(3 + k)]) + "'");
      xyz[k] = float(v);
    }
    ++records;
    if (ts == 0) ++zero_ts;
    const std::string u(f[0]), a(f[1]);
    const bool same = !cur.samples.empty() && u == cur.user && a == cur.activity;
    const bool jump = ts != 0 && cur.last_ts != 0 && (ts < cur.last_ts || uint64_t(ts) - uint64_t(cur.last_ts) > uint64_t(kMaxGapNs));
    if (!same || jump) {
      close_run();
      cur.user = u;
      cur.activity = a;
      cur.first_line = start;
    }
    cur.samples.insert(cur.samples.end(), xyz, xyz + 3);
    cur.last_line = end;
    if (ts != 0) cur.last_ts = ts;
  };

  std::string pending;  // text of the record being read (may span lines)
  long pending_start = 0;
  std::string line;
  long lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    size_t i = 0;
    while (i <= line.size()) {
      const size_t semi = line.find(';', i);
      const std::string_view piece(line.data() + i, (semi == std::string::npos ? line.size() : semi) - i);
      if (!trim(piece).empty() && trim(pending).empty()) pending_start = lineno;
      pending.append(piece.data(), piece.size());
      if (semi == std::string::npos) break;
      finish_record(pending, pending_start, lineno);
      pending.clear();
      i = semi + 1;
    }
    // A newline ends a record that already holds its 6 fields (no ';'); otherwise
    // the record continues on the next line.
    if (!trim(pending).empty() && complete(trim(pending))) {
      finish_record(pending, pending_start, lineno);
      pending.clear();
    }
    if (pending.size() > 4096)
      throw DataError(file.string(), pending_start, "record without an end (no ';' within 4096 characters)");
  }
  if (!trim(pending).empty()) finish_record(pending, pending_start, lineno);
  close_run();
  if (runs.empty()) throw DataError(file.string(), "WISDM: no records");

  RecordingSet set;
  set.modality = Modality::kHar;
  set.channel_names = {"acc_x", "acc_y", "acc_z"};
  std::set<std::string> activities, users;
  for (const Run& r : runs) activities.insert(r.activity), users.insert(r.user);
  set.class_names.assign(activities.begin(), activities.end());
  for (Run& r : runs) {
    Recording rec;
    rec.channels = 3;
    rec.rate_hz = kRateHz;
    rec.label = int(std::lower_bound(set.class_names.begin(), set.class_names.end(), r.activity) -
                    set.class_names.begin());
    rec.group = r.user;
    rec.source = fname + ":" + std::to_string(r.first_line) + "-" + std::to_string(r.last_line);
    rec.samples = std::move(r.samples);
    set.recordings.push_back(std::move(rec));
  }
  set.notes.push_back("WISDM " + file.string() + ": " + std::to_string(records) + " records in " +
                      std::to_string(set.recordings.size()) + " continuous runs, " + std::to_string(users.size()) +
                      " users, " + std::to_string(set.class_names.size()) +
                      " activities; accelerometer in m/s² at 20 Hz");
  if (zero_ts)
    set.notes.push_back(std::to_string(zero_ts) + " records with timestamp 0 (kept; they never split a run)");
  if (trailing_commas) set.notes.push_back(std::to_string(trailing_commas) + " records with a trailing comma (kept)");
  return set;
}

}  // namespace slimlab::data
