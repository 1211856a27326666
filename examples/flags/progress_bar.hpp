// A small tqdm: " 45%|████▌     | 9/20 [00:01<00:01, 8.50it/s]", redrawn in place on a
// terminal stream, at most ten times a second and once more when closed.
#ifndef EXAMPLES_FLAGS_PROGRESS_BAR_HPP_
#define EXAMPLES_FLAGS_PROGRESS_BAR_HPP_

#include <chrono>
#include <cstdio>
#include <string>

namespace flags {

class ProgressBar {
 public:
  // Draws 0/total on `out` (stderr, as tqdm), unless `out` is null: then it draws nothing.
  ProgressBar(int total, std::FILE* out);
  // Closes the bar (see close()).
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Counts `n` more done. One thread at a time.
  void update(int n = 1);
  // Draws the final state and ends the line. Idempotent.
  void close();

  // The line for `done` of `total` after `elapsed`, without the leading '\r'.
  static std::string render(int done, int total, std::chrono::duration<double> elapsed);

 private:
  void draw();

  int total_;
  int done_ = 0;
  int drawn_done_ = -1;  // what the bar shows
  std::FILE* out_;
  bool closed_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point drawn_at_{};
};

}  // namespace flags

#endif  // EXAMPLES_FLAGS_PROGRESS_BAR_HPP_
