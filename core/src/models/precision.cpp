#include "efm/models/precision.h"

#include "efm/base/errors.h"
#include "efm/models/vector_field.h"

namespace efm {

Precision parsePrecision(const std::string& text, const std::string& what) {
  if (text == "fp32") return Precision::kFloat32;
  if (text == "bf16") return Precision::kBFloat16;
  throw InputError(what + " '" + text + "': choose fp32 or bf16");
}

const char* precisionName(Precision precision) {
  return precision == Precision::kBFloat16 ? "bf16" : "fp32";
}

PrecisionChoice choosePrecision(Precision requested, const VectorFieldImpl& network,
                                const torch::Device& device, const CpuBf16Support& cpu) {
  PrecisionChoice choice;
  if (requested == Precision::kFloat32) return choice;
  if (!network.hasBf16Path()) {
    choice.notice =
        "precision bf16: this network has no bf16 path (only the U-Net has); "
        "running in fp32";
    return choice;
  }
  if (device.is_cpu() && !cpu.native()) {
    choice.notice = "precision bf16: this CPU has no native bf16 arithmetic (" + cpu.describe() +
                    "; needs AVX512-BF16 or AMX); running in fp32";
    return choice;
  }
  choice.precision = Precision::kBFloat16;
  return choice;
}

}  // namespace efm
