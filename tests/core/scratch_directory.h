#pragma once
// A fresh folder for one test under the temporary directory, named after the test and this
// process (ctest runs test cases as parallel processes), emptied first.
#include <unistd.h>

#include <filesystem>
#include <string>

namespace efm_test {

// Removes any leftover of `name`, then creates the folder unless `create` is false.
inline std::filesystem::path freshDirectory(const std::string& name, bool create = true) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("efm-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  if (create) std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace efm_test
