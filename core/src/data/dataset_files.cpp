// csv: and pmf: datasets read from text files (one labeling per line).
#include "data/dataset_internal.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

namespace efm::detail {
namespace {

constexpr std::size_t kMaxLineLength = std::size_t{1} << 20;

struct Records {
  std::vector<int64_t> labels;  // rows x variables, row-major
  std::vector<double> weights;  // pmf only
  int64_t variables = 0;
  int64_t rows = 0;
  int64_t maxLabel = -1;
};

// A token as it may appear in a message: printable ASCII only, truncated.
std::string shown(const std::string& token) {
  constexpr std::size_t kShown = 40;
  std::string out;
  for (std::size_t i = 0; i < token.size() && i < kShown; ++i) {
    const auto ch = static_cast<unsigned char>(token[i]);
    out += (ch >= 0x20 && ch < 0x7f) ? static_cast<char>(ch) : '?';
  }
  if (token.size() > kShown) out += "...";
  return "'" + out + "'";
}

bool isSeparator(char ch) {
  return ch == ',' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

std::vector<std::string> tokens(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && isSeparator(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !isSeparator(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool looksNumeric(const std::string& token) {
  const char ch = token[0];
  return (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == '.';
}

class FileReader {
 public:
  FileReader(const DataSpec& spec, bool weighted, std::optional<int64_t> classes)
      : spec_(spec), weighted_(weighted), classes_(classes) {}

  Records read() {
    const std::string& path = spec_.target;
    std::error_code error;
    if (!std::filesystem::exists(path, error))
      throw InputError(specError(spec_.text, "cannot open file '" + path + "': no such file"));
    if (std::filesystem::is_directory(path, error))
      throw InputError(specError(spec_.text, "'" + path + "' is a directory, not a file"));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(specError(spec_.text, "cannot open file '" + path + "'"));
    std::string line;
    while (readLine(*in.rdbuf(), line)) {
      ++lineNumber_;
      parseLine(line);
    }
    if (records_.rows == 0)
      fail("no labelings (the file is empty or has only comments and a header)", false);
    return std::move(records_);
  }

 private:
  [[noreturn]] void fail(const std::string& problem, bool withLine = true) const {
    std::string where = "data file '" + spec_.target + "'";
    if (withLine) where += ", line " + std::to_string(lineNumber_);
    throw InputError(where + ": " + problem);
  }

  // Reads up to '\n' (dropped) or the end; false at the end of the input.
  bool readLine(std::streambuf& buffer, std::string& line) {
    line.clear();
    using Traits = std::char_traits<char>;
    bool any = false;
    for (auto ch = buffer.sbumpc(); !Traits::eq_int_type(ch, Traits::eof()); ch = buffer.sbumpc()) {
      any = true;
      if (Traits::to_char_type(ch) == '\n') return true;
      if (line.size() >= kMaxLineLength) {
        ++lineNumber_;
        fail("line longer than " + std::to_string(kMaxLineLength) +
             " characters (is this a text file?)");
      }
      line.push_back(Traits::to_char_type(ch));
    }
    return any;
  }

  void parseLine(const std::string& line) {
    const auto first = line.find_first_not_of(" \t\r\v\f");
    if (first == std::string::npos || line[first] == '#') return;
    const std::vector<std::string> items = tokens(line);
    if (items.empty()) return;  // only commas
    const bool header = !seenContent_ && std::none_of(items.begin(), items.end(), looksNumeric);
    if (!seenContent_) {
      seenContent_ = true;
      expected_ = static_cast<int64_t>(items.size());
      expectedFrom_ = lineNumber_;
      if (header) return;
    }
    const auto count = static_cast<int64_t>(items.size());
    if (count != expected_)
      fail("expected " + std::to_string(expected_) + " values (as on line " +
           std::to_string(expectedFrom_) + "), got " + std::to_string(count));
    const int64_t variables = weighted_ ? count - 1 : count;
    if (variables < 1) fail("expected labels followed by a weight, got a single value");
    if (variables > kMaxVariables)
      fail("too many labels on one line (at most " + std::to_string(kMaxVariables) + ")");
    records_.variables = variables;
    for (int64_t i = 0; i < variables; ++i) records_.labels.push_back(label(items[i]));
    if (weighted_) records_.weights.push_back(weight(items.back()));
    ++records_.rows;
  }

  int64_t label(const std::string& token) {
    const auto value = parseInt64(token);
    if (!value || *value < 0) {
      const bool digits =
          std::all_of(token.begin(), token.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (digits) fail("label " + shown(token) + " is too large");
      fail("a label must be a non-negative integer, got " + shown(token));
    }
    if (classes_ && *value >= *classes_)
      fail("label " + std::to_string(*value) + " is not below c=" + std::to_string(*classes_) +
           " (given with ?c=)");
    if (*value >= kMaxClasses)
      fail("label " + std::to_string(*value) + " exceeds the largest supported label " +
           std::to_string(kMaxClasses - 1));
    records_.maxLabel = std::max(records_.maxLabel, *value);
    return *value;
  }

  double weight(const std::string& token) const {
    const auto value = parseFiniteDouble(token);
    if (!value || *value < 0)
      fail("the weight must be a finite non-negative number, got " + shown(token));
    return *value;
  }

  const DataSpec& spec_;
  bool weighted_;
  std::optional<int64_t> classes_;
  Records records_;
  int64_t lineNumber_ = 0;
  bool seenContent_ = false;
  int64_t expected_ = 0;
  int64_t expectedFrom_ = 0;
};

struct Opened {
  Records records;
  int64_t classes;
};

Opened readFile(const DataSpec& spec, bool weighted) {
  SpecParams params(spec, {"c"});
  const auto classes = params.optionalInteger("c", 2, kMaxClasses);
  Records records = FileReader(spec, weighted, classes).read();
  const int64_t c = classes.value_or(std::max<int64_t>(2, records.maxLabel + 1));
  return {std::move(records), c};
}

std::string describe(const DataSpec& spec, int64_t variables, int64_t classes,
                     const std::string& rows) {
  return spec.scheme + ":" + spec.target + " (n=" + std::to_string(variables) +
         ", c=" + std::to_string(classes) + ", " + rows + ")";
}

}  // namespace

DatasetPtr openCsvDataset(const DataSpec& spec) {
  Opened file = readFile(spec, /*weighted=*/false);
  const Records& r = file.records;
  Tensor items = torch::tensor(r.labels, torch::kLong).view({r.rows, r.variables});
  return std::make_shared<ItemsDataset>(
      describe(spec, r.variables, file.classes, std::to_string(r.rows) + " items"),
      std::move(items), file.classes);
}

DatasetPtr openPmfDataset(const DataSpec& spec) {
  Opened file = readFile(spec, /*weighted=*/true);
  const Records& r = file.records;
  Tensor weights = torch::tensor(r.weights, torch::kDouble);
  Tensor support = torch::tensor(r.labels, torch::kLong).view({r.rows, r.variables});
  const double total = weights.sum().item<double>();
  const std::string where = "data file '" + spec.target + "'";
  if (!(total > 0)) throw InputError(where + ": all weights are zero");
  if (!std::isfinite(total)) throw InputError(where + ": the total weight overflows");
  const Tensor positive = weights > 0;
  weights = weights.masked_select(positive);
  support = support.index_select(0, positive.nonzero().view({-1}));
  if (weights.size(0) > kMaxJointTableSize)
    throw InputError(where + ": more than " + std::to_string(kMaxJointTableSize) +
                     " rows with a positive weight");
  return std::make_shared<WeightedSupportDataset>(
      describe(spec, r.variables, file.classes, std::to_string(r.rows) + " rows"), r.variables,
      file.classes, std::move(support), weights / total);
}

}  // namespace efm::detail
