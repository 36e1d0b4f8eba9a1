// Result<T, E>: a value or an error, as a value. The project's error convention (C++20 has no
// std::expected): every fallible function returns one, marked [[nodiscard]]; exceptions are for bugs
// and out-of-memory only.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace dkimdoctor {

template <typename E>
struct Unexpected {
  E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(const T& value) : v_(std::in_place_index<0>, value) {}
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
  template <typename G, typename = std::enable_if_t<std::is_convertible_v<G, E>>>
  Result(Unexpected<G> err) : v_(std::in_place_index<1>, E(std::move(err.error))) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Result<void, E>: success or an error.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <typename G, typename = std::enable_if_t<std::is_convertible_v<G, E>>>
  Result(Unexpected<G> err) : has_error_(true), error_(E(std::move(err.error))) {}

  bool ok() const noexcept { return !has_error_; }
  explicit operator bool() const noexcept { return ok(); }
  const E& error() const { assert(!ok()); return error_; }

 private:
  bool has_error_ = false;
  E error_{};
};

}  // namespace dkimdoctor
