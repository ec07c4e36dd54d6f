#pragma once
// Small text helpers shared by the libraries above datasets/.
#include <string>
#include <vector>

namespace slimlab::data {

// "a,b,,c" → {"a", "b", "", "c"} for sep ','; an empty string has no parts.
inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t at = 0;
  while (true) {
    const size_t next = s.find(sep, at);
    out.push_back(s.substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (next == std::string::npos) return out;
    at = next + 1;
  }
}

}  // namespace slimlab::data
