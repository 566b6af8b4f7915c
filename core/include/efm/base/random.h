#pragma once
// Seeded random generators on a device, so every random draw of training and sampling is
// reproducible and its state can be saved in a checkpoint.
#include <ATen/core/Generator.h>
#include <c10/core/Device.h>

#include <cstdint>

namespace efm {

// A generator for `device` seeded with `seed`. On the CPU a fresh, private generator; on
// CUDA the device's default generator, re-seeded (LibTorch offers no portable way to make
// a private CUDA generator without CUDA headers).
at::Generator makeGenerator(const c10::Device& device, uint64_t seed);

// The device to compute on: "auto" (CUDA when available, else CPU), "cpu", "cuda" or
// "cuda:N". Throws InputError if CUDA is asked for but not available.
c10::Device selectDevice(const std::string& name);

}  // namespace efm
