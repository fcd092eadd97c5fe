// The htp subcommands. Each takes the arguments after its name and returns the process exit code.
#pragma once
#include <string>
#include <vector>

namespace htp::app {

int run_info(const std::vector<std::string>& args);
int run_demo(const std::vector<std::string>& args);
int run_forward(const std::vector<std::string>& args);
int run_pretrain(const std::vector<std::string>& args);
int run_probe(const std::vector<std::string>& args);
int run_eval(const std::vector<std::string>& args);

}  // namespace htp::app
