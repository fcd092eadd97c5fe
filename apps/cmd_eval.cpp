// htp eval: accuracy of a trained model on a data split. Single-label data: top-1 and top-5 accuracy and top-1 per
// class; multi-label data (VOC): mAP and AP per class (apps/train_metrics.h); both: the mean loss. Prints a table
// and writes the numbers as JSON (default: eval-<split>.json next to the checkpoint).
//
//   htp eval --checkpoint runs/rn18                          # a pretrain run: backbone + its head
//   htp eval --checkpoint runs/rn18-linear-ce                # a probe run: frozen backbone + probe
//   htp eval --checkpoint w.safetensors --arch resnet18-small --data fashion-mnist
#include <filesystem>
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/explain_model.h"
#include "apps/train_eval.h"
#include "apps/train_options.h"

namespace htp::app {

int run_eval(const std::vector<std::string>& argv) {
  Args args("eval",
            "Evaluates a pretrain or probe checkpoint (or plain model weights) on a data split: top-1/top-5 "
            "accuracy, or mAP for multi-label data. Prints a table and writes JSON.");
  args.option("checkpoint", "", "pretrain or probe checkpoint, a run directory, or plain weights (.safetensors)");
  args.option("arch", "", "architecture of plain weights (see htp pretrain --help)");
  args.option("data", "", "data set (default: the checkpoint's; see htp pretrain --help)");
  args.option("split", "test", "test or train");
  args.option("image-size", "0", "input size in pixels (0: the checkpoint's)");
  args.option("limit", "0", "evaluate the first N samples only (0: all)");
  args.option("batch-size", "256", "evaluation batch size");
  args.option("loss", "", "loss to report: ce or bce (default: the checkpoint's; ce for plain weights)");
  args.option("out", "", "JSON output (default: eval-<split>.json next to the checkpoint)");
  declare_runtime_options(args);
  if (!args.parse(argv)) return 0;
  HTP_CHECK(!args.get("checkpoint").empty(), "--checkpoint is required (see htp eval --help)");
  const RuntimeOptions rt = read_runtime_options(args);
  const std::string split_name = args.get("split");
  HTP_CHECK(split_name == "test" || split_name == "train", "--split must be test or train, got '", split_name, "'");
  const int64_t limit = args.get_int("limit"), batch_size = args.get_int("batch-size");
  HTP_CHECK(limit >= 0 && batch_size >= 1, "--limit must be >= 0 and --batch-size >= 1");

  const std::string path = resolve_checkpoint_path(args.get("checkpoint"));
  const std::string data_arg = args.get("data");
  DataSpec data_spec = parse_data_spec(data_arg.empty() ? "fashion-mnist" : data_arg);
  const ExplainableModel m = load_explainable(path, args.get("arch"), data_spec);
  const LoadedBackbone& backbone = m.backbone;
  const bool probe = m.probe != nullptr;
  if (data_arg.empty() && !backbone.data.empty()) data_spec = parse_data_spec(backbone.data);
  const int64_t image_size =
      resolve_image_size(data_spec, args.get_int("image-size") > 0 ? args.get_int("image-size") : backbone.image_size);
  const DataSplit split = open_split(data_spec, split_name == "train", limit);
  const int64_t classes = probe ? 0 : backbone.spec.num_classes;
  HTP_CHECK(probe || classes == split.num_classes(), "'", path, "' predicts ", classes, " classes but --data ",
            data_spec.str(), " has ", split.num_classes());
  HTP_CHECK(split.channels == backbone.spec.in_channels, "'", path, "' takes ", backbone.spec.in_channels,
            "-channel images but --data ", data_spec.str(), " has ", split.channels);
  LossSpec loss;
  if (!args.get("loss").empty())
    loss = make_loss(args.get("loss"), probe ? LossContext::probe : LossContext::pretrain, split.multi_label,
                     probe ? false : backbone.spec.bcos(), split.num_classes());
  else if (m.kind != "weights")
    loss = m.loss;  // the checkpoint's
  else
    loss = make_loss(split.multi_label ? "bce" : "ce", LossContext::pretrain, split.multi_label, backbone.spec.bcos(),
                     split.num_classes());

  EvalSet set{make_loader(split.dataset, make_pipeline(data_spec, backbone.encoding, image_size, false, "none"),
                          batch_size, false, 0, rt.workers),
              split.dataset->size(), split.split, split.dataset->class_names(), split.ignore};
  const EvalResult r = evaluate(set, [&](const Tensor& x) { return (*m.model)(Variable(x)); }, loss, !rt.quiet);

  if (!rt.quiet) {
    std::cout << "htp eval: " << path << " (" << m.kind << ", " << backbone.spec.arch << ") on " << data_spec.str()
              << "\n";
    r.print_table(std::cout);
  }
  std::string out = args.get("out");
  if (out.empty()) out = (std::filesystem::path(path).parent_path() / ("eval-" + split_name + ".json")).string();
  Json j = {{"checkpoint", path},         {"kind", m.kind},
            {"arch", backbone.spec.arch}, {"data", data_spec.str()},
            {"image_size", image_size},   {"loss_kind", loss.to_json()}};
  j.update(r.to_json());
  write_json_file(out, j);
  if (!rt.quiet) std::cout << "wrote " << out << "\n";
  return 0;
}

}  // namespace htp::app
