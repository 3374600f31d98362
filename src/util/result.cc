// cordon - Result<T> helpers.
#include "util/result.h"

#include <cstring>

namespace cordon {

std::string Error::describe() const {
  if (sys_errno == 0) return message;
  return message + ": " + std::strerror(sys_errno);
}

Error sys_error(std::string what, int err) {
  return Error{std::move(what), err};
}

}  // namespace cordon
