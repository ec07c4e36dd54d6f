#pragma once
// Small text helpers shared by the libraries above datasets/.
#include <charconv>
#include <string>
#include <string_view>
#include <system_error>
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

// The whole token as a number of type T (an optional leading '+' allowed, as the
// datasets' text files write it); false for anything else, including trailing text.
template <class T>
bool parse_number(std::string_view tok, T& v) {
  if (!tok.empty() && tok[0] == '+') tok.remove_prefix(1);
  auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
  return ec == std::errc() && end == tok.data() + tok.size();
}

}  // namespace slimlab::data
