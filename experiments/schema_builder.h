#pragma once
// Internal to experiments/schema*.cpp: the builder the key table is written with.
// Each entry is built from an accessor `ref(Experiment&) -> T&`; its type follows T.
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "experiments/experiment.h"
#include "experiments/schema.h"

namespace slimlab::exp::schema_detail {

inline void assign(double& dst, const Value& v) { dst = std::get<double>(v); }
inline void assign(int& dst, const Value& v) { dst = int(std::get<int64_t>(v)); }
inline void assign(int64_t& dst, const Value& v) { dst = std::get<int64_t>(v); }
inline void assign(uint64_t& dst, const Value& v) { dst = uint64_t(std::get<int64_t>(v)); }
inline void assign(bool& dst, const Value& v) { dst = std::get<bool>(v); }
inline void assign(std::string& dst, const Value& v) { dst = std::get<std::string>(v); }
inline void assign(std::vector<std::string>& dst, const Value& v) { dst = std::get<std::vector<std::string>>(v); }

inline Value to_value(double x) { return x; }
inline Value to_value(int x) { return int64_t(x); }
inline Value to_value(int64_t x) { return x; }
inline Value to_value(uint64_t x) { return int64_t(x); }
inline Value to_value(bool x) { return x; }
inline Value to_value(const std::string& x) { return x; }
inline Value to_value(const std::vector<std::string>& x) { return x; }

template <class T>
constexpr ValueType type_for() {
  if constexpr (std::is_same_v<T, bool>) return ValueType::kBool;
  else if constexpr (std::is_same_v<T, double>) return ValueType::kFloat;
  else if constexpr (std::is_integral_v<T>) return ValueType::kInt;
  else if constexpr (std::is_same_v<T, std::string>) return ValueType::kString;
  else return ValueType::kStringList;
}

// Builds one entry from an accessor `ref(Experiment&) -> T&`; the type follows T.
struct Builder {
  SchemaEntry e;
  template <class Ref>
  Builder(std::string key, Ref ref, std::string doc) {
    using T = std::remove_reference_t<decltype(ref(std::declval<Experiment&>()))>;
    e.key = std::move(key);
    e.type = type_for<T>();
    e.doc = std::move(doc);
    e.set = [ref](Experiment& x, const Value& v) { assign(ref(x), v); };
    // The accessor takes a mutable Experiment; the getter only reads through it.
    e.get = [ref](const Experiment& x) { return to_value(ref(const_cast<Experiment&>(x))); };
    if constexpr (std::is_unsigned_v<T>) e.min = 0;
  }
  Builder& range(double lo, double hi, bool lo_open = false, bool hi_open = false) {
    e.min = lo;
    e.max = hi;
    e.min_open = lo_open;
    e.max_open = hi_open;
    return *this;
  }
  Builder& at_least(double lo) { return range(lo, std::numeric_limits<double>::infinity()); }
  Builder& above(double lo) { return range(lo, std::numeric_limits<double>::infinity(), true); }
  Builder& one_of(std::vector<std::string> c) {
    e.choices = std::move(c);
    return *this;
  }
  Builder& alias(std::vector<std::string> a) {
    e.aliases = std::move(a);
    return *this;
  }
  Builder& required() {
    e.required = true;
    e.non_empty = true;
    return *this;
  }
  Builder& required_unless(std::string other) {
    required();
    e.required_unless = std::move(other);
    return *this;
  }
  Builder& non_empty() {
    e.non_empty = true;
    return *this;
  }
};

#define SLIMLAB_REF(member) [](Experiment& x) -> auto& { return x.member; }

// The schema's entries, in the order --help-keys lists them.
struct Keys {
  std::vector<Builder> b;
  Builder& add(Builder x) { return b.emplace_back(std::move(x)); }
};

// The [augment] keys (experiments/schema_augment.cpp).
void add_augment_keys(Keys& k);

}  // namespace slimlab::exp::schema_detail
