#include "fuzz_input_file.h"

#include "efm/base/errors.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>

namespace efm::fuzz {

const std::string& writeInput(const uint8_t* data, size_t size) {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("efm-fuzz-" + std::to_string(::getpid())))
          .string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write the scratch file %s\n", path.c_str());
    std::abort();
  }
  return path;
}

void expectOnlyInputErrors(const char* target, const std::function<void()>& read) {
  try {
    read();
  } catch (const InputError&) {
    // the expected answer to bad bytes
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: not an InputError: %s\n", target, e.what());
    std::abort();
  }
}

}  // namespace efm::fuzz
