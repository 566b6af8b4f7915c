#pragma once
// The arithmetic a vector-field network runs in (docs/PERFORMANCE.md, "Precision"):
// - fp32: everything in 32-bit floats (the default).
// - bf16: mixed precision. The convolutions take bf16 operands (their products are summed in
//   fp32 by oneDNN) and return fp32; normalisation, activations, attention, the time
//   embedding, the residual sums and the weights themselves stay fp32, so training updates
//   fp32 weights. Only networks with such a path take it (the U-Net); bf16 pays only where
//   the CPU computes in bf16 itself (efm/base/cpu_features.h).
#include "efm/base/cpu_features.h"

#include <torch/types.h>

#include <string>

namespace efm {

enum class Precision { kFloat32, kBFloat16 };

// "fp32" or "bf16"; anything else throws InputError naming `what` (e.g. "--precision").
Precision parsePrecision(const std::string& text, const std::string& what);
const char* precisionName(Precision precision);

class VectorFieldImpl;

struct PrecisionChoice {
  Precision precision = Precision::kFloat32;  // what runs
  std::string notice;  // one line when it is not what was asked for, else empty
};

// What runs when `requested` is asked for: bf16 needs a network with a bf16 path and, on a
// CPU, native bf16 arithmetic (`cpu`); otherwise fp32, with a notice that says why.
PrecisionChoice choosePrecision(Precision requested, const VectorFieldImpl& network,
                                const torch::Device& device,
                                const CpuBf16Support& cpu = detectCpuBf16());

}  // namespace efm
