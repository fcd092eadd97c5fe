// A progress line for long loops (training epochs, evaluation, feature extraction): items done out of the total,
// items/s, ETA and the current loss. On a terminal it is one line redrawn with '\r' (at most 10 times a second);
// when stdout is not a terminal (a log file, CI) it prints a plain line every `plain_interval_s` seconds instead, so
// logs stay readable. Disabled bars print nothing (--quiet, tests).
//
//   ProgressBar bar("epoch 1/4", loader.num_items(), true);
//   bar.update(done, loss);   // after each batch
//   bar.finish(loss);         // the final line, always followed by a newline
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace htp::app {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool enabled, double plain_interval_s = 15.0);
  ~ProgressBar();  // ends a redrawn line that finish() did not
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `loss` NaN: none to show.
  void update(int64_t done, double loss);
  void finish(double loss);
  double seconds() const;  // since construction

 private:
  std::string line(int64_t done, double loss) const;

  std::string label_;
  int64_t total_;
  bool enabled_, tty_;
  double plain_interval_s_;
  std::chrono::steady_clock::time_point start_;
  double last_draw_ = -1.0;
  bool open_line_ = false;
};

// "1:05", "12:03:09": a duration for humans.
std::string format_duration(double seconds);

}  // namespace htp::app
