// htp forward: runs a model from the registry (nn/models/registry.h) with weights from a safetensors file on an
// input from a .npy file and writes the logits, or the output of one feature stage, to a .npy file. Prints nothing
// but errors. The weights must match the architecture exactly (strict load: missing, unexpected or mis-shaped
// tensors are errors naming them and the file); convert PyTorch checkpoints with tools/convert_checkpoint.py.
//
//   htp forward --arch resnet50 --weights resnet50.safetensors --input x.npy --out logits.npy
//   htp forward --arch resnet50 --weights resnet50.safetensors --input x.npy --out f.npy --layer layer3
#include <sstream>

#include "apps/args.h"
#include "apps/commands.h"
#include "autograd/grad_mode.h"
#include "nn/models.h"
#include "nn/safetensors.h"
#include "tensor/npy.h"

namespace htp::app {

int run_forward(const std::vector<std::string>& argv) {
  std::ostringstream archs;
  for (const std::string& name : nn::list_models()) archs << " " << name;
  Args args("forward", "Runs a model on an input and writes its logits (or a feature stage's output) as .npy. "
                       "The input is the model's input tensor as is, e.g. [N, 3, H, W] float32, already normalised "
                       "as the model expects.");
  args.option("arch", "", "architecture, one of:" + archs.str());
  args.option("weights", "", "weights (.safetensors, the model's parameter names)");
  args.option("input", "", "input tensor (.npy; converted to float32)");
  args.option("out", "", "output file (.npy, float32)");
  args.option("num-classes", "1000", "classes of the model's head, as in the weights");
  args.option("layer", "", "write this feature stage's output instead of the logits (ResNets: layer1..layer4)");
  args.option("device", "cpu", "cpu, cuda or cuda:N");
  if (!args.parse(argv)) return 0;
  for (const char* required : {"arch", "weights", "input", "out"})
    HTP_CHECK(!args.get(required).empty(), "--", required, " is required (see htp forward --help)");
  const Device device = Device::parse(args.get("device"));

  std::shared_ptr<nn::ImageClassifier> model = nn::make_model(args.get("arch"), args.get_int("num-classes"));
  nn::load_into(*model, args.get("weights"));
  model->eval();
  model->to(device);
  const Variable x(load_npy(args.get("input")).to(DType::f32).to(device));

  NoGradGuard no_grad;
  const std::string layer = args.get("layer");
  const Variable y = layer.empty() ? (*model)(x) : model->forward_features(x, layer);
  save_npy(args.get("out"), y.data());
  return 0;
}

}  // namespace htp::app
