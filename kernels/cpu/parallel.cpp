#include "kernels/cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace htp::kernels::cpu {
namespace {

thread_local bool t_in_parallel = false;

int default_threads() {
  if (const char* env = std::getenv("HTP_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// Workers sleep on a condition variable between jobs; a job is one parallel_for call. The caller runs chunk 0 itself.
class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop(); }

  int size() const { return threads_; }

  void resize(int threads) {
    std::lock_guard<std::mutex> no_job(job_mutex_);  // never while a job runs
    stop();
    threads_ = threads;
    quit_ = false;
    // A new worker must not mistake the current generation for a fresh job: it starts from it.
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this, i, gen = generation_] { worker_loop(i, gen); });
  }

  void run(int chunks, const std::function<void(int)>& chunk_fn) {
    std::unique_lock<std::mutex> lock(job_mutex_);  // one job at a time (calls from several user threads queue here)
    {
      std::lock_guard<std::mutex> g(m_);
      job_ = &chunk_fn;
      chunks_ = chunks;
      pending_ = chunks - 1;
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    run_chunk(0);
    std::unique_lock<std::mutex> g(m_);
    done_cv_.wait(g, [this] { return pending_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_chunk(int i) {
    t_in_parallel = true;
    try {
      (*job_)(i);
    } catch (...) {
      std::lock_guard<std::mutex> g(m_);
      if (!error_) error_ = std::current_exception();
    }
    t_in_parallel = false;
  }

  void worker_loop(int index, uint64_t seen) {
    for (;;) {
      {
        std::unique_lock<std::mutex> g(m_);
        cv_.wait(g, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        if (index >= chunks_) continue;
      }
      run_chunk(index);
      std::lock_guard<std::mutex> g(m_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> g(m_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex job_mutex_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int)>* job_ = nullptr;
  int chunks_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool quit_ = false;
  std::exception_ptr error_;
};

std::mutex g_pool_mutex;
std::atomic<int> g_requested{0};

Pool& pool() {
  static Pool p(default_threads());
  std::lock_guard<std::mutex> g(g_pool_mutex);
  const int requested = g_requested.load();
  if (requested > 0 && requested != p.size()) p.resize(requested);
  return p;
}

}  // namespace

int num_threads() {
  const int requested = g_requested.load();
  return requested > 0 ? requested : pool().size();
}

void set_num_threads(int n) {
  std::lock_guard<std::mutex> g(g_pool_mutex);
  g_requested = std::max(1, n);
}

bool in_parallel_region() { return t_in_parallel; }

void parallel_for(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (end <= begin) return;
  const int64_t n = end - begin;
  grain = std::max<int64_t>(grain, 1);
  int64_t chunks = std::min<int64_t>((n + grain - 1) / grain, t_in_parallel ? 1 : num_threads());
  if (chunks <= 1) {
    fn(begin, end);
    return;
  }
  const int64_t step = (n + chunks - 1) / chunks;
  chunks = (n + step - 1) / step;
  pool().run(static_cast<int>(chunks), [&](int i) {
    const int64_t b = begin + i * step;
    fn(b, std::min(end, b + step));
  });
}

}  // namespace htp::kernels::cpu
