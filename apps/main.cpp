// htp: the command-line tool. `htp COMMAND --help` documents each command.
#include <cstring>
#include <functional>
#include <iostream>
#include <map>

#include "apps/commands.h"
#include "tensor/error.h"

namespace {

struct Command {
  std::function<int(const std::vector<std::string>&)> run;
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"demo", {htp::app::run_demo, "the main job: backbones, CE/BCE probes, every method, GridPG report"}},
      {"forward", {htp::app::run_forward, "runs a model with safetensors weights on a .npy input, writes the output"}},
      {"info", {htp::app::run_info, "build and machine information: version, SIMD path, threads, devices"}},
      {"pretrain", {htp::app::run_pretrain, "trains a backbone and its classifier (Fashion-MNIST by default)"}},
      {"probe", {htp::app::run_probe, "trains a probe on a frozen backbone's features (the paper's recipes)"}},
      {"eval", {htp::app::run_eval, "top-1/top-5 accuracy or mAP of a checkpoint on a data split"}},
      {"gridpg", {htp::app::run_gridpg, "grid pointing game of trained models: attribution methods x GridPG table"}},
      {"explain", {htp::app::run_explain, "attribution map of one image (.npy) and its heatmap overlay (PNG)"}},
      {"epg", {htp::app::run_epg, "energy pointing game of models x methods on VOC boxes or synthetic grids"}},
  };
  return table;
}

void usage(std::ostream& os) {
  os << "usage: htp COMMAND [options]\n\ncommands:\n";
  for (const auto& [name, cmd] : commands()) os << "  " << name << std::string(10 - name.size(), ' ') << cmd.summary << "\n";
  os << "\n`htp COMMAND --help` describes a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  auto it = commands().find(argv[1]);
  if (it == commands().end()) {
    std::cerr << "htp: unknown command '" << argv[1] << "'\n\n";
    usage(std::cerr);
    return 2;
  }
  try {
    return it->second.run(std::vector<std::string>(argv + 2, argv + argc));
  } catch (const htp::Error& e) {
    std::cerr << "htp " << argv[1] << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "htp " << argv[1] << ": internal error: " << e.what() << "\n";
    return 1;
  }
}
