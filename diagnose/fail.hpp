// fail(e): an Unexpected<E> built with braces. Clang 14 (the fuzz build) has no parenthesised aggregate
// initialisation (P0960), so `Unexpected(e)` does not compile there.
#pragma once

#include <utility>

#include "wire/result.hpp"

namespace dkimdoctor::diagnose {

template <class E>
Unexpected<E> fail(E error) {
  return Unexpected<E>{std::move(error)};
}

}  // namespace dkimdoctor::diagnose
