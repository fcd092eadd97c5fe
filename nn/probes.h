// Probes: the classification heads trained on a frozen backbone (paper §2.3–2.4; xai-methods A.10; official code
// how-to-probe mmpretrain/models/heads/{linear_head, multi_layer_linear_head, bcos_linear_head}.py).
//
// Every feature-map probe is "postavgpool": its layers are 1×1 convolutions applied at every position of the
// backbone map F [N, C_feat, h, w], and the class scores are averaged over the h·w positions at the end:
//   z = flatten(AdaptiveAvgPool2d(1)(head(F)))           [N, C]
// For the linear probe this equals Linear(mean_hw F); for an MLP it does not (BN statistics over N·h·w, ReLU and
// the B-cos non-linearity act per position, before the pooling).
//
//   LinearProbe     fc: Conv1×1(C_feat→C, bias)                                    (LinearClsHead)
//   MLPProbe        fc0: Conv1×1(C_feat→H) → bn0 → [ReLU → fc_i: Conv1×1(H→H) → bn_i]* → ReLU → fc_{L−1}:
//                   Conv1×1(H→C), no norm after the last layer (MultiLayerLinearClsHead, with_last_bn False);
//                   bn = BatchNorm2d(H) (affine), or NoBias BatchNormUncentered2d with is_bcos (B-cos backbones)
//   BcosMLPProbe    fc0: BcosConv1×1(C_feat→H) → bn0 → [fc_i: BcosConv1×1(H→H) → bn_i]* → fc_{L−1}: BcosConv1×1(H→C),
//                   bn = NoBias BatchNormUncentered2d, B = 2, no ReLU, no biases (BcosLinearClsHead); L = 1 is the
//                   B-cos linear probe fc0: BcosConv1×1(C_feat→C)
//   ClassTokenProbe fc: Linear(D→C, bias) on a ViT's class token ([N, D], or token 0 of [N, T, D])
// L counts the output layer (2 = one hidden layer); H = 2048 in the paper. Logit layer (logit_layer, no parameters):
// + b = −log(C − 1), so that σ(b) = 1/C, always for the B-cos probes and optionally for MLPProbe (the official no-bias
// BCE MLP configs); never for LinearProbe (LinearClsHead ignores logit_bias).
// Parameter names follow the official heads (fc.weight, fc0.weight, bn0.running_var, fc0.linear.weight for B-cos).
// Initialisation: PyTorch's default for every layer (the heads' Normal(std 0.01) init_cfg matches only nn.Linear).
//
// Parameter counts for C_feat = 2048, C = 1000, H = 2048 (weights + biases + affine BN; from the definitions above):
//   linear 2,049,000 (2048·1000 + 1000);  linear-nobias 2,048,000
//   mlp2   6,249,448 = (2048·2048 + 2048) + 2·2048 + (2048·1000 + 1000)
//   mlp3  10,449,896 = mlp2 + (2048·2048 + 2048) + 2·2048
//   bcos-linear 2,048,000;  bcos-mlp2 6,244,352 = 2048·2048 + 2048 + 2048·1000;  bcos-mlp3 10,440,704
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"

namespace htp::nn {

class AdaptiveAvgPool2d;
class BcosConv2d;
class Conv2d;
class Linear;
class LogitLayer;
class ReLU;

class LinearProbe : public Module {
 public:
  LinearProbe(int64_t in_features, int64_t num_classes, bool bias = true);
  std::string type_name() const override { return "LinearProbe"; }
  Variable forward(const Variable& features) override;

  const int64_t in_features, num_classes;
  std::shared_ptr<Conv2d> fc;
  std::shared_ptr<AdaptiveAvgPool2d> avgpool;
};

struct MLPProbeOptions {
  int64_t num_layers = 2;  // >= 2, counting the output layer
  int64_t hidden = 2048;
  bool bias = true;         // biases of the 1×1 convolutions (the with-bias / no-bias configs)
  bool is_bcos = false;     // NoBias BatchNormUncentered2d instead of BatchNorm2d
  bool logit_bias = false;  // add −log(C − 1) to the logits
};

class MLPProbe : public Module {
 public:
  MLPProbe(int64_t in_features, int64_t num_classes, const MLPProbeOptions& options = {});
  std::string type_name() const override { return "MLPProbe"; }
  Variable forward(const Variable& features) override;

  const int64_t in_features, num_classes;
  const MLPProbeOptions options;
  std::vector<std::shared_ptr<Conv2d>> fcs;    // fc0 … fc{L−1}
  std::vector<std::shared_ptr<Module>> norms;  // bn0 … bn{L−2}
  std::shared_ptr<ReLU> relu;                  // one module, called before fc1 … fc{L−1}
  std::shared_ptr<AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<LogitLayer> logit_layer;  // null without logit_bias
};

class BcosMLPProbe : public Module {
 public:
  BcosMLPProbe(int64_t in_features, int64_t num_classes, int64_t num_layers = 1, int64_t hidden = 2048);
  std::string type_name() const override { return "BcosMLPProbe"; }
  Variable forward(const Variable& features) override;

  const int64_t in_features, num_classes, num_layers, hidden;
  std::vector<std::shared_ptr<BcosConv2d>> fcs;  // fc0 … fc{L−1}
  std::vector<std::shared_ptr<Module>> norms;    // bn0 … bn{L−2}
  std::shared_ptr<AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<LogitLayer> logit_layer;
};

class ClassTokenProbe : public Module {
 public:
  ClassTokenProbe(int64_t in_features, int64_t num_classes, bool bias = true);
  std::string type_name() const override { return "ClassTokenProbe"; }
  Variable forward(const Variable& tokens) override;

  const int64_t in_features, num_classes;
  std::shared_ptr<Linear> fc;
};

// kind: "linear", "linear-nobias", "mlp2", "mlp3" (with biases, BatchNorm2d, no logit bias), "mlp2-bnu", "mlp3-bnu"
// (the ReLU MLP of the paper's configs on B-cos backbones: is_bcos, so NoBias BatchNormUncentered2d, and no biases;
// no logit bias), "bcos-linear", "bcos-mlp2", "bcos-mlp3"; hidden is the MLPs' width. An unknown kind is an error
// listing the kinds.
std::shared_ptr<Module> make_probe(const std::string& kind, int64_t in_features, int64_t num_classes,
                                   int64_t hidden = 2048);
const std::vector<std::string>& probe_kinds();

}  // namespace htp::nn
