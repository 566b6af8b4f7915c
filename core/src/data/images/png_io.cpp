// Label-map PNGs through libpng. libpng reports errors with longjmp, which would skip C++
// destructors, so every libpng call lives in the two C-style functions decodePng() and
// encodePng(): they hold no object with a destructor, return an error text in a plain buffer,
// and the C++ wrappers around them own the FILE, the pixel buffer and the exceptions.
#include "efm/data/images/png_io.h"

#include "efm/base/errors.h"

#include <png.h>
#include <torch/torch.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <vector>

namespace efm {
namespace {

// Larger label maps are refused before any memory is allocated (Cityscapes is 2048 x 1024).
constexpr png_uint_32 kMaxSide = 1u << 15;
constexpr uint64_t kMaxPixels = uint64_t{1} << 28;

struct ErrorText {
  char text[256] = {0};
};

void storeError(ErrorText* error, const char* message) {
  std::snprintf(error->text, sizeof error->text, "%s", message ? message : "unknown error");
}

// libpng callbacks: they never throw and never touch C++ objects with destructors.
void onPngError(png_structp png, png_const_charp message) {
  storeError(static_cast<ErrorText*>(png_get_error_ptr(png)), message);
  png_longjmp(png, 1);
}

void onPngWarning(png_structp, png_const_charp) {}  // e.g. "known incorrect sRGB profile"

void readFromFile(png_structp png, png_bytep data, png_size_t length) {
  auto* file = static_cast<FILE*>(png_get_io_ptr(png));
  if (std::fread(data, 1, length, file) != length)
    png_error(png, std::ferror(file) ? "read error" : "unexpected end of file (truncated?)");
}

void writeToFile(png_structp png, png_bytep data, png_size_t length) {
  auto* file = static_cast<FILE*>(png_get_io_ptr(png));
  if (std::fwrite(data, 1, length, file) != length) png_error(png, "write error (disk full?)");
}

void flushFile(png_structp png) {
  if (std::fflush(static_cast<FILE*>(png_get_io_ptr(png))) != 0)
    png_error(png, "write error (disk full?)");
}

// ---- reading ---------------------------------------------------------------------------

enum class Outcome { kOk, kError, kColour, kGreyAlpha, kTooLarge, kNoMemory };

// The caller's pixel buffer: allocate() returns storage for height * width samples of
// `bytes` bytes each (1, or 2 for 16-bit grey in native byte order), or nullptr.
struct PixelSink {
  unsigned char* (*allocate)(void* context, png_uint_32 height, png_uint_32 width, int bytes);
  void* context;
};

struct DecodeResult {
  ErrorText error;
  png_uint_32 height = 0;
  png_uint_32 width = 0;
  int bytes = 1;
};

// Reads the header (and with a sink the pixels) of the PNG in `file`. Calls setjmp: only
// plain data lives here, and the locals read after a longjmp are not changed after setjmp.
Outcome decodePng(FILE* file, const PixelSink* sink, DecodeResult* result) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &result->error, onPngError, onPngWarning);
  if (!png) return Outcome::kNoMemory;
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return Outcome::kNoMemory;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_infop infoCopy = info;
    png_destroy_read_struct(&png, &infoCopy, nullptr);
    return Outcome::kError;
  }
  png_set_read_fn(png, file, readFromFile);
  png_set_user_limits(png, kMaxSide, kMaxSide);
  png_read_info(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const int colourType = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  result->height = height;
  result->width = width;
  Outcome outcome = Outcome::kOk;
  if ((colourType & PNG_COLOR_MASK_COLOR) != 0 && colourType != PNG_COLOR_TYPE_PALETTE)
    outcome = Outcome::kColour;
  else if (colourType == PNG_COLOR_TYPE_GRAY_ALPHA)
    outcome = Outcome::kGreyAlpha;
  else if (uint64_t{height} * width > kMaxPixels)
    outcome = Outcome::kTooLarge;
  if (outcome != Outcome::kOk || !sink) {
    png_infop infoCopy = info;
    png_destroy_read_struct(&png, &infoCopy, nullptr);
    return outcome;
  }
  // Grey below 8 bits and palette indices: one byte per pixel, values unscaled (never
  // png_set_palette_to_rgb or expand: the index is the label). 16-bit grey: native order.
  if (depth < 8) png_set_packing(png);
  result->bytes = depth == 16 ? 2 : 1;
  if (depth == 16) {
    const uint16_t probe = 1;
    unsigned char first = 0;
    std::memcpy(&first, &probe, 1);
    if (first == 1) png_set_swap(png);
  }
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  unsigned char* pixels = sink->allocate(sink->context, height, width, result->bytes);
  if (!pixels) {
    png_infop infoCopy = info;
    png_destroy_read_struct(&png, &infoCopy, nullptr);
    return Outcome::kNoMemory;
  }
  const std::size_t rowBytes = std::size_t{width} * static_cast<std::size_t>(result->bytes);
  // Each pass of an interlaced image refines the rows already read, in place.
  for (int pass = 0; pass < passes; ++pass)
    for (png_uint_32 row = 0; row < height; ++row)
      png_read_row(png, pixels + row * rowBytes, nullptr);
  png_read_end(png, nullptr);
  png_infop infoCopy = info;
  png_destroy_read_struct(&png, &infoCopy, nullptr);
  return Outcome::kOk;
}

class OpenFile {
 public:
  OpenFile(const std::string& path, const char* mode)
      : file_(std::fopen(path.c_str(), mode)), error_(errno) {}
  ~OpenFile() {
    if (file_) std::fclose(file_);
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  FILE* get() const { return file_; }
  // Why opening failed.
  std::string problem() const { return std::strerror(error_); }
  // Closes now and reports whether buffered data reached the file.
  bool close() {
    FILE* file = file_;
    file_ = nullptr;
    return file && std::fclose(file) == 0;
  }

 private:
  FILE* file_;
  int error_;
};

std::string named(const std::string& file) { return "PNG file '" + file + "'"; }

// Opens a label PNG and checks its signature.
void openForReading(const std::string& path, OpenFile& file) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw InputError(named(path) + ": is a directory");
  if (!file.get()) throw InputError("cannot open " + named(path) + ": " + file.problem());
  unsigned char signature[8] = {0};
  const std::size_t got = std::fread(signature, 1, sizeof signature, file.get());
  if (got < sizeof signature || png_sig_cmp(signature, 0, sizeof signature) != 0)
    throw InputError(named(path) + ": not a PNG file" + (got == 0 ? " (empty)" : ""));
  std::rewind(file.get());
}

void throwDecodeProblem(const std::string& path, Outcome outcome, const DecodeResult& result) {
  switch (outcome) {
    case Outcome::kOk:
      return;
    case Outcome::kColour:
      throw InputError(named(path) +
                       " is a colour PNG; label maps must be grey or palette images (use "
                       "*_gtFine_labelIds.png, not *_color.png)");
    case Outcome::kGreyAlpha:
      throw InputError(named(path) +
                       " is a grey+alpha PNG; label maps must be grey or palette images "
                       "without an alpha channel");
    case Outcome::kTooLarge:
      throw InputError(named(path) + ": " + std::to_string(result.width) + "x" +
                       std::to_string(result.height) + " pixels is too large for a label map");
    case Outcome::kNoMemory:
      throw InputError(named(path) + ": out of memory while decoding");
    case Outcome::kError:
      throw InputError(named(path) + ": cannot decode (" + result.error.text + ")");
  }
}

struct Buffer {
  std::vector<unsigned char> bytes;
};

unsigned char* allocateInBuffer(void* context, png_uint_32 height, png_uint_32 width, int bytes) {
  try {
    auto* buffer = static_cast<Buffer*>(context);
    buffer->bytes.resize(std::size_t{height} * width * static_cast<std::size_t>(bytes));
    return buffer->bytes.data();
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

// ---- writing ---------------------------------------------------------------------------

struct EncodeJob {
  const unsigned char* pixels;  // height * width samples of 1 byte (grey, index) or 3 (RGB)
  png_uint_32 height;
  png_uint_32 width;
  int colourType;            // PNG_COLOR_TYPE_GRAY, _PALETTE or _RGB
  int depth;                 // bits per sample (palette: 1, 2, 4 or 8)
  const png_color* palette;  // palette entries, or nullptr
  int paletteSize;
  ErrorText error;
};

// The job for the [H, W(, 3)] uint8 tensor `bytes`.
EncodeJob encodeJob(const Tensor& bytes, int colourType, int depth,
                    const std::vector<png_color>& palette = {}) {
  return EncodeJob{bytes.data_ptr<uint8_t>(),
                   static_cast<png_uint_32>(bytes.size(0)),
                   static_cast<png_uint_32>(bytes.size(1)),
                   colourType,
                   depth,
                   palette.empty() ? nullptr : palette.data(),
                   static_cast<int>(palette.size()),
                   {}};
}

// Writes `job` to `file`. Calls setjmp: only plain data lives here.
bool encodePng(FILE* file, EncodeJob* job) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, &job->error, onPngError, onPngWarning);
  if (!png) {
    storeError(&job->error, "out of memory");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    storeError(&job->error, "out of memory");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_infop infoCopy = info;
    png_destroy_write_struct(&png, &infoCopy);
    return false;
  }
  png_set_write_fn(png, file, writeToFile, flushFile);
  png_set_IHDR(png, info, job->width, job->height, job->depth, job->colourType, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (job->palette) png_set_PLTE(png, info, job->palette, job->paletteSize);
  png_write_info(png, info);
  if (job->depth < 8) png_set_packing(png);  // one byte per index in, packed bits out
  const int channels = job->colourType == PNG_COLOR_TYPE_RGB ? 3 : 1;
  const std::size_t rowBytes = std::size_t{job->width} * static_cast<std::size_t>(channels);
  for (png_uint_32 row = 0; row < job->height; ++row)
    png_write_row(png, job->pixels + row * rowBytes);
  png_write_end(png, nullptr);
  png_infop infoCopy = info;
  png_destroy_write_struct(&png, &infoCopy);
  return true;
}

// uint8 pixels of an integer tensor whose values must lie in [0, maxValue].
Tensor bytesOf(const Tensor& values, int64_t dims, int64_t maxValue, const char* what) {
  if (values.dim() != dims || values.is_floating_point() || values.is_complex() ||
      values.scalar_type() == torch::kBool)
    throw std::invalid_argument(std::string(what) + ": expected an integer tensor of rank " +
                                std::to_string(dims));
  for (int64_t d = 0; d < dims; ++d)
    if (values.size(d) < 1 || values.size(d) > kMaxSide)
      throw std::invalid_argument(std::string(what) + ": image side out of range");
  if (values.numel() > 0 &&
      (values.min().item<int64_t>() < 0 || values.max().item<int64_t>() > maxValue))
    throw std::invalid_argument(std::string(what) + ": values outside [0, " +
                                std::to_string(maxValue) + "]");
  return values.to(torch::kCPU, torch::kUInt8).contiguous();
}

void writePng(const std::string& path, EncodeJob& job) {
  OpenFile file(path, "wb");
  if (!file.get()) throw InputError("cannot write " + named(path) + ": " + file.problem());
  const bool encoded = encodePng(file.get(), &job);
  const bool closed = file.close();
  if (encoded && closed) return;
  std::error_code ignored;
  std::filesystem::remove(path, ignored);  // no half-written label map stays behind
  throw InputError("cannot write " + named(path) + ": " +
                   (encoded ? std::string("write error (disk full?)") : job.error.text));
}

}  // namespace

std::array<int64_t, 2> readPngSize(const std::string& file) {
  OpenFile in(file, "rb");
  openForReading(file, in);
  DecodeResult result;
  const Outcome outcome = decodePng(in.get(), nullptr, &result);
  if (outcome == Outcome::kError || outcome == Outcome::kNoMemory)
    throwDecodeProblem(file, outcome, result);
  return {static_cast<int64_t>(result.height), static_cast<int64_t>(result.width)};
}

Tensor readLabelPng(const std::string& file) {
  OpenFile in(file, "rb");
  openForReading(file, in);
  Buffer buffer;
  const PixelSink sink{allocateInBuffer, &buffer};
  DecodeResult result;
  throwDecodeProblem(file, decodePng(in.get(), &sink, &result), result);
  const auto height = static_cast<int64_t>(result.height);
  const auto width = static_cast<int64_t>(result.width);
  Tensor labels = torch::empty({height, width}, torch::kInt);
  int32_t* out = labels.data_ptr<int32_t>();
  const unsigned char* in8 = buffer.bytes.data();
  const int64_t count = height * width;
  if (result.bytes == 1) {
    for (int64_t i = 0; i < count; ++i) out[i] = in8[i];
  } else {
    for (int64_t i = 0; i < count; ++i) {
      uint16_t value = 0;
      std::memcpy(&value, in8 + 2 * i, 2);
      out[i] = value;
    }
  }
  return labels;
}

void writeLabelPng(const std::string& file, const Tensor& labels) {
  const Tensor bytes = bytesOf(labels, 2, 255, "writeLabelPng");
  EncodeJob job = encodeJob(bytes, PNG_COLOR_TYPE_GRAY, 8);
  writePng(file, job);
}

void writePaletteLabelPng(const std::string& file, const Tensor& labels,
                          const std::vector<std::array<uint8_t, 3>>& palette) {
  if (palette.empty() || palette.size() > 256)
    throw std::invalid_argument("writePaletteLabelPng: the palette needs 1 to 256 entries");
  const auto entries = static_cast<int64_t>(palette.size());
  const Tensor bytes = bytesOf(labels, 2, entries - 1, "writePaletteLabelPng");
  std::vector<png_color> colours;
  colours.reserve(palette.size());
  for (const auto& c : palette) colours.push_back(png_color{c[0], c[1], c[2]});
  // The fewest bits that hold every palette index: small palettes give small files, and
  // 1/2/4-bit palette files are a kind that readers must handle.
  const int depth = entries <= 2 ? 1 : entries <= 4 ? 2 : entries <= 16 ? 4 : 8;
  EncodeJob job = encodeJob(bytes, PNG_COLOR_TYPE_PALETTE, depth, colours);
  writePng(file, job);
}

void writeRgbPng(const std::string& file, const Tensor& rgb) {
  const Tensor bytes = bytesOf(rgb, 3, 255, "writeRgbPng");
  if (bytes.size(2) != 3) throw std::invalid_argument("writeRgbPng: expected [H, W, 3]");
  EncodeJob job = encodeJob(bytes, PNG_COLOR_TYPE_RGB, 8);
  writePng(file, job);
}

}  // namespace efm
