// detect_har_format (the loaders live in hmp.cpp, uci_har.cpp, wisdm.cpp, hhar.cpp).
#include "datasets/har_formats.h"

#include <cctype>
#include <fstream>
#include <regex>
#include <system_error>

namespace slimlab::data {

namespace {

namespace fs = std::filesystem;

bool has_hmp_trials(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    for (fs::directory_iterator f(it->path(), ec), fend; !ec && f != fend; f.increment(ec)) {
      const std::string name = f->path().filename().string();
      if (name.rfind("Accelerometer-", 0) == 0 && name.size() > 4 && name.compare(name.size() - 4, 4, ".txt") == 0)
        return true;
    }
  }
  return false;
}

}  // namespace

std::string detect_har_format(const fs::path& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "activity_labels.txt", ec) || fs::exists(p / "UCI HAR Dataset" / "activity_labels.txt", ec))
      return "uci_har";
    if (has_hmp_trials(p)) return "hmp";
    return "";
  }
  if (!fs::is_regular_file(p, ec)) return "";
  std::ifstream in(p, std::ios::binary);
  std::string line;
  // The first non-blank line, read in a bounded way (a binary file may have no newline).
  for (int tries = 0; tries < 16; ++tries) {
    line.clear();
    char c;
    while (line.size() < 4096 && in.get(c) && c != '\n') line.push_back(c);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty() || !in) break;
  }
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  if (line == "Index,Arrival_Time,Creation_Time,x,y,z,User,Model,Device,gt") return "hhar";
  // WISDM v1.1 raw: user,activity,timestamp,x,y,z;
  static const std::regex wisdm(
      R"(\s*\d+\s*,\s*[A-Za-z][A-Za-z_ ]*\s*,\s*-?\d+\s*,[^,;]*,[^,;]*,[^,;]*,?\s*;.*)");
  if (std::regex_match(line, wisdm)) return "wisdm";
  return "";
}

}  // namespace slimlab::data
