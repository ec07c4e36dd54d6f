#pragma once
// Errors raised on bad input. Every message names the file (and line when there
// is one) so that a researcher can go straight to the culprit.
#include <sstream>
#include <stdexcept>
#include <string>

namespace slimlab::data {

class DataError : public std::runtime_error {
 public:
  DataError(std::string file, long line, const std::string& what)
      : std::runtime_error(format(file, line, what)), file_(std::move(file)), line_(line) {}
  DataError(std::string file, const std::string& what) : DataError(std::move(file), 0, what) {}

  const std::string& file() const { return file_; }
  long line() const { return line_; }  // 0 when the error is not about one line

 private:
  static std::string format(const std::string& file, long line, const std::string& what) {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    if (!s.empty()) s += ": ";
    return s + what;
  }
  std::string file_;
  long line_;
};

// Shortest readable form of a number for messages and notes ("50", "2.56").
inline std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace slimlab::data
