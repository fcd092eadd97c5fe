#include "apps/train_loop.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/train_progress.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace htp::app {
namespace {

std::string join(const std::string& dir, const std::string& file) {
  return (std::filesystem::path(dir) / file).string();
}

// The state after `epoch` finished epochs.
Json make_state(int64_t epoch, int64_t iteration, uint64_t seed, const Json& best) {
  const Generator& gen = default_generator();
  return {{"epoch", epoch},
          {"iteration", iteration},
          {"rng", {{"seed", gen.seed()}, {"offset", gen.offset()}}},
          {"loader_seed", seed},
          {"best", best}};
}

}  // namespace

LoopResult run_training(TrainJob& job, const TrainSetup& setup, const LoopOptions& o) {
  HTP_CHECK(o.epochs >= 1 && o.stop_after >= 0, "--epochs must be >= 1 and --stop-after >= 0, got ", o.epochs, " and ",
            o.stop_after);
  std::filesystem::create_directories(o.out_dir);
  const std::string checkpoint_path = join(o.out_dir, kCheckpointFile);
  JsonlLog log(join(o.out_dir, "log.jsonl"));
  LoopResult result;
  result.best = {{"metric", nullptr}, {"value", nullptr}, {"epoch", nullptr}};
  int64_t iteration = 0;

  if (o.resume) {
    HTP_CHECK(std::filesystem::exists(checkpoint_path), "--resume: there is no checkpoint '", checkpoint_path,
              "' to resume from (drop --resume to start a new run)");
    const Checkpoint c = load_checkpoint(checkpoint_path);
    HTP_CHECK(c.kind == job.kind(), "--resume: '", checkpoint_path, "' is a ", c.kind, " checkpoint, not a ",
              job.kind(), " one");
    check_same_settings(c, o.settings);
    try {
      job.load_weights(c);
      setup.optimizer->load_state_dict(c.section("optim"));
      result.epochs_done = c.state.at("epoch").get<int64_t>();
      iteration = c.state.at("iteration").get<int64_t>();
      HTP_CHECK(c.state.at("rng").at("seed").get<uint64_t>() == default_generator().seed(),
                "the generator seed differs from this run's --seed");
      default_generator().set_offset(c.state.at("rng").at("offset").get<uint64_t>());
      result.best = c.state.at("best");
    } catch (const std::exception& e) {
      throw Error("--resume: checkpoint '" + checkpoint_path + "': " + e.what());
    }
    log.keep_through_epoch(result.epochs_done);
    if (!o.quiet)
      std::printf("resuming %s after epoch %lld\n", checkpoint_path.c_str(),
                  static_cast<long long>(result.epochs_done));
  } else {
    log.restart();
  }
  write_json_file(join(o.out_dir, "settings.json"), o.settings);

  const int64_t last = o.stop_after > 0 ? std::min(o.epochs, o.stop_after) : o.epochs;
  for (int64_t epoch = result.epochs_done; epoch < last; ++epoch) {
    job.train_mode();
    setup.loader->start_epoch(epoch);
    ProgressBar bar(detail::concat("epoch ", epoch + 1, "/", o.epochs), setup.train_samples, !o.quiet);
    double loss_sum = 0, lr = 0;
    int64_t seen = 0;
    while (std::optional<data::Batch> batch = setup.loader->next()) {
      lr = setup.base_lr * setup.schedule->factor(iteration);
      setup.optimizer->set_lr(lr);
      setup.optimizer->zero_grad();
      const Variable loss = job.loss(*batch);
      const double value = loss.item<double>();
      HTP_CHECK(std::isfinite(value), "the training loss became ", value, " at epoch ", epoch + 1, ", iteration ",
                iteration + 1, " (lr ", lr, "): lower --lr?");
      loss.backward();
      setup.optimizer->step();
      ++iteration;
      const int64_t B = batch->images.size(0);
      loss_sum += value * static_cast<double>(B);
      seen += B;
      bar.update(seen, loss_sum / static_cast<double>(seen));
    }
    const double train_loss = loss_sum / static_cast<double>(seen), seconds = bar.seconds();
    bar.finish(train_loss);
    log.append({{"kind", "train"},
                {"epoch", epoch + 1},
                {"iteration", iteration},
                {"loss", train_loss},
                {"lr", lr},
                {"samples", seen},
                {"seconds", seconds},
                {"images_per_s", static_cast<double>(seen) / seconds}});

    EvalResult ev = job.evaluate(!o.quiet);
    Json record = {{"kind", "eval"}, {"epoch", epoch + 1}};
    record.update(ev.to_json());
    log.append(record);
    const bool better = result.best["value"].is_null() || ev.metric() > result.best["value"].get<double>();
    if (better) result.best = {{"metric", ev.metric_name()}, {"value", ev.metric()}, {"epoch", epoch + 1}};
    result.epochs_done = epoch + 1;
    std::vector<std::pair<std::string, nn::StateDict>> sections = job.weights();
    sections.emplace_back("optim", setup.optimizer->state_dict());
    save_checkpoint(checkpoint_path, job.kind(), o.settings, make_state(epoch + 1, iteration, o.seed, result.best),
                    sections);
    job.on_checkpoint(o.out_dir);
    if (!o.quiet)
      std::printf("epoch %lld/%lld  train loss %.4f  %s loss %.4f  %s %.2f %%  (best %.2f %% at epoch %lld)  %s\n",
                  static_cast<long long>(epoch + 1), static_cast<long long>(o.epochs), train_loss, ev.split.c_str(),
                  ev.loss, ev.metric_name().c_str(), 100.0 * ev.metric(), 100.0 * result.best["value"].get<double>(),
                  static_cast<long long>(result.best["epoch"].get<int64_t>()), format_duration(seconds).c_str());
    std::fflush(stdout);
  }
  if (!o.quiet && last < o.epochs)
    std::printf("stopped after epoch %lld of %lld (--stop-after); continue with --resume\n",
                static_cast<long long>(result.epochs_done), static_cast<long long>(o.epochs));
  return result;
}

std::string summary(const LoopResult& result, const LoopOptions& options) {
  std::string s =
      detail::concat("finished ", result.epochs_done, " of ", options.epochs, " epochs in ", options.out_dir);
  if (!result.best["value"].is_null()) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " (best %s %.2f %% at epoch %lld)", result.best["metric"].get<std::string>().c_str(),
                  100.0 * result.best["value"].get<double>(),
                  static_cast<long long>(result.best["epoch"].get<int64_t>()));
    s += buf;
  }
  return s;
}

}  // namespace htp::app
