#pragma once
// A check of a LibTorch archive (the zip that torch::serialize writes) for the sizes that
// LibTorch 1.13 believes before it allocates. One damaged length field in a 36 KB
// checkpoint made it take 4.2 GB of memory for 10 s before it failed (fuzz_checkpoint);
// on a smaller machine that ends the process, or the studio.
//
// LibTorch does not check the records' CRC-32 either, and compiles the TorchScript source
// stored in the archive: a flipped bit there reached its parser, which crashed under ASan.
//
// It reports only what cannot be right, so every archive LibTorch can read passes; what
// it does not understand (ZIP64, compression methods other than deflate, pickle opcodes it
// does not know) is left to LibTorch's own checks.
#include <string>
#include <string_view>

namespace efm {

// Every record's sizes within the archive, its CRC-32, and every length inside its pickles
// within its record. InputError "<source>: not a readable efm checkpoint (damaged: ...)".
void checkArchive(std::string_view archive, const std::string& source);

}  // namespace efm
