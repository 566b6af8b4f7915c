#pragma once
// The given nodes of conditional sampling as people write them (docs/CONDITIONING.md): a
// list "node=label,..." for any data, or a label-map PNG with a mask PNG for image data.
// Every problem throws InputError naming the text or the file: a node outside the data, a
// label outside the classes, a node given twice, a picture of the wrong size.
#include "efm/base/image_layout.h"
#include "efm/sampling/sampler.h"

#include <string>

namespace efm {

// "0=2,5=1": node 0 has label 2, node 5 label 1 (nodes in the data's order, from 0; spaces
// allowed around the numbers). One row shared by every sample.
GivenNodes givenNodesFromText(const std::string& text, int64_t variables, int64_t classes);

// The pixels of `maskFile` that are not 0 are given, with their label in `labelsFile` (a
// raw label PNG: grey values or palette indices, as efm sample writes *_labels.png). Both
// must have the model's label-map size.
GivenNodes givenNodesFromLabelMap(const std::string& labelsFile, const std::string& maskFile,
                                  const ImageLayout& image, int64_t classes);

}  // namespace efm
