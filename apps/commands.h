// The htp subcommands. Each takes the arguments after its name and returns the process exit code.
#pragma once
#include <string>
#include <vector>

namespace htp::app {

struct FeatureCache;  // apps/train_jobs.h

int run_info(const std::vector<std::string>& args);
int run_demo(const std::vector<std::string>& args);
int run_forward(const std::vector<std::string>& args);
int run_pretrain(const std::vector<std::string>& args);
int run_probe(const std::vector<std::string>& args);
// htp probe with frozen features shared between calls (htp demo): `cache` may be null.
int run_probe_cached(const std::vector<std::string>& args, FeatureCache* cache);
int run_eval(const std::vector<std::string>& args);
int run_gridpg(const std::vector<std::string>& args);
int run_explain(const std::vector<std::string>& args);
int run_epg(const std::vector<std::string>& args);

}  // namespace htp::app
