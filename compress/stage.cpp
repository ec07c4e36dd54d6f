#include "compress/stage.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace slimlab::compress {

StageKey make_key(const std::string& name, KeyType type, const std::string& def, const std::string& doc, double min,
                  double max, bool min_open, bool max_open) {
  StageKey k;
  k.name = name;
  k.type = type;
  k.default_value = def;
  k.doc = doc;
  k.min = min;
  k.max = max;
  k.min_open = min_open;
  k.max_open = max_open;
  return k;
}

StageParams::StageParams(std::string type, int index, std::map<std::string, std::string> values)
    : type_(std::move(type)), index_(index), values_(std::move(values)) {}

std::string StageParams::where(const std::string& key) const {
  return "stage." + std::to_string(index_) + "." + key;
}

const std::string& StageParams::text(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end())
    throw std::invalid_argument(where(key) + " (" + type_ + "): the key is missing");
  return it->second;
}

double StageParams::number(const std::string& key) const {
  const std::string& s = text(key);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    throw std::invalid_argument(where(key) + " (" + type_ + "): '" + s + "' is not a number");
  return v;
}

int64_t StageParams::integer(const std::string& key) const {
  const std::string& s = text(key);
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE)
    throw std::invalid_argument(where(key) + " (" + type_ + "): '" + s + "' is not an integer");
  return int64_t(v);
}

bool StageParams::flag(const std::string& key) const {
  const std::string& s = text(key);
  if (s == "true") return true;
  if (s == "false") return false;
  throw std::invalid_argument(where(key) + " (" + type_ + "): '" + s + "' is not true or false");
}

std::vector<std::string> StageParams::list(const std::string& key) const {
  const std::string& s = text(key);
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t at = 0;
  while (true) {
    const size_t comma = s.find(',', at);
    out.push_back(s.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    if (comma == std::string::npos) return out;
    at = comma + 1;
  }
}

const StageDescription* find_stage_description(const std::string& type) {
  for (const StageDescription& d : stage_descriptions())
    if (d.type == type) return &d;
  return nullptr;
}

std::vector<StageKey> training_keys(int default_epochs, double default_lr) {
  std::vector<StageKey> keys;
  StageKey epochs;
  epochs.name = "epochs";
  epochs.type = KeyType::kInt;
  epochs.default_value = std::to_string(default_epochs);
  epochs.doc = "training / fine-tuning epochs of this stage (0 = none)";
  epochs.min = 0;
  epochs.max = 100000;
  keys.push_back(epochs);
  StageKey lr;
  lr.name = "lr";
  lr.type = KeyType::kFloat;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", default_lr);
  lr.default_value = buf;
  if (lr.default_value.find_first_of(".e") == std::string::npos) lr.default_value += ".0";
  lr.doc = "learning rate of this stage's training (0 = the experiment's train.lr)";
  lr.min = 0;
  lr.max = 10;
  keys.push_back(lr);
  StageKey batch;
  batch.name = "batch_size";
  batch.type = KeyType::kInt;
  batch.default_value = "0";
  batch.doc = "batch size of this stage's training (0 = the experiment's train.batch_size)";
  batch.min = 0;
  batch.max = 1 << 20;
  keys.push_back(batch);
  return keys;
}

}  // namespace slimlab::compress
