// Checkpoints of the training commands: one safetensors file (nn/safetensors.h: written to a temporary file, then
// renamed, so a killed run never leaves a half-written checkpoint) with the weights and the optimiser state under
// prefixes, and the run's settings and state as JSON metadata:
//
//   htp.format     "htp-checkpoint-1"
//   htp.kind       "pretrain" or "probe"
//   htp.settings   the run's settings (settings.json): everything that decides the results
//   htp.state      after the last finished epoch: {"epoch", "iteration", "rng": {"seed", "offset"} (the default
//                  generator), "loader_seed", "best": {"metric", "value", "epoch"}}
//   tensors        pretrain: "model.<name>"; probe: "backbone.<name>" and "probe.<name>"; both:
//                  "optim.<parameter>.<slot>" (momentum buffers, Adam moments and steps)
//
// A run directory holds checkpoint.safetensors (the latest epoch), settings.json, log.jsonl and, for pretraining,
// model.safetensors (the model's weights alone, by their plain names: `htp forward`, `htp probe --backbone`).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "apps/train_log.h"
#include "nn/module.h"

namespace htp::app {

inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";

struct Checkpoint {
  std::string path, kind;
  Json settings, state;
  nn::StateDict tensors;

  nn::StateDict section(const std::string& prefix) const;  // the tensors under "<prefix>.", prefix stripped
};

void save_checkpoint(const std::string& path, const std::string& kind, const Json& settings, const Json& state,
                     const std::vector<std::pair<std::string, nn::StateDict>>& sections);
// Errors name the file: missing, unreadable or truncated, not an htp checkpoint, malformed metadata.
Checkpoint load_checkpoint(const std::string& path);
// Whether a readable safetensors file carries htp checkpoint metadata (false for plain weights; errors as above for
// a missing or broken file).
bool is_checkpoint(const std::string& path);
// A run directory stands for its checkpoint.safetensors; a file for itself.
std::string resolve_checkpoint_path(const std::string& file_or_dir);

// --resume: the stored settings must equal this run's; a difference is an error naming the checkpoint and every
// differing setting with both values.
void check_same_settings(const Checkpoint& checkpoint, const Json& settings);

}  // namespace htp::app
