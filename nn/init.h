// Parameter initialisation, as torch.nn.init does it, deterministic from a Generator (null: the default generator).
// Every function fills a floating tensor in place (any device) and returns it.
//
// Fans of a weight of shape [out, in, *k] (torch.nn.init._calculate_fan_in_and_fan_out):
//   receptive = prod(k) (1 for a matrix),  fan_in = in · receptive,  fan_out = out · receptive.
// Gains (torch.nn.init.calculate_gain): linear / sigmoid 1, tanh 5/3, relu sqrt(2), leaky_relu(a) sqrt(2 / (1 + a²)).
//
//   kaiming_uniform_  U(-bound, bound), bound = gain · sqrt(3 / fan)   (a = sqrt(5), leaky_relu, fan_in gives
//                     bound = sqrt(6 / ((1 + a²) fan_in)) = 1 / sqrt(fan_in): the Linear/Conv2d default)
//   kaiming_normal_   N(0, std²), std = gain / sqrt(fan)               (torchvision ResNet convs: fan_out, relu)
//   trunc_normal_     N(mean, std²) conditioned on [a, b], a and b absolute values (timm's trunc_normal_, by the
//                     inverse CDF: u ~ U(Φ(α), Φ(β)), x = mean + std · Φ⁻¹(u), α = (a - mean) / std, β likewise)
//   default_linear_init  what torch.nn.Linear/Conv2d.reset_parameters do: kaiming_uniform_(weight, a = sqrt(5)),
//                     bias ~ U(-1 / sqrt(fan_in), 1 / sqrt(fan_in))
#pragma once
#include <cstdint>

#include "tensor/philox.h"
#include "tensor/tensor.h"

namespace htp::nn::init {

enum class FanMode { fan_in, fan_out };
enum class Nonlinearity { linear, sigmoid, tanh, relu, leaky_relu };

struct Fans {
  int64_t fan_in = 0;
  int64_t fan_out = 0;
};

// compute_fans needs rank >= 2; calculate_gain uses negative_slope for leaky_relu only.
Fans compute_fans(const Shape& shape);
double calculate_gain(Nonlinearity nonlinearity, double negative_slope = 0.01);

Tensor kaiming_uniform_(Tensor t, double a = 0.0, FanMode mode = FanMode::fan_in,
                        Nonlinearity nonlinearity = Nonlinearity::leaky_relu, Generator* gen = nullptr);
Tensor kaiming_normal_(Tensor t, double a = 0.0, FanMode mode = FanMode::fan_in,
                       Nonlinearity nonlinearity = Nonlinearity::leaky_relu, Generator* gen = nullptr);
Tensor trunc_normal_(Tensor t, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0,
                     Generator* gen = nullptr);
Tensor zeros_(Tensor t);
Tensor ones_(Tensor t);
Tensor constant_(Tensor t, double value);

// weight [out, in, *k]; bias [out] or undefined. Draws the weight, then the bias.
void default_linear_init(Tensor weight, Tensor bias, Generator* gen = nullptr);

}  // namespace htp::nn::init
