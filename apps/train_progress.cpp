#include "apps/train_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace htp::app {

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return buf;
}

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled, double plain_interval_s)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      tty_(isatty(fileno(stdout)) != 0),
      plain_interval_s_(plain_interval_s),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (open_line_) std::fputc('\n', stdout);
}

double ProgressBar::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressBar::line(int64_t done, double loss) const {
  const double t = seconds(), rate = t > 0 ? static_cast<double>(done) / t : 0.0;
  std::ostringstream os;
  os << label_ << " ";
  if (tty_) {
    constexpr int kWidth = 24;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * done / total_) : kWidth;
    os << "[" << std::string(filled, '=') << (filled < kWidth ? ">" : "")
       << std::string(filled < kWidth ? kWidth - filled - 1 : 0, ' ') << "] ";
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "%lld/%lld  %.0f items/s", static_cast<long long>(done),
                static_cast<long long>(total_), rate);
  os << buf;
  if (done < total_ && rate > 0)
    os << "  ETA " << format_duration(static_cast<double>(total_ - done) / rate);
  else
    os << "  " << format_duration(t);
  if (!std::isnan(loss)) {
    std::snprintf(buf, sizeof buf, "  loss %.4f", loss);
    os << buf;
  }
  return os.str();
}

void ProgressBar::update(int64_t done, double loss) {
  if (!enabled_) return;
  const double t = seconds();
  if (tty_) {
    if (last_draw_ >= 0 && t - last_draw_ < 0.1) return;
    std::printf("\r%s\033[K", line(done, loss).c_str());
    open_line_ = true;
  } else {
    if (t - (last_draw_ < 0 ? 0.0 : last_draw_) < plain_interval_s_) return;
    std::printf("%s\n", line(done, loss).c_str());
  }
  last_draw_ = t;
  std::fflush(stdout);
}

void ProgressBar::finish(double loss) {
  if (!enabled_) return;
  std::printf(tty_ ? "\r%s\033[K\n" : "%s\n", line(total_, loss).c_str());
  open_line_ = false;
  std::fflush(stdout);
}

}  // namespace htp::app
