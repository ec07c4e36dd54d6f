// HHAR (Heterogeneity Human Activity Recognition) CSV loader (declared in har_formats.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "datasets/errors.h"
#include "datasets/har_formats.h"
#include "datasets/text.h"

namespace slimlab::data {

namespace {


namespace fs = std::filesystem;

constexpr int64_t kMaxGapNs = 1'000'000'000;  // samples more than 1 s apart start a new recording
const char* const kHeader = "Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt";
const std::vector<std::string> kActivities = {"bike", "sit", "stairsdown", "stairsup", "stand", "walk"};

struct Row {
  int64_t t_ns;
  float xyz[3];
  long line;
};

struct Run {
  std::string user, device, gt;
  std::vector<Row> rows;
};

}  // namespace

RecordingSet load_hhar(const fs::path& csv, double rate_hz) {
  if (!(rate_hz > 0) || !std::isfinite(rate_hz))
    throw std::invalid_argument("load_hhar: rate_hz must be positive, got " + format_number(rate_hz));
  std::ifstream in(csv, std::ios::binary);
  if (!in) throw DataError(csv.string(), "cannot open file");
  const std::string fname = csv.filename().string();

  std::string line;
  long lineno = 0;
  if (!std::getline(in, line)) throw DataError(csv.string(), 1, "empty file (expected the HHAR header)");
  ++lineno;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 BOM
  if (line != kHeader)
    throw DataError(csv.string(), 1, "header is '" + line.substr(0, 200) + "', expected '" + kHeader + "'");

  RecordingSet set;
  set.modality = Modality::kHar;
  set.class_names = kActivities;
  std::string lname = fname;
  for (char& c : lname) c = char(std::tolower(static_cast<unsigned char>(c)));
  const bool gyro = lname.find("gyro") != std::string::npos;
  set.channel_names = gyro ? std::vector<std::string>{"gyro_x", "gyro_y", "gyro_z"}
                           : std::vector<std::string>{"acc_x", "acc_y", "acc_z"};

  size_t rows_kept = 0, rows_null = 0, runs = 0, segments_one_sample = 0;
  const double step_ns = 1e9 / rate_hz;

  // Orders a run by Creation_Time, cuts it at gaps > 1 s, and puts each piece
  // on the uniform grid t0 + k·step (linear interpolation, no extrapolation).
  auto flush = [&](Run& run) {
    if (run.rows.empty()) return;
    ++runs;
    std::stable_sort(run.rows.begin(), run.rows.end(), [](const Row& a, const Row& b) { return a.t_ns < b.t_ns; });
    const int label = int(std::find(kActivities.begin(), kActivities.end(), run.gt) - kActivities.begin());
    size_t begin = 0;
    while (begin < run.rows.size()) {
      size_t end = begin + 1;
      // Sorted, so the unsigned difference is exact even for extreme timestamps.
      while (end < run.rows.size() &&
             uint64_t(run.rows[end].t_ns) - uint64_t(run.rows[end - 1].t_ns) <= uint64_t(kMaxGapNs))
        ++end;
      const Row* r = run.rows.data() + begin;
      const size_t n = end - begin;
      const int64_t t0 = r[0].t_ns;
      const double span = double(r[n - 1].t_ns - t0);
      const int64_t frames = int64_t(std::floor(span / step_ns + 1e-9)) + 1;
      Recording rec;
      rec.channels = 3;
      rec.rate_hz = rate_hz;
      rec.label = label;
      rec.group = run.user;
      long lo = r[0].line, hi = r[0].line;
      for (size_t i = 0; i < n; ++i) lo = std::min(lo, r[i].line), hi = std::max(hi, r[i].line);
      rec.source = fname + ":" + std::to_string(lo) + "-" + std::to_string(hi);
      rec.samples.resize(size_t(frames) * 3);
      size_t j = 0;
      for (int64_t k = 0; k < frames; ++k) {
        const double tk = double(k) * step_ns;
        while (j + 1 < n && double(r[j + 1].t_ns - t0) <= tk) ++j;
        float* dst = rec.samples.data() + size_t(k) * 3;
        if (j + 1 < n) {
          const double ta = double(r[j].t_ns - t0), tb = double(r[j + 1].t_ns - t0);
          const double frac = (tk - ta) / (tb - ta);  // tb > tk ≥ ta
          for (int c = 0; c < 3; ++c) dst[c] = float(r[j].xyz[c] + (r[j + 1].xyz[c] - r[j].xyz[c]) * frac);
        } else {
          for (int c = 0; c < 3; ++c) dst[c] = r[j].xyz[c];
        }
      }
      if (n == 1) ++segments_one_sample;
      set.recordings.push_back(std::move(rec));
      begin = end;
    }
    run.rows.clear();
  };

  Run cur;
  std::string_view f[10];
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    int count = 0;
    size_t i = 0;
    while (true) {
      const size_t j = line.find(',', i);
      if (count < 10) f[count] = std::string_view(line).substr(i, j == std::string::npos ? std::string::npos : j - i);
      ++count;
      if (j == std::string::npos) break;
      i = j + 1;
    }
    if (count != 10)
      throw DataError(csv.string(), lineno, "expected 10 fields, found " + std::to_string(count));
    int64_t index = 0, arrival = 0, created = 0;
    if (!parse_number(f[0], index)) throw DataError(csv.string(), lineno, "non-numeric Index '" + std::string(f[0]) + "'");
    if (!parse_number(f[1], arrival))
      throw DataError(csv.string(), lineno, "non-numeric Arrival_Time '" + std::string(f[1]) + "'");
    if (!parse_number(f[2], created))
      throw DataError(csv.string(), lineno, "non-numeric Creation_Time '" + std::string(f[2]) + "'");
    Row row{created, {0, 0, 0}, lineno};
    for (int c = 0; c < 3; ++c) {
      double v = 0;
      if (!parse_number(f[3 + c], v) || !std::isfinite(v))
        throw DataError(csv.string(), lineno,
                        std::string("non-numeric ") + "xyz"[c] + " '" + std::string(f[3 + c]) + "'");
      row.xyz[c] = float(v);
    }
    if (f[6].empty()) throw DataError(csv.string(), lineno, "missing User");
    if (f[8].empty()) throw DataError(csv.string(), lineno, "missing Device");
    if (f[9] == "null") {
      ++rows_null;
      continue;
    }
    if (std::find(kActivities.begin(), kActivities.end(), f[9]) == kActivities.end())
      throw DataError(csv.string(), lineno,
                      "unknown activity gt '" + std::string(f[9]) + "' (expected bike, sit, stairsdown, stairsup, "
                      "stand, walk or null)");
    ++rows_kept;
    if (cur.rows.empty() || f[6] != cur.user || f[8] != cur.device || f[9] != cur.gt) {
      flush(cur);
      cur.user = std::string(f[6]);
      cur.device = std::string(f[8]);
      cur.gt = std::string(f[9]);
    }
    cur.rows.push_back(row);
  }
  flush(cur);
  if (set.recordings.empty()) throw DataError(csv.string(), "HHAR: no labelled rows (all gt are null?)");

  std::set<std::string> users;
  for (const auto& r : set.recordings) users.insert(r.group);
  set.notes.push_back("HHAR " + csv.string() + ": " + std::to_string(rows_kept) + " labelled rows (" +
                      std::to_string(rows_null) + " with gt null dropped), " + std::to_string(runs) +
                      " (User, Device, gt) runs → " + std::to_string(set.recordings.size()) +
                      " recordings (cut at gaps > 1 s), " + std::to_string(users.size()) +
                      " users; resampled to " + format_number(rate_hz) + " Hz by linear interpolation; " +
                      (gyro ? "gyroscope in rad/s" : "accelerometer in m/s²"));
  if (segments_one_sample)
    set.notes.push_back(std::to_string(segments_one_sample) + " recordings hold a single sample");
  return set;
}

}  // namespace slimlab::data
