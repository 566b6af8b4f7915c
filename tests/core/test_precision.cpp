// Choosing the arithmetic: --precision's names, bf16 only for networks with a bf16 path and
// CPUs with native bf16, and the fallback to fp32 with a notice that says why.
#include "trainer_fixtures.h"

#include "efm/base/cpu_features.h"
#include "efm/base/errors.h"
#include "efm/models/network_registry.h"
#include "efm/models/precision.h"
#include "efm/models/vector_field.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cstdlib>

using namespace efm;

namespace {

using efm_test::tinyUNet;

// Sets an environment variable for one scope.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnvironment() {
    if (old_.empty())
      ::unsetenv(name_);
    else
      ::setenv(name_, old_.c_str(), 1);
  }

 private:
  const char* name_;
  std::string old_;
};

}  // namespace

TEST_CASE("The precision option takes fp32 or bf16 and names itself in its refusal",
          "[precision]") {
  CHECK(parsePrecision("fp32", "--precision") == Precision::kFloat32);
  CHECK(parsePrecision("bf16", "--precision") == Precision::kBFloat16);
  CHECK(std::string(precisionName(Precision::kBFloat16)) == "bf16");
  CHECK(std::string(precisionName(Precision::kFloat32)) == "fp32");
  CHECK_THROWS_WITH(parsePrecision("fp16", "--precision"),
                    Catch::Contains("--precision 'fp16'") && Catch::Contains("fp32 or bf16"));
}

TEST_CASE("bf16 runs only on a U-Net and a CPU with native bf16, else fp32 with the reason",
          "[precision]") {
  const VectorFieldPtr unet = makeVectorField(16 * 32, 4, tinyUNet(), ImageLayout{16, 32, ""});
  NetworkOptions mlpOptions;
  mlpOptions.kind = "mlp";
  const VectorFieldPtr mlp = makeVectorField(3, 4, mlpOptions);
  CpuBf16Support with, without;
  with.avx512Bf16 = true;

  SECTION("fp32 is always what it says") {
    const PrecisionChoice c = choosePrecision(Precision::kFloat32, *unet, torch::kCPU, with);
    CHECK(c.precision == Precision::kFloat32);
    CHECK(c.notice.empty());
  }
  SECTION("a U-Net on a CPU with AVX512-BF16 runs bf16") {
    const PrecisionChoice c = choosePrecision(Precision::kBFloat16, *unet, torch::kCPU, with);
    CHECK(c.precision == Precision::kBFloat16);
    CHECK(c.notice.empty());
  }
  SECTION("a CPU without native bf16 falls back, and says so in one line") {
    const PrecisionChoice c = choosePrecision(Precision::kBFloat16, *unet, torch::kCPU, without);
    CHECK(c.precision == Precision::kFloat32);
    CHECK_THAT(c.notice, Catch::Contains("no native bf16") && Catch::Contains("running in fp32"));
    CHECK(c.notice.find('\n') == std::string::npos);
  }
  SECTION("EFM_DISABLE_BF16=1 makes a bf16 CPU behave as one without") {
    ScopedEnvironment off("EFM_DISABLE_BF16", "1");
    CHECK_FALSE(with.native());
    CHECK_THAT(with.describe(), Catch::Contains("EFM_DISABLE_BF16"));
    CHECK(choosePrecision(Precision::kBFloat16, *unet, torch::kCPU, with).precision ==
          Precision::kFloat32);
    ScopedEnvironment on("EFM_DISABLE_BF16", "0");
    CHECK(with.native());
  }
  SECTION("a network without a bf16 path runs fp32, and refuses to be set to bf16") {
    CHECK_FALSE(mlp->hasBf16Path());
    const PrecisionChoice c = choosePrecision(Precision::kBFloat16, *mlp, torch::kCPU, with);
    CHECK(c.precision == Precision::kFloat32);
    CHECK_THAT(c.notice, Catch::Contains("no bf16 path"));
    CHECK_THROWS_AS(mlp->setPrecision(Precision::kBFloat16), std::logic_error);
    CHECK_NOTHROW(mlp->setPrecision(Precision::kFloat32));
  }
  SECTION("a U-Net trained with given nodes keeps the inner U-Net's bf16 path") {
    NetworkOptions options = tinyUNet();
    options.givenNodes = true;
    const VectorFieldPtr conditioned =
        makeVectorField(16 * 32, 4, options, ImageLayout{16, 32, ""});
    CHECK(conditioned->hasBf16Path());
    conditioned->setPrecision(Precision::kBFloat16);
    CHECK(conditioned->precision() == Precision::kBFloat16);
  }
  SECTION("the detected support is consistent with its description") {
    const CpuBf16Support detected = detectCpuBf16();
    CHECK((detected.describe() == "no native bf16") == !(detected.avx512Bf16 || detected.amxBf16));
  }
}
