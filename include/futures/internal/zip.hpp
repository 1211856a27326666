// ZipReader: reads several input ranges in step, as Python's zip(), for map(fn, a, b, ...).
// Not for users.
#ifndef FUTURES_INTERNAL_ZIP_HPP_
#define FUTURES_INTERNAL_ZIP_HPP_

#include <cstddef>
#include <ranges>
#include <tuple>
#include <utility>
#include <vector>

namespace futures::internal {

// Owns the ranges given as rvalues (references the lvalues) and a position in each; yields
// one item per step, built from the current element of every range, until the shortest range
// ends. Unlike Python's zip, no element of a longer range is read past the shortest's end.
// Not thread-safe, and not movable once reading started (it holds iterators into itself).
template <class... Ranges>
class ZipReader {
  static_assert(sizeof...(Ranges) >= 1);

 public:
  explicit ZipReader(Ranges&&... ranges)
      : views_(std::views::all(std::forward<Ranges>(ranges))...),
        its_(std::apply([](auto&... v) { return Iterators(std::ranges::begin(v)...); }, views_)) {}
  ZipReader(const ZipReader&) = delete;  // holds iterators into its own views
  ZipReader& operator=(const ZipReader&) = delete;

  // Appends items to `out` until it holds n or a range ends. An Item is constructed from the
  // ranges' current elements, in range order: Item(*it_a, *it_b, ...). Throws what reading
  // the ranges or constructing an Item throws; the items appended before stay.
  template <class Item>
  void read(std::vector<Item>& out, std::size_t n) {
    read_impl(out, n, std::index_sequence_for<Ranges...>{});
  }

 private:
  using Views = std::tuple<std::ranges::views::all_t<Ranges>...>;
  using Iterators = std::tuple<std::ranges::iterator_t<std::ranges::views::all_t<Ranges>>...>;

  template <class Item, std::size_t... I>
  void read_impl(std::vector<Item>& out, std::size_t n, std::index_sequence<I...>) {
    while (out.size() < n &&
           ((std::get<I>(its_) != std::ranges::end(std::get<I>(views_))) && ...)) {
      out.emplace_back(*std::get<I>(its_)...);
      (++std::get<I>(its_), ...);
    }
  }

  Views views_;
  Iterators its_;
};

}  // namespace futures::internal

#endif  // FUTURES_INTERNAL_ZIP_HPP_
