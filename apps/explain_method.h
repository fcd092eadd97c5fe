// Attribution methods set up for a loaded model (apps/explain_model.h), shared by `htp explain` and `htp epg`.
//
// xai::make_method's defaults are the paper's ImageNet settings; two of them depend on the model, so they are filled
// in from it unless the options give them:
//   lrp    the ZBox bounds: mean and std of the model's input encoding (Fashion-MNIST's 0.2860 / 0.3530 for a grey
//          model; without this a 1-channel model would get ImageNet's 3-channel bounds)
//   lime   output: sigmoid for a BCE-trained model, softmax for a CE-trained one (the reference's lime_attribution.py)
//
// Options on the command line are key=value pairs separated by commas; a piece without '=' continues the previous
// value, so lists stay whole: "layer=backbone.layer4.1.conv2" or "mean=0.5,0.5,0.5,std=0.25,0.25,0.25".
#pragma once
#include <memory>
#include <string>

#include "apps/explain_model.h"
#include "xai/attribution.h"

namespace htp::app {

// Errors name the option text and the piece at fault.
xai::MethodOptions parse_method_options(const std::string& text);

// xai::make_method(name, options) with the model-dependent defaults above. Unknown names throw, listing the methods.
std::unique_ptr<xai::AttributionMethod> make_model_method(const ExplainableModel& model, const std::string& name,
                                                          xai::MethodOptions options = {});

}  // namespace htp::app
