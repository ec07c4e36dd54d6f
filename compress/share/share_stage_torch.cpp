#include <sstream>

#include "compress/binary/binary_torch.h"
#include "compress/share/share_stage.h"
#include "compress/share/share_torch.h"

namespace slimlab::compress {

namespace {

// k-means codebooks per layer; with epochs > 0 the network is fine-tuned with every
// shared weight replaced by its centroid in the forward pass (straight-through to the
// real weights), and clustered again at the end.
class WeightSharingStage : public Stage {
 public:
  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    const share::ShareSpec spec = weight_sharing_spec(p);
    share::check_spec(spec);
    GraphModule gm = ctx.graph_module();
    const auto targets = share::shareable_weights(gm->graph(false), spec.layers);
    if (p.integer("epochs") > 0) {
      for (const auto& [layer, param] : targets) {
        const std::string want = param;
        const share::ShareSpec one = spec;
        gm->hooks(layer).param.push_back([want, one](const std::string& name, const torch::Tensor& w) {
          if (name != want) return w;
          std::vector<float> vals(size_t(w.numel()));
          const torch::Tensor c = w.detach().to(torch::kFloat32).contiguous();
          std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), vals.begin());
          const int64_t rows = w.size(0), cols = w.numel() / rows;
          const int64_t block = one.block_columns > 0 ? std::min(one.block_columns, cols) : cols;
          std::vector<float> shared = vals;
          for (int64_t c0 = 0; c0 < cols; c0 += block) {
            const int64_t c1 = std::min(cols, c0 + block);
            std::vector<float> part;
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t k = c0; k < c1; ++k) part.push_back(vals[size_t(r * cols + k)]);
            std::vector<uint8_t> idx;
            const auto cb = share::kmeans_1d(part, one.bits, std::min(one.iterations, 10), &idx);
            size_t at = 0;
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t k = c0; k < c1; ++k, ++at) shared[size_t(r * cols + k)] = cb.centroids[idx[at]];
          }
          const torch::Tensor s = torch::from_blob(shared.data(), w.sizes(), torch::kFloat32).clone();
          return w + (s - w).detach();  // forward: shared values; backward: straight through
        });
      }
      fine_tune(ctx, stage_train_config(ctx));
      gm->clear_hooks();
    }
    ir::Graph g = gm->graph(/*with_weights=*/true);
    const std::vector<share::SharedTensor> shared = share::share_weights(g, spec);
    GraphModule out(g, ctx.model_config.dropout);
    out->eval();
    ctx.model = out.ptr();
    StageRecord& rec = *ctx.record;  // the runner adds val / test accuracy of ctx.model
    rec.info["bits"] = std::to_string(spec.bits);
    rec.info["block_columns"] = std::to_string(spec.block_columns);
    Table t;
    t.columns = {"codebooks", "mse"};
    for (const share::SharedTensor& s : shared) {
      t.rows.push_back({double(s.codebooks), s.mse});
      t.row_labels.push_back(s.layer + "." + s.param);
    }
    rec.tables["codebooks"] = std::move(t);
    std::ostringstream s;
    s << "weight_sharing: " << shared.size() << " tensor(s) at " << spec.bits << " bits";
    ctx.log(s.str());
  }
};

}  // namespace

std::unique_ptr<Stage> make_weight_sharing_stage() { return std::make_unique<WeightSharingStage>(); }

}  // namespace slimlab::compress
