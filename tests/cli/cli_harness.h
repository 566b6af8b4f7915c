#pragma once
// Running the real `efm` binary (EFM_BINARY) as a user would, for the CLI tests: a scratch
// folder per test process, the command's exit code and both output streams.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cli_test {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

inline fs::path scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("efm-cli-test-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `efm ARGS` through the shell (ARGS is shell syntax), capturing both streams. A run
// still going after `seconds` is killed and reported as exit code 137 (a hang).
// Safe to call from several threads at once (each call has its own output files).
inline Result efm(const std::string& args, int seconds = 900) {
  static std::atomic<int> calls{0};
  const std::string id = std::to_string(calls++);
  const fs::path out = scratch() / ("stdout-" + id + ".txt"),
                 err = scratch() / ("stderr-" + id + ".txt");
  const std::string command = "timeout -s KILL " + std::to_string(seconds) + " '" + EFM_BINARY +
                              "' " + args + " > '" + out.string() + "' 2> '" + err.string() +
                              "' < /dev/null";
  const int status = std::system(command.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

// Starts `efm ARGS...` with stderr going to `err`; returns the child's pid.
inline pid_t spawnEfm(const std::vector<std::string>& args, const fs::path& err) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, STDERR_FILENO);
  const int null = ::open("/dev/null", O_RDWR);
  ::dup2(null, STDOUT_FILENO);
  ::dup2(null, STDIN_FILENO);
  std::vector<char*> argv{const_cast<char*>(EFM_BINARY)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(EFM_BINARY, argv.data());
  ::_exit(127);
}

inline fs::path writeFile(const std::string& name, const std::string& text) {
  const fs::path file = scratch() / name;
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

// A small coupled-binary run, trained once per test process and shared between its test
// cases (each CTest case is a process of its own, with its own scratch folder).
inline const fs::path& trainedRun() {
  static const fs::path run = [] {
    const fs::path dir = scratch() / "shared-run";
    const Result r = efm("train --out '" + dir.string() +
                         "' --steps 300 --batch 128 --lr 1e-3 --seed 3 --threads 2");
    if (r.code != 0) throw std::runtime_error("training the shared run failed:\n" + r.err);
    return dir;
  }();
  return run;
}

}  // namespace cli_test
