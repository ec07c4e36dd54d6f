#include <gtest/gtest.h>
#include <torch/torch.h>

#include "datasets/torch_dataset.h"

using namespace slimlab::data;

namespace {
std::shared_ptr<ArraySet> images(size_t n) {
  auto s = std::make_shared<ArraySet>();
  s->sample_shape = {1, 4, 4};
  s->class_names = {"a", "b"};
  for (size_t i = 0; i < n; ++i) {
    for (int p = 0; p < 16; ++p) s->values.push_back(float(i * 100 + size_t(p)));
    s->labels.push_back(int32_t(i % 2));
    s->groups.push_back(-1);
  }
  return s;
}
}  // namespace

TEST(ArrayDataset, GetAndBatchMatchTheArraySet) {
  auto set = images(5);
  ArrayDataset ds(set);
  EXPECT_EQ(ds.size().value(), 5u);
  auto ex = ds.get(3);
  EXPECT_EQ(ex.data.sizes(), torch::IntArrayRef({1, 4, 4}));
  EXPECT_FLOAT_EQ(ex.data[0][1][2].item<float>(), 306.0f);
  EXPECT_EQ(ex.target.item<int64_t>(), 1);
  auto b = ds.batch({4, 0});
  EXPECT_EQ(b.data.sizes(), torch::IntArrayRef({2, 1, 4, 4}));
  EXPECT_FLOAT_EQ(b.data[0][0][0][0].item<float>(), 400.0f);
  EXPECT_EQ(b.target[1].item<int64_t>(), 0);
  EXPECT_THROW(ds.get(5), std::out_of_range);
  EXPECT_EQ(ds.inputs().sizes(), torch::IntArrayRef({5, 1, 4, 4}));
}

TEST(ArrayDataset, WorksWithTorchDataLoader) {
  auto ds = ArrayDataset(images(10)).map(torch::data::transforms::Stack<>());
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(std::move(ds), 4);
  int64_t seen = 0;
  for (auto& batch : *loader) seen += batch.data.size(0);
  EXPECT_EQ(seen, 10);
}

TEST(ArrayDataset, AugmentationIsSeededPerEpochAndIndex) {
  auto set = images(3);
  AugmentOptions aug;
  aug.max_shift = 1;
  ArrayDataset a(set, aug, 11), b(set, aug, 11);
  EXPECT_TRUE(torch::equal(a.get(2).data, b.get(2).data));
  // Across epochs the draws change; a shift keeps pixel values from the original.
  bool changed = false;
  const auto first = a.get(2).data.clone();
  for (int e = 1; e < 10 && !changed; ++e) {
    a.set_epoch(e);
    changed = !torch::equal(a.get(2).data, first);
  }
  EXPECT_TRUE(changed);
  auto v = a.get(2).data.flatten();
  for (int64_t i = 0; i < v.size(0); ++i) {
    const float x = v[i].item<float>();
    EXPECT_TRUE(x == 0.0f || (x >= 200.0f && x < 216.0f)) << x;
  }
  EXPECT_THROW(ArrayDataset(std::make_shared<ArraySet>(ArraySet{Modality::kHar, {3}, {}, {}, {}, {}, {}}), aug),
               std::invalid_argument);
}
