// attach_front_end (slimrt/frontend_graph.h): a network behind its front end computes,
// from raw samples / pixels, exactly what the network computes on the front end's
// features; what does not fit is refused.
#include <gtest/gtest.h>

#include "frontend_models.h"
#include "invoke_util.h"
#include "slimrt/frontend_graph.h"

namespace slimrt::test {
namespace fr = slimrt::frontend;
namespace {

// features (shape) → Dense → Softmax: a network as the exporter writes it.
ModelWriter network(const std::vector<int64_t>& shape, int classes, uint32_t seed) {
  ModelWriter m;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  const int x = m.add_tensor("features", DType::F32, shape);
  add_head(m, x, n, classes, seed);
  m.inputs = {x};
  return m;
}

std::vector<float> run(const std::shared_ptr<const Model>& m, const std::vector<float>& x) {
  Interpreter in(m);
  return test::invoke_once(in, x);
}

TEST(AttachFrontEnd, AudioNetworkTakesRawSamples) {
  const FrontEndParams p = audio_params();
  fr::FrontEndSpec spec;
  spec.op = OpType::AudioFeatures;
  spec.params = p;
  spec.params.stream_hop = 800;
  spec.raw_shape = {8000};
  std::tie(spec.mean, spec.stddev) = band_stats(40);
  spec.axis = 0;
  const auto bytes = fr::attach_front_end(*load(network({40, 101}, 4, 7)), spec);
  const auto attached = Model::from_memory(bytes.data(), bytes.size());
  EXPECT_EQ(attached->ops()[0].type, OpType::AudioFeatures);
  EXPECT_EQ(attached->ops()[0].frontend.stream_hop, 800);
  EXPECT_EQ(attached->ops()[1].type, OpType::Normalize);
  const auto x = test_signal(8000, 1, 12);
  // audio_model is the same graph written by hand (same head weights).
  EXPECT_EQ(run(attached, x), run(load(audio_model(p, 8000, 4)), x));
}

TEST(AttachFrontEnd, ImageNetworkTakesPixels) {
  fr::FrontEndSpec spec;
  spec.op = OpType::ImageResize;
  spec.raw_shape = {29, 37, 3};
  spec.mean = {0.1307f};
  spec.stddev = {0.3081f};
  const auto net = load(network({1, 28, 28}, 10, 3));
  const auto bytes = fr::attach_front_end(*net, spec);
  std::vector<uint8_t> px(29 * 37 * 3);
  std::mt19937 rng(2);
  for (auto& v : px) v = uint8_t(rng() & 255);
  fr::ImageOptions o;
  o.src_width = 37, o.src_height = 29, o.src_channels = 3, o.channels = 1, o.width = 28, o.height = 28;
  o.mean = spec.mean, o.stddev = spec.stddev;
  std::vector<float> features(28 * 28);
  fr::image_features(fr::prepare_image(o), px.data(), features.data());
  EXPECT_EQ(run(Model::from_memory(bytes.data(), bytes.size()), std::vector<float>(px.begin(), px.end())),
            run(net, features));
}

TEST(AttachFrontEnd, DetachGivesTheNetworkBack) {
  const ModelWriter full = audio_model(audio_params(), 8000, 4);
  const auto m = load(full);
  const auto bytes = fr::detach_front_end(*m);
  const auto net = Model::from_memory(bytes.data(), bytes.size());
  ASSERT_EQ(net->ops().size(), 2u);  // Dense, Softmax
  EXPECT_EQ(net->ops()[0].type, OpType::Dense);
  // The network on the normalised features = the whole model on the samples.
  Interpreter head_only(load(audio_model(audio_params(), 8000, 0, false, 0, /*head=*/false)));
  const auto x = test_signal(8000, 1, 6);
  head_only.set_input(0, x.data(), x.size());
  head_only.invoke();
  std::vector<float> normalised(size_t(head_only.output(1).numel));
  head_only.get_output(1, normalised.data(), normalised.size());
  EXPECT_EQ(run(net, normalised), run(m, x));
  SmallCnn plain;
  EXPECT_THROW(fr::detach_front_end(*load(plain.writer)), Error);
}

TEST(AttachFrontEnd, MismatchesAreRefused) {
  fr::FrontEndSpec spec;
  spec.op = OpType::AudioFeatures;
  spec.params = audio_params();
  spec.raw_shape = {8000};
  try {
    fr::attach_front_end(*load(network({40, 100}, 4, 7)), spec);  // 101 frames, not 100
    ADD_FAILURE() << "attached";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(AudioFeatures): output 'features' has 4000 values, the features are 40 × 101"),
              std::string::npos) << e.what();
  }
  spec.op = OpType::Softmax;
  EXPECT_THROW(fr::attach_front_end(*load(network({40, 101}, 4, 7)), spec), Error);
}

}  // namespace
}  // namespace slimrt::test
