// htp explain: one attribution map of a trained model for one input image. Loads the model as apps/explain_model.h
// does (pretrain or probe checkpoint, run directory, or plain weights with --arch), prints its top-5 classes, explains
// the target logit with one method and writes the channel-summed signed map as .npy and/or a heatmap overlay as PNG.
//
//   htp explain --weights runs/rn18-linear-bce --input shoe.png --method ixg --out a.npy --png a.png
//   htp explain --weights w.safetensors --arch resnet18-small --input x.npy --target 3 --method gradcam
//               --option layer=layer4.1.conv1 --png cam.png
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/explain_method.h"
#include "autograd/grad_mode.h"
#include "data/image_decode.h"
#include "data/image_ops.h"
#include "data/mnist.h"
#include "data/voc.h"
#include "kernels/softmax.h"
#include "kernels/unary.h"
#include "metrics/heatmap.h"
#include "metrics/png.h"
#include "tensor/creation.h"
#include "tensor/npy.h"

namespace htp::app {
namespace {

constexpr int64_t kMinPngSide = 224;

bool is_npy(const std::string& path) { return std::filesystem::path(path).extension() == ".npy"; }

// uint8 [3, H, W] -> uint8 [1, H, W]: round(0.299 R + 0.587 G + 0.114 B) (ITU-R 601-2 luma, the weights of PIL's
// convert("L")); a grey image replicated to RGB comes back unchanged.
Tensor luminance(const Tensor& rgb) {
  const Tensor src = rgb.contiguous();
  const int64_t n = src.size(1) * src.size(2);
  Tensor grey = empty({1, src.size(1), src.size(2)}, DType::u8);
  const uint8_t* p = src.data<uint8_t>();
  uint8_t* out = grey.data<uint8_t>();
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<uint8_t>(std::lround(0.299 * p[i] + 0.587 * p[n + i] + 0.114 * p[2 * n + i]));
  return grey;
}

// The model input [1, C, H, W] float32 from --input (see the --input help).
Tensor read_input(const std::string& path, const ExplainableModel& m, int64_t image_size) {
  const int64_t channels = m.backbone.spec.in_channels;
  const std::string& model = m.backbone.source;
  if (is_npy(path)) {
    Tensor x = load_npy(path).to(DType::f32);
    HTP_CHECK(x.dim() == 3 || (x.dim() == 4 && x.size(0) == 1), "--input '", path, "' holds ", x.describe(),
              "; expected one image [C, H, W] or [1, C, H, W]");
    if (x.dim() == 3) x = x.unsqueeze(0);
    HTP_CHECK(x.size(1) == channels, "--input '", path, "' has ", x.size(1), " channels but '", model, "' takes ",
              channels, "-channel images");
    return x.contiguous();
  }
  Tensor image = data::load_image(path);  // uint8 [3, H, W]
  if (channels == 1) {
    image = luminance(image);
  } else {
    HTP_CHECK(channels == 3, "--input '", path, "': '", model, "' takes ", channels,
              "-channel images; a PNG/JPEG gives 1 or 3 channels (give a .npy instead)");
  }
  if (image.size(1) != image_size || image.size(2) != image_size)
    image = data::resize_image(image, image_size, image_size);
  image = data::image_to_float(image);
  if (!m.backbone.encoding.bcos)
    image = data::normalize_image(image, m.backbone.encoding.mean, m.backbone.encoding.std);
  return image.unsqueeze(0).contiguous();
}

// The input x [1, C, H, W] back in [0, 1] as RGB [3, H, W] (grey replicated), for the overlay.
Tensor displayable(const Tensor& x, const InputEncoding& encoding) {
  Tensor image = x.select(0, 0).clone();
  const int64_t C = image.size(0), n = image.size(1) * image.size(2);
  if (!encoding.bcos) {
    float* p = image.data<float>();
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < n; ++i)
        p[c * n + i] = static_cast<float>(p[c * n + i] * encoding.std[c] + encoding.mean[c]);
  }
  return C == 3 ? image : image.narrow(0, 0, 1).expand({3, -1, -1}).contiguous();
}

// The --png image: the map's colours over the input (alpha 0.5), upscaled with nearest neighbour by the smallest
// integer factor that makes the shorter side at least kMinPngSide.
Tensor heatmap_image(const Tensor& map, const Tensor& x, const InputEncoding& encoding, metrics::Colormap colormap) {
  const Tensor image = metrics::overlay(displayable(x, encoding), metrics::colorize(map, colormap), 0.5);
  const int64_t H = image.size(1), W = image.size(2), side = std::min(H, W);
  const int64_t factor = side >= kMinPngSide ? 1 : (kMinPngSide + side - 1) / side;
  if (factor == 1) return image;
  return image.unsqueeze(2).unsqueeze(4).expand({3, H, factor, W, factor}).reshape({3, H * factor, W * factor});
}

std::vector<std::string> class_names_of(const std::string& data, int64_t num_classes) {
  if (data.empty()) return {};
  const DataSpec spec = parse_data_spec(data);
  std::vector<std::string> names;
  if (spec.kind == "fashion-mnist") names = data::fashion_mnist_classes();
  if (spec.kind == "mnist") names = data::mnist_digit_classes();
  if (spec.kind == "voc2007") names = data::voc_classes();
  if (static_cast<int64_t>(names.size()) != num_classes) return {};
  return names;
}

std::string methods_help() {
  std::string s = "Methods (--method):";
  for (const std::string& name : xai::list_methods())
    s += "\n  " + name + std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') + xai::method_description(name);
  return s;
}

}  // namespace

int run_explain(const std::vector<std::string>& argv) {
  Args args("explain",
            "Explains one logit of a trained model for one image: prints the top-5 classes, then writes the "
            "attribution map (channel-summed, signed, float32 [H, W]) as .npy and/or a heatmap overlay as PNG.\n\n" +
                methods_help());
  args.option("weights", "", "pretrain or probe checkpoint, a run directory, or plain weights (.safetensors)");
  args.option("arch", "", "architecture of plain weights (see htp pretrain --help)");
  args.option("data", "fashion-mnist",
              "plain weights only: the data set whose input encoding and image size they expect");
  args.option("input", "",
              "PNG/JPEG image: made the model's channel count (grey -> RGB replicated; RGB -> grey "
              "round(0.299 R + 0.587 G + 0.114 B)), resized to the model's training size (S x S, antialiased, "
              "aspect not kept) when it differs, then encoded as in training (mean/std, or [0, 1] for B-cos); or "
              ".npy float array [C, H, W] or [1, C, H, W] that is the model input as is (already encoded, any size)");
  args.option("target", "-1", "class to explain (-1: the predicted class)");
  args.option("method", "", "attribution method (see the list above)");
  args.option("option", "",
              "method options key=value,key=value (a piece without '=' continues the value before it), e.g. "
              "layer=backbone.layer4.1.conv2 or steps=20");
  args.option("out", "", "write the map as .npy (float32 [H, W], channel-summed, signed)");
  args.option("png", "",
              "write a heatmap over the input (alpha 0.5), upscaled by an integer factor with nearest neighbour so "
              "that the shorter side is at least 224 px (a 28 x 28 input gives 224 x 224)");
  args.option("colormap", "diverging",
              "PNG colours: diverging (blue-white-red, symmetric around 0) or sequential (black-red-yellow-white "
              "over the positive part)");
  args.flag("quiet", "print nothing but errors");
  if (!args.parse(argv)) return 0;
  for (const char* required : {"weights", "input", "method"})
    HTP_CHECK(!args.get(required).empty(), "--", required, " is required (see htp explain --help)");
  const std::string out = args.get("out"), png = args.get("png"), input = args.get("input");
  HTP_CHECK(!out.empty() || !png.empty(), "give --out A.npy and/or --png A.png (see htp explain --help)");
  const std::string colormap = args.get("colormap");
  HTP_CHECK(colormap == "diverging" || colormap == "sequential", "--colormap must be diverging or sequential, got '",
            colormap, "'");
  HTP_CHECK(std::filesystem::is_regular_file(input), "--input '", input, "' does not exist");
  const bool quiet = args.get_flag("quiet");

  const DataSpec data = parse_data_spec(args.get("data"));
  ExplainableModel m = load_explainable(args.get("weights"), args.get("arch"), data);
  const std::string& source = m.backbone.source;
  const std::unique_ptr<xai::AttributionMethod> method =
      make_model_method(m, args.get("method"), parse_method_options(args.get("option")));
  const int64_t image_size = m.backbone.image_size > 0 ? m.backbone.image_size : resolve_image_size(data, 0);
  const Tensor x = read_input(input, m, image_size);

  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = (*m.model)(Variable(x)).data().select(0, 0).contiguous();
  }
  const int64_t K = logits.size(0);
  const Tensor probs = m.sigmoid_confidence() ? kernels::sigmoid(logits) : kernels::softmax(logits, 0);
  const std::vector<double> z = logits.to_vector(), p = probs.to_vector();
  std::vector<int64_t> order(static_cast<size_t>(K));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return z[a] > z[b]; });
  int64_t target = args.get_int("target");
  if (target == -1) target = order[0];
  HTP_CHECK(target >= 0 && target < K, "--target ", target, " is out of range: '", source, "' predicts ", K,
            " classes (0 to ", K - 1, ")");
  const std::vector<std::string> names = class_names_of(m.backbone.data.empty() ? data.str() : m.backbone.data, K);
  auto label = [&](int64_t k) { return std::to_string(k) + (names.empty() ? "" : " (" + names[k] + ")"); };
  if (!quiet) {
    std::printf("htp explain: %s, %s on %s (input [%lld, %lld, %lld])\n", source.c_str(), m.description().c_str(),
                input.c_str(), static_cast<long long>(x.size(1)), static_cast<long long>(x.size(2)),
                static_cast<long long>(x.size(3)));
    std::printf("  top-%lld      logit  %s\n", static_cast<long long>(std::min<int64_t>(5, K)),
                m.sigmoid_confidence() ? "sigmoid" : "softmax");
    for (int64_t r = 0; r < std::min<int64_t>(5, K); ++r)
      std::printf("  %-16s %9.4f  %.4f\n", label(order[r]).c_str(), z[order[r]], p[order[r]]);
  }

  const Tensor map = xai::channel_sum(method->attribute(*m.model, x, {target})).select(0, 0).contiguous();
  const std::vector<double> v = map.to_vector();
  if (!quiet)
    std::printf("  %s for class %s (logit %.4f): map [%lld, %lld], min %.4g, max %.4g, sum %.4g\n",
                method->name().c_str(), label(target).c_str(), z[target], static_cast<long long>(map.size(0)),
                static_cast<long long>(map.size(1)), *std::min_element(v.begin(), v.end()),
                *std::max_element(v.begin(), v.end()), std::accumulate(v.begin(), v.end(), 0.0));
  if (!out.empty()) {
    save_npy(out, map);
    if (!quiet) std::printf("wrote %s\n", out.c_str());
  }
  if (!png.empty()) {
    const Tensor image =
        heatmap_image(map, x, m.backbone.encoding,
                      colormap == "diverging" ? metrics::Colormap::diverging : metrics::Colormap::sequential);
    metrics::write_png(png, image);
    if (!quiet)
      std::printf("wrote %s (%lld x %lld)\n", png.c_str(), static_cast<long long>(image.size(2)),
                  static_cast<long long>(image.size(1)));
  }
  return 0;
}

}  // namespace htp::app
