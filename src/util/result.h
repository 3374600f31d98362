// cordon - Result<T>: errors as values at module edges.
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace cordon {

// An error: a human-readable message and, when a syscall failed, its errno.
struct Error {
  std::string message;
  int sys_errno = 0;

  // The message, with the errno text appended when there is one.
  std::string describe() const;
};

// Builds an Error from the current errno: "<what>: <strerror(errno)>".
Error sys_error(std::string what, int err = errno);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

}  // namespace cordon
