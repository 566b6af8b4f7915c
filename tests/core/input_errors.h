#pragma once
// The message of the InputError that a call throws, for checking what users are told.
#include "efm/base/errors.h"
#include "efm/data/dataset.h"

#include <string>

template <typename F>
std::string inputErrorMessage(F&& f) {
  try {
    f();
  } catch (const efm::InputError& e) {
    return e.what();
  }
  return "<no InputError>";
}

// The message openDataset gives for a bad SPEC.
inline std::string specErrorMessage(const std::string& spec) {
  return inputErrorMessage([&] { efm::openDataset(spec); });
}
