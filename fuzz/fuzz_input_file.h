#pragma once
// The readers under test take file names, as users give them: each input is written to one
// scratch file per fuzzing process, and the reader runs on that file. The contract checked:
// bad bytes give efm::InputError (exit code 2 in the command line); anything else that
// escapes (another exception type, a crash, a sanitizer report, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace efm::fuzz {

// Writes the input to the scratch file and returns its path.
const std::string& writeInput(const uint8_t* data, size_t size);

// Runs `read` and lets InputError pass; any other exception aborts with its message, so
// that libFuzzer records the input.
void expectOnlyInputErrors(const char* target, const std::function<void()>& read);

}  // namespace efm::fuzz
