#include "progress_bar.hpp"

#include <algorithm>
#include <cmath>

namespace flags {

namespace {

constexpr int kWidth = 10;
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
// Eighths of a cell, as tqdm draws the bar's growing edge.
constexpr const char* kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

ProgressBar::ProgressBar(int total, std::FILE* out) : total_(std::max(total, 0)), out_(out) {
  draw();
}

ProgressBar::~ProgressBar() { close(); }

void ProgressBar::update(int n) {
  done_ = std::min(done_ + n, total_);
  if (std::chrono::steady_clock::now() - drawn_at_ >= kRedrawEvery) draw();
}

void ProgressBar::close() {
  if (closed_) return;
  if (drawn_done_ != done_) draw();
  if (out_ != nullptr) std::fputc('\n', out_);
  closed_ = true;
}

void ProgressBar::draw() {
  if (out_ == nullptr || closed_) return;
  drawn_at_ = std::chrono::steady_clock::now();
  drawn_done_ = done_;
  std::fprintf(out_, "\r%s", render(done_, total_, drawn_at_ - start_).c_str());
  std::fflush(out_);
}

std::string ProgressBar::render(int done, int total, std::chrono::duration<double> elapsed) {
  const double share = total > 0 ? static_cast<double>(done) / total : 1.0;
  const int eighths = static_cast<int>(share * kWidth * 8);
  std::string bar;
  for (int k = 0; k < eighths / 8; ++k) bar += "█";
  int cells = eighths / 8;
  if (cells < kWidth && eighths % 8 != 0) {
    bar += kEighths[eighths % 8];
    ++cells;
  }
  bar.append(static_cast<std::size_t>(kWidth - cells), ' ');
  const double seconds = elapsed.count();
  const double rate = seconds > 0 ? done / seconds : 0;
  const double remaining = rate > 0 ? (total - done) / rate : (done == total ? 0 : NAN);
  char rate_text[32];
  if (rate > 0) {
    std::snprintf(rate_text, sizeof rate_text, "%.2fit/s", rate);
  } else {
    std::snprintf(rate_text, sizeof rate_text, "?it/s");
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%3.0f%%|%s| %d/%d [%s<%s, %s]", share * 100, bar.c_str(), done,
                total, clock_text(seconds).c_str(), clock_text(remaining).c_str(), rate_text);
  return buf;
}

}  // namespace flags
