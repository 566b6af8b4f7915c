#include "efm/io/given_nodes.h"

#include "efm/base/errors.h"
#include "efm/data/images/png_io.h"

#include <torch/torch.h>

#include <cctype>
#include <optional>
#include <sstream>

namespace efm {

namespace {

// A whole non-negative decimal number (spaces around it allowed); nullopt otherwise.
std::optional<int64_t> wholeNumber(const std::string& text) {
  size_t first = text.find_first_not_of(' ');
  size_t last = text.find_last_not_of(' ');
  if (first == std::string::npos) return std::nullopt;
  const std::string digits = text.substr(first, last - first + 1);
  if (digits.size() > 12) return std::nullopt;
  for (char ch : digits)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return std::nullopt;
  return std::stoll(digits);
}

}  // namespace

GivenNodes givenNodesFromText(const std::string& text, int64_t variables, int64_t classes) {
  const std::string where = "--given '" + text + "': ";
  Tensor labels = torch::zeros({1, variables}, torch::kLong);
  Tensor mask = torch::zeros({1, variables}, torch::kBool);
  std::stringstream items(text);
  std::string item;
  int64_t count = 0;
  while (std::getline(items, item, ',')) {
    const size_t equals = item.find('=');
    const auto node = wholeNumber(item.substr(0, equals));
    const auto label =
        equals == std::string::npos ? std::nullopt : wholeNumber(item.substr(equals + 1));
    if (!node || !label) {
      std::ostringstream problem;
      problem << where << "'" << item << "' is not NODE=LABEL (two whole numbers)";
      throw InputError(problem.str());
    }
    if (*node >= variables)
      throw InputError(where + "node " + std::to_string(*node) + " is outside the data's " +
                       std::to_string(variables) + " nodes (0.." + std::to_string(variables - 1) +
                       ")");
    if (*label >= classes)
      throw InputError(where + "label " + std::to_string(*label) + " of node " +
                       std::to_string(*node) + " is outside the classes 0.." +
                       std::to_string(classes - 1));
    if (mask[0][*node].item<bool>())
      throw InputError(where + "node " + std::to_string(*node) + " is given twice");
    mask[0][*node] = true;
    labels[0][*node] = *label;
    ++count;
  }
  if (count == 0) throw InputError(where + "no node given (expected NODE=LABEL,...)");
  return {labels, mask, ConditioningMethod::Replace};
}

GivenNodes givenNodesFromLabelMap(const std::string& labelsFile, const std::string& maskFile,
                                  const ImageLayout& image, int64_t classes) {
  if (!image.isImage())
    throw InputError("--given '" + labelsFile +
                     "': a label-map picture needs a model of image data; give NODE=LABEL,...");
  const auto read = [&](const std::string& file) {
    const Tensor pixels = readLabelPng(file);
    if (pixels.size(0) != image.height || pixels.size(1) != image.width)
      throw InputError("'" + file + "' is " + std::to_string(pixels.size(0)) + " x " +
                       std::to_string(pixels.size(1)) + " pixels; the model's label maps are " +
                       std::to_string(image.height) + " x " + std::to_string(image.width));
    return pixels.to(torch::kLong).reshape({1, image.pixels()});
  };
  const Tensor labels = read(labelsFile);
  const Tensor mask = read(maskFile) != 0;
  if (!mask.any().item<bool>())
    throw InputError("mask '" + maskFile + "' has no pixel that is not 0: nothing is given");
  const Tensor outside = mask.logical_and(labels >= classes);
  if (outside.any().item<bool>()) {
    const int64_t pixel = outside.nonzero()[0][1].item<int64_t>();
    throw InputError("'" + labelsFile + "': pixel (row " + std::to_string(pixel / image.width) +
                     ", column " + std::to_string(pixel % image.width) + ") has label " +
                     std::to_string(labels[0][pixel].item<int64_t>()) +
                     ", outside the classes 0.." + std::to_string(classes - 1) +
                     ", and the mask gives it");
  }
  return {torch::where(mask, labels, torch::zeros_like(labels)), mask, ConditioningMethod::Replace};
}

}  // namespace efm
