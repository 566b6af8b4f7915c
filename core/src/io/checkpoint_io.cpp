#include "efm/io/checkpoint_io.h"

#include "io/archive_check.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace efm {

namespace fs = std::filesystem;

namespace {

void fsyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::vector<std::pair<std::string, std::vector<int64_t>>> shapesOf(const torch::nn::Module& m) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const auto& p : m.named_parameters()) shapes.emplace_back(p.key(), p.value().sizes().vec());
  for (const auto& b : m.named_buffers()) shapes.emplace_back(b.key(), b.value().sizes().vec());
  return shapes;
}

std::string systemError(const std::string& what, const std::string& file) {
  return what + " '" + file + "': " + std::strerror(errno);
}

}  // namespace

void writeFileAtomically(const std::string& file, const std::string& bytes) {
  const std::string temporary = file + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(systemError("cannot create", temporary));
  const char* data = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      const std::string message = systemError("cannot write", temporary);
      ::close(fd);
      ::unlink(temporary.c_str());
      throw std::runtime_error(message);
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string message = systemError("cannot flush", temporary);
    ::unlink(temporary.c_str());
    throw std::runtime_error(message);
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    const std::string message = systemError("cannot rename into", file);
    ::unlink(temporary.c_str());
    throw std::runtime_error(message);
  }
  const fs::path parent = fs::path(file).parent_path();
  fsyncPath(parent.empty() ? "." : parent.string(), O_RDONLY | O_DIRECTORY);
}

std::string checkpointBytes(const CheckpointContents& contents) {
  torch::serialize::OutputArchive archive;
  archive.write("format_version", c10::IValue(contents.formatVersion));
  archive.write("config", c10::IValue(toJsonString(contents.config)));
  archive.write("step", c10::IValue(contents.step));
  if (contents.network) {
    torch::serialize::OutputArchive network;
    contents.network->save(network);
    archive.write("network", network);
  }
  if (contents.optimizer) {
    torch::serialize::OutputArchive optimizer;
    contents.optimizer->save(optimizer);
    archive.write("optimizer", optimizer);
  }
  if (contents.dataGeneratorState.defined())
    archive.write("rng_data", contents.dataGeneratorState, /*is_buffer=*/true);
  if (contents.noiseGeneratorState.defined())
    archive.write("rng_noise", contents.noiseGeneratorState, /*is_buffer=*/true);
  std::ostringstream bytes;
  archive.save_to(bytes);
  return bytes.str();
}

void writeCheckpoint(const std::string& file, const CheckpointContents& contents) {
  writeFileAtomically(file, checkpointBytes(contents));
}

namespace {

// The archive's entries into `contents`; `file` names the source in messages.
void readArchive(torch::serialize::InputArchive& archive, const std::string& file,
                 CheckpointContents& contents) {
  try {
    c10::IValue value;
    if (!archive.try_read("format_version", value) || !value.isInt())
      throw InputError("checkpoint '" + file + "': no format version; not an efm checkpoint");
    contents.formatVersion = value.toInt();
    if (contents.formatVersion > kCheckpointFormatVersion)
      throw InputError("checkpoint '" + file + "': format version " +
                       std::to_string(contents.formatVersion) + " is newer than this efm (" +
                       std::to_string(kCheckpointFormatVersion) + "); update efm");
    if (!archive.try_read("config", value) || !value.isString())
      throw InputError("checkpoint '" + file + "': the configuration is missing");
    contents.config = configFromJsonString(value.toStringRef(), "checkpoint '" + file + "'");
    if (!archive.try_read("step", value) || !value.isInt())
      throw InputError("checkpoint '" + file + "': the step counter is missing");
    contents.step = value.toInt();
    // Each read needs its own undefined tensor: reading into a defined one overwrites its
    // storage in place, which would alias the two generator states.
    torch::Tensor dataState, noiseState;
    if (archive.try_read("rng_data", dataState, /*is_buffer=*/true))
      contents.dataGeneratorState = dataState;
    if (archive.try_read("rng_noise", noiseState, /*is_buffer=*/true))
      contents.noiseGeneratorState = noiseState;
    if (contents.network) {
      torch::serialize::InputArchive network;
      if (!archive.try_read("network", network))
        throw InputError("checkpoint '" + file + "': the network is missing");
      // Module::load replaces tensors whatever their shape; check the architecture first.
      const auto expected = shapesOf(*contents.network);
      contents.network->load(network);
      if (shapesOf(*contents.network) != expected)
        throw InputError("checkpoint '" + file + "': its network has a different architecture " +
                         "(layer sizes differ from the configuration)");
    }
    if (contents.optimizer) {
      torch::serialize::InputArchive optimizer;
      if (!archive.try_read("optimizer", optimizer))
        throw InputError("checkpoint '" + file + "': the optimizer state is missing");
      contents.optimizer->load(optimizer);
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    std::string reason = e.what();
    reason = reason.substr(0, reason.find('\n'));
    throw InputError("checkpoint '" + file + "': does not fit this network or is damaged (" +
                     reason + ")");
  }
}

constexpr const char* kUnreadable =
    "': not a readable efm checkpoint (truncated or not written by efm)";

}  // namespace

void readCheckpoint(const std::string& file, CheckpointContents& contents) {
  std::error_code error;
  if (!fs::is_regular_file(file, error))
    throw InputError("checkpoint '" + file + "': no such file");
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError("checkpoint '" + file + "': cannot be opened");
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw InputError("checkpoint '" + file + "': cannot be read");
    checkArchive(bytes, "checkpoint '" + file + "'");
  }
  // LibTorch reads the file itself: from a stream, a damaged archive leaks a little more
  // inside LibTorch (seen under LeakSanitizer).
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(file);
  } catch (const std::exception&) {
    throw InputError("checkpoint '" + file + kUnreadable);
  }
  readArchive(archive, file, contents);
}

void readCheckpointBytes(const std::string& bytes, const std::string& name,
                         CheckpointContents& contents) {
  checkArchive(bytes, "checkpoint '" + name + "'");
  torch::serialize::InputArchive archive;
  try {
    std::istringstream stream(bytes);
    archive.load_from(stream);
  } catch (const std::exception&) {
    throw InputError("checkpoint '" + name + kUnreadable);
  }
  readArchive(archive, name, contents);
}

}  // namespace efm
