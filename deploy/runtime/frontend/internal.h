#pragma once
// Shared by the front end's source files only.
#include <stdexcept>
#include <string>

namespace slimrt::frontend {

constexpr double kPi = 3.14159265358979323846;

// "Struct.field: why" as std::invalid_argument.
[[noreturn]] inline void bad_option(const char* owner, const std::string& name, const std::string& why) {
  throw std::invalid_argument(std::string(owner) + "." + name + ": " + why);
}

// A number without trailing zeros ("8000", "0.5").
inline std::string num(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace slimrt::frontend
