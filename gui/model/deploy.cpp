#include "gui/model/deploy.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "experiments/results.h"

namespace fs = std::filesystem;

namespace slimlab::gui {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The first number after `at` in `line`, with an optional unit scaling it
// ("4.0 KiB" → 4096, "0.5 us" → 0.0005 when `time`).
bool number_after(const std::string& line, size_t at, bool time, double* out) {
  size_t i = at;
  while (i < line.size() && !(std::isdigit(static_cast<unsigned char>(line[i])) ||
                              (line[i] == '.' && i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1])))))
    ++i;
  if (i >= line.size()) return false;
  char* end = nullptr;
  double v = std::strtod(line.c_str() + i, &end);
  if (!end || end == line.c_str() + i) return false;
  std::string unit;
  const char* p = end;
  while (*p == ' ') ++p;
  while (*p && std::isalpha(static_cast<unsigned char>(*p))) unit += char(std::tolower(static_cast<unsigned char>(*p++)));
  if (time) {
    if (unit == "us" || unit == "µs") v /= 1000;
    else if (unit == "ns") v /= 1e6;
    else if (unit == "s" || unit == "sec") v *= 1000;
  } else {
    if (unit == "kib" || unit == "kb") v *= 1024;
    else if (unit == "mib" || unit == "mb") v *= 1024.0 * 1024;
  }
  *out = v;
  return true;
}

}  // namespace

BenchMeasurement parse_bench_output(const std::string& text) {
  BenchMeasurement m;
  std::istringstream in(text);
  std::string raw;
  while (std::getline(in, raw)) {
    const std::string line = lower(raw);
    double v = 0;
    size_t at;
    if ((at = line.find("latency")) != std::string::npos && number_after(line, at + 7, true, &v)) m.latency_ms = v;
    // slimrt-run bench: "median_ms 0.1234  p90_ms …" — the median is the latency.
    if ((at = line.find("median_ms")) != std::string::npos && number_after(line, at + 9, true, &v)) m.latency_ms = v;
    if ((at = line.find("arena")) != std::string::npos && number_after(line, at + 5, false, &v)) m.arena_bytes = int64_t(v);
    if (((at = line.find("file_bytes")) != std::string::npos || (at = line.find("file size")) != std::string::npos ||
         (at = line.find("file bytes")) != std::string::npos) &&
        number_after(line, at + 9, false, &v))
      m.file_bytes = int64_t(v);
  }
  return m;
}

std::string read_file_text(const fs::path& p, size_t max_bytes) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const auto size = size_t(std::max<std::streamoff>(0, in.tellg()));
  const size_t from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(std::streamoff(from));
  std::string s(size - from, '\0');
  in.read(s.data(), std::streamsize(s.size()));
  return s;
}

std::string DeployController::missing_tools() const {
  std::string out;
  std::error_code ec;
  if (!fs::exists(slimlab_, ec)) out += slimlab_.string() + " not found. ";
  if (!fs::exists(slimrt_run_, ec))
    out += "slimrt-run not found at " + slimrt_run_.string() + " (build the slimrt runtime: cmake --build build --target slimrt-run). ";
  return out;
}

int DeployController::request(const std::string& run_key, const fs::path& run_dir, const std::string& precision,
                              bool opencl, std::string* why, bool front_end) {
  const std::string missing = missing_tools();
  if (!missing.empty()) {
    if (why) *why = missing;
    return 0;
  }
  DeployRequest r;
  r.id = next_id_++;
  r.run_key = run_key;
  r.run_dir = run_dir;
  r.precision = precision;
  r.opencl = opencl;
  r.front_end = front_end;
  const std::string stem = precision + (front_end ? "-frontend" : "");
  r.slim_file = run_dir / ("model-" + stem + ".slim");
  r.log_file = run_dir / ("deploy-" + stem + ".txt");
  std::error_code ec;
  fs::remove(r.log_file, ec);
  JobSpec spec;
  spec.label = "export " + run_key + " " + precision;
  spec.kind = "export";
  spec.argv = {slimlab_.string(), "export", run_dir.string(), "--precision", precision, "--out", r.slim_file.string()};
  if (front_end) spec.argv.push_back("--front-end");
  spec.output = r.log_file;
  spec.group = r.id;
  r.job = queue_.submit(std::move(spec));
  requests_.push_back(r);
  return r.id;
}

const DeployRequest* DeployController::latest_for(const std::string& run_key) const {
  for (auto it = requests_.rbegin(); it != requests_.rend(); ++it)
    if (it->run_key == run_key) return &*it;
  return nullptr;
}

void DeployController::next_step(DeployRequest& r) {
  JobSpec spec;
  spec.kind = "bench";
  spec.output = r.log_file;
  spec.group = r.id;
  spec.argv = {slimrt_run_.string(), "bench", r.slim_file.string()};
  if (r.step == "bench-opencl") {
    spec.argv.insert(spec.argv.end(), {"--device", "opencl"});
    spec.label = "bench " + r.run_key + " " + r.precision + " (OpenCL)";
  } else {
    spec.label = "bench " + r.run_key + " " + r.precision;
  }
  // Mark where this step's output starts in the shared log.
  std::ofstream(r.log_file, std::ios::app) << "\n== " << spec.label << " ==\n";
  r.job = queue_.submit(std::move(spec));
}

bool DeployController::on_job_done(const Job& job) {
  for (DeployRequest& r : requests_) {
    if (r.job != job.id || r.done()) continue;
    if (job.state != JobState::kFinished && r.step == "bench-opencl") {
      // No OpenCL device (or it failed): the CPU measurements still count.
      r.step = "done";
      const bool ok = write_back(r);
      r.message += "; OpenCL benchmark " + (job.state == JobState::kCancelled ? std::string("cancelled") : job.message) +
                   " (see " + r.log_file.string() + ")";
      return ok;
    }
    if (job.state != JobState::kFinished) {
      r.step = "failed";
      r.message = job.spec.label + ": " + (job.state == JobState::kCancelled ? "cancelled" : job.message) +
                  " - see " + r.log_file.string();
      return false;
    }
    if (r.step == "export") {
      std::error_code ec;
      if (!fs::exists(r.slim_file, ec)) {
        r.step = "failed";
        r.message = "the export finished but wrote no " + r.slim_file.string();
        return false;
      }
      r.step = "bench";
      next_step(r);
      return false;
    }
    // The bench output is the log after its "== … ==" marker.
    const std::string log = read_file_text(r.log_file);
    const size_t mark = log.rfind("\n== ");
    const BenchMeasurement m = parse_bench_output(mark == std::string::npos ? log : log.substr(mark));
    if (r.step == "bench") {
      r.cpu = m;
      std::error_code ec;
      if (r.cpu.file_bytes < 0) {
        const auto size = fs::file_size(r.slim_file, ec);
        if (!ec) r.cpu.file_bytes = int64_t(size);
      }
      if (r.opencl) {
        r.step = "bench-opencl";
        next_step(r);
        return false;
      }
    } else {
      r.gpu = m;
    }
    r.step = "done";
    return write_back(r);
  }
  return false;
}

bool DeployController::write_back(DeployRequest& r) {
  const fs::path h5 = r.run_dir / "results.h5";
  try {
    exp::RunRecord rec = exp::read_results(h5);
    if (!std::isnan(r.cpu.latency_ms)) rec.latency_ms = r.cpu.latency_ms;
    if (r.cpu.arena_bytes >= 0) rec.arena_bytes = r.cpu.arena_bytes;
    if (r.cpu.file_bytes >= 0) rec.file_bytes = r.cpu.file_bytes;
    rec.tags["slimrt_precision"] = r.precision;
    if (r.opencl && !std::isnan(r.gpu.latency_ms)) rec.tags["slimrt_opencl_latency_ms"] = std::to_string(r.gpu.latency_ms);
    exp::write_results(rec, h5);
    r.message = "measurements written to " + h5.string();
    return true;
  } catch (const std::exception& e) {
    r.message = std::string("measured, but could not update results.h5: ") + e.what();
    return false;
  }
}

}  // namespace slimlab::gui
