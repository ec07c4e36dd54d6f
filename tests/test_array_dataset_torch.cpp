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

TEST(ArrayDataset, HarAugmentationUsesEachExamplesSubjectNormalisation) {
  // Two subjects whose stored windows went through very different per-subject
  // normalisations: a rotation must keep each triplet's norm in the subject's own units.
  auto set = std::make_shared<ArraySet>();
  set->modality = Modality::kHar;
  set->sample_shape = {3, 8};
  set->class_names = {"a"};
  set->group_names = {"s1", "s2"};
  for (int i = 0; i < 4; ++i) {
    for (int v = 0; v < 24; ++v) set->values.push_back(float((v * 5 + i) % 7) / 3.0f - 1.0f);
    set->labels.push_back(0);
    set->groups.push_back(i % 2);
  }
  AugmentOptions aug;
  aug.rotation_degrees = 180;
  aug.layout.known = true;
  aug.layout.modality = Modality::kHar;
  aug.layout.channel_names = {"acc_x", "acc_y", "acc_z"};
  Normalization s1, s2;
  s1.mean = {0, 0, 9.8f}, s1.stddev = {1, 1, 0.5f};
  s2.mean = {5, -5, 0}, s2.stddev = {10, 0.1f, 2};
  aug.layout.group_normalization = {s1, s2};
  ArrayDataset ds(set, aug, 3);
  ds.set_epoch(2);
  const torch::Tensor b = ds.batch({0, 1, 2, 3}).data;
  for (int i = 0; i < 4; ++i) {
    const Normalization& n = i % 2 ? s2 : s1;
    std::vector<float> in(set->sample(size_t(i)), set->sample(size_t(i)) + 24);
    std::vector<float> out(b[i].data_ptr<float>(), b[i].data_ptr<float>() + 24);
    n.invert_sample(in.data(), {3, 8});
    n.invert_sample(out.data(), {3, 8});
    for (int t = 0; t < 8; ++t) {
      const double a = std::hypot(in[size_t(t)], in[size_t(8 + t)], in[size_t(16 + t)]);
      const double c = std::hypot(out[size_t(t)], out[size_t(8 + t)], out[size_t(16 + t)]);
      EXPECT_NEAR(c, a, 1e-4 * (1 + a)) << "example " << i << " t " << t;
    }
  }
}
