#include "io/archive_check.h"

#include "efm/base/errors.h"

#include <zlib.h>

#include <cstdint>

namespace efm {

namespace {

struct Damaged {
  std::string what;
};

// Little-endian unsigned integer of `bytes` bytes at `at` (the caller checks the range).
uint64_t littleEndian(std::string_view data, size_t at, int bytes) {
  uint64_t value = 0;
  for (int k = bytes - 1; k >= 0; --k)
    value = (value << 8) | static_cast<unsigned char>(data[at + static_cast<size_t>(k)]);
  return value;
}

// What follows a pickle opcode: a fixed number of bytes, a length of `lengthBytes` bytes
// and that many bytes, or lines ended by '\n'.
struct Argument {
  int fixed = 0, lengthBytes = 0, lines = 0;
  bool known = true;
};

Argument argumentOf(unsigned char op) {
  Argument a;
  switch (op) {
    case 'K':
    case 'h':
    case 'q':
    case 0x80:
    case 0x82:  // BININT1 BINGET BINPUT PROTO EXT1
      a.fixed = 1;
      break;
    case 'M':
    case 0x83:  // BININT2 EXT2
      a.fixed = 2;
      break;
    case 'J':
    case 'j':
    case 'r':
    case 0x84:  // BININT LONG_BINGET LONG_BINPUT EXT4
      a.fixed = 4;
      break;
    case 'G':
    case 0x95:  // BINFLOAT FRAME
      a.fixed = 8;
      break;
    case 'U':
    case 'C':
    case 0x8c:
    case 0x8a:  // SHORT_BINSTRING/BINBYTES/BINUNICODE LONG1
      a.lengthBytes = 1;
      break;
    case 'T':
    case 'X':
    case 'B':
    case 0x8b:  // BINSTRING BINUNICODE BINBYTES LONG4
      a.lengthBytes = 4;
      break;
    case 0x8d:
    case 0x8e:
    case 0x96:  // BINUNICODE8 BINBYTES8 BYTEARRAY8
      a.lengthBytes = 8;
      break;
    case 'F':
    case 'I':
    case 'L':
    case 'S':
    case 'V':
    case 'g':
    case 'p':
    case 'P':
      a.lines = 1;
      break;
    case 'c':
    case 'i':  // GLOBAL INST: module and name
      a.lines = 2;
      break;
    case '(':
    case '.':
    case '0':
    case '1':
    case '2':
    case 'N':
    case 'Q':
    case 'R':
    case 'a':
    case 'b':
    case '}':
    case 'e':
    case 'l':
    case ']':
    case 'o':
    case 's':
    case 't':
    case ')':
    case 'u':
    case 'd':
    case 0x81:
    case 0x85:
    case 0x86:
    case 0x87:
    case 0x88:
    case 0x89:
    case 0x8f:
    case 0x90:
    case 0x91:
    case 0x92:
    case 0x93:
    case 0x94:
      break;
    default:
      a.known = false;
  }
  return a;
}

void checkPickle(std::string_view pickle, const std::string& record) {
  size_t at = 0;
  auto require = [&](uint64_t bytes, const char* what) {
    if (bytes > pickle.size() - at)
      throw Damaged{record + " holds " + what + " of " + std::to_string(bytes) + " bytes at byte " +
                    std::to_string(at) + ", beyond its end at byte " +
                    std::to_string(pickle.size())};
  };
  while (at < pickle.size()) {
    const unsigned char op = static_cast<unsigned char>(pickle[at++]);
    if (op == '.') return;  // STOP
    const Argument argument = argumentOf(op);
    if (!argument.known) return;
    if (argument.fixed > 0) {
      require(static_cast<uint64_t>(argument.fixed), "an argument");
      at += static_cast<size_t>(argument.fixed);
    }
    if (argument.lengthBytes > 0) {
      require(static_cast<uint64_t>(argument.lengthBytes), "a length");
      const uint64_t length = littleEndian(pickle, at, argument.lengthBytes);
      at += static_cast<size_t>(argument.lengthBytes);
      require(length, "a string");
      at += static_cast<size_t>(length);
    }
    for (int line = 0; line < argument.lines; ++line) {
      const size_t end = pickle.find('\n', at);
      if (end == std::string_view::npos) return;
      at = end + 1;
    }
  }
}

// CRC-32 of a stored record's bytes.
uint32_t checksumOf(std::string_view bytes) {
  return static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()),
                                       static_cast<z_size_t>(bytes.size())));
}

// Inflates a deflated record in pieces (never holding more than one) and checks that it
// gives `size` bytes with the CRC-32 `expected`.
bool inflatesTo(std::string_view deflated, uint64_t size, uint32_t expected) {
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return true;  // cannot tell: LibTorch will
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(deflated.data()));
  stream.avail_in = static_cast<uInt>(deflated.size());
  unsigned char piece[1 << 16];
  uint64_t produced = 0;
  uLong checksum = crc32(0, Z_NULL, 0);
  int status = Z_OK;
  while (status == Z_OK && produced <= size) {
    stream.next_out = piece;
    stream.avail_out = sizeof piece;
    status = inflate(&stream, Z_NO_FLUSH);
    const uInt got = static_cast<uInt>(sizeof piece - stream.avail_out);
    produced += got;
    checksum = crc32(checksum, piece, got);
    if (status == Z_BUF_ERROR && got == 0) break;  // input ended early
  }
  inflateEnd(&stream);
  return status == Z_STREAM_END && produced == size && checksum == expected;
}

constexpr uint32_t kEndOfDirectory = 0x06054b50, kDirectoryEntry = 0x02014b50,
                   kLocalHeader = 0x04034b50, kZip64Marker = 0xFFFFFFFF;
constexpr size_t kEndOfDirectorySize = 22, kDirectoryEntrySize = 46, kLocalHeaderSize = 30;

void checkZip(std::string_view zip) {
  if (zip.size() < kEndOfDirectorySize) return;
  // The end record: 22 bytes and a comment of at most 65535, found from the end.
  size_t end = std::string_view::npos;
  for (size_t at = zip.size() - kEndOfDirectorySize;; --at) {
    if (littleEndian(zip, at, 4) == kEndOfDirectory) {
      end = at;
      break;
    }
    if (at == 0 || zip.size() - at >= kEndOfDirectorySize + 65535) break;
  }
  if (end == std::string_view::npos) return;
  const uint64_t entries = littleEndian(zip, end + 10, 2);
  size_t at = littleEndian(zip, end + 16, 4);
  if (at == kZip64Marker || at > end) return;
  for (uint64_t entry = 0; entry < entries; ++entry) {
    if (at > end || end - at < kDirectoryEntrySize || littleEndian(zip, at, 4) != kDirectoryEntry)
      return;
    const uint64_t method = littleEndian(zip, at + 10, 2),
                   compressed = littleEndian(zip, at + 20, 4),
                   uncompressed = littleEndian(zip, at + 24, 4),
                   nameLength = littleEndian(zip, at + 28, 2),
                   extraLength = littleEndian(zip, at + 30, 2),
                   commentLength = littleEndian(zip, at + 32, 2),
                   local = littleEndian(zip, at + 42, 4);
    if (end - at - kDirectoryEntrySize < nameLength) return;
    const size_t entryAt = at;
    const std::string name(zip.substr(at + kDirectoryEntrySize, nameLength));
    at += kDirectoryEntrySize + nameLength + extraLength + commentLength;
    if (compressed == kZip64Marker || uncompressed == kZip64Marker || local == kZip64Marker)
      continue;
    if (local + kLocalHeaderSize + compressed > zip.size())
      throw Damaged{"record " + name + " claims " + std::to_string(compressed) + " bytes at byte " +
                    std::to_string(local) + " of a " + std::to_string(zip.size()) + "-byte file"};
    if (method == 0 && uncompressed != compressed)
      throw Damaged{"record " + name + " is stored uncompressed but claims " +
                    std::to_string(uncompressed) + " bytes in " + std::to_string(compressed)};
    if (littleEndian(zip, local, 4) != kLocalHeader) continue;
    const uint64_t data = local + kLocalHeaderSize + littleEndian(zip, local + 26, 2) +
                          littleEndian(zip, local + 28, 2);
    if (data + compressed > zip.size())
      throw Damaged{"record " + name + " runs past the end of the file"};
    const std::string_view bytes = zip.substr(data, compressed);
    // Lengths first: they say more than a checksum about what is wrong.
    const bool pickle = name.size() >= 4 && name.compare(name.size() - 4, 4, ".pkl") == 0;
    if (method == 0 && pickle) checkPickle(bytes, name);
    // LibTorch 1.13 reads records without checking their CRC-32, and then compiles the
    // TorchScript in archive/code/: a flipped bit there reached its parser (fuzz_checkpoint).
    const uint32_t expected = static_cast<uint32_t>(littleEndian(zip, entryAt + 16, 4));
    if (method == 0 && checksumOf(bytes) != expected)
      throw Damaged{"record " + name + " fails its CRC-32 check"};
    if (method == 8 && !inflatesTo(bytes, uncompressed, expected))
      throw Damaged{"record " + name + " does not inflate to its " + std::to_string(uncompressed) +
                    " bytes with its CRC-32"};
  }
}

}  // namespace

void checkArchive(std::string_view archive, const std::string& source) {
  try {
    checkZip(archive);
  } catch (const Damaged& damaged) {
    throw InputError(source + ": not a readable efm checkpoint (damaged: " + damaged.what + ")");
  }
}

}  // namespace efm
