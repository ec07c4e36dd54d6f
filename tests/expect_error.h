#pragma once
// Checks of thrown errors beyond test_util.h's: any exception type, expected message
// parts given as a vector (table-driven tests), and the message of what a call throws.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "datasets/errors.h"

namespace slimlab::test {

// Runs `fn`, expects an exception of type E whose message contains every one of `parts`.
template <class E, class Fn>
void expect_error(Fn fn, const std::vector<std::string>& parts) {
  try {
    fn();
    FAIL() << "expected an exception";
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

// test_util.h's expect_data_error with the parts in a vector.
template <class Fn>
void expect_data_error(Fn fn, const std::vector<std::string>& parts) {
  expect_error<::slimlab::data::DataError>(fn, parts);
}

// Runs `f` and returns the message of the E it throws, or `none` when it throws none.
template <class E, class F>
std::string message_of(F&& f, const char* none) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    return e.what();
  }
  return none;
}

}  // namespace slimlab::test
