#include "compress/stage.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "compress/stage_keys.h"
#include "datasets/text.h"

namespace slimlab::compress {

StageKey make_key(const std::string& name, KeyType type, const std::string& def, const std::string& doc, double min,
                  double max, bool min_open, bool max_open) {
  return StageKey{name, type, def, doc, min, max, min_open, max_open, {}, false};
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

std::vector<std::string> StageParams::list(const std::string& key) const { return data::split(text(key), ','); }

const StageDescription* find_stage_description(const std::string& type) {
  for (const StageDescription& d : stage_descriptions())
    if (d.type == type) return &d;
  return nullptr;
}

std::vector<StageKey> training_keys(int default_epochs, double default_lr) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", default_lr);
  std::string lr = buf;
  if (lr.find_first_of(".e") == std::string::npos) lr += ".0";
  return {make_key("epochs", KeyType::kInt, std::to_string(default_epochs),
                   "training / fine-tuning epochs of this stage (0 = none)", 0, 100000),
          make_key("lr", KeyType::kFloat, lr, "learning rate of this stage's training (0 = the experiment's train.lr)",
                   0, 10),
          make_key("batch_size", KeyType::kInt, "0",
                   "batch size of this stage's training (0 = the experiment's train.batch_size)", 0, 1 << 20)};
}

StageDescription describe_stage(std::string type, std::string doc, std::vector<StageKey> keys, int default_epochs) {
  StageDescription d;
  d.type = std::move(type);
  d.doc = std::move(doc);
  d.keys = std::move(keys);
  for (StageKey& k : training_keys(default_epochs)) d.keys.push_back(std::move(k));
  return d;
}

std::vector<StageIssue> require_training(const StageParams& p, const std::string& why) {
  if (p.integer("epochs") < 1) return {{"epochs", why}};
  return {};
}

}  // namespace slimlab::compress
