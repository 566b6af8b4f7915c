#pragma once
// Tables of benchmark results and the two text forms every benchmark writes: CSV (RFC 4180:
// a field with a comma, quote or line break is quoted, quotes doubled) and a Markdown table.
// No LibTorch, no Qt: unit-tested in tests/core/test_bench_report.cpp.
#include <string>
#include <vector>

namespace efm::bench {

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each as long as `columns`

  // Appends a row; throws std::invalid_argument when its length differs from the columns'.
  void add(std::vector<std::string> row);
};

std::string toCsv(const Table& table);
// Parses what toCsv writes (quoted fields included): the first line gives the columns.
// Throws std::invalid_argument on a row of the wrong length or an unterminated quote.
Table fromCsv(const std::string& text);
// `alignRight[k]` right-aligns column k (numbers); missing entries mean left.
std::string toMarkdown(const Table& table, const std::vector<bool>& alignRight = {});

// A number for people and files: `significant` digits, scientific notation outside
// [1e-3, 1e5), "inf", "-inf" and "nan" for the non-finite values; never locale dependent.
std::string formatNumber(double value, int significant = 3);
// "mean (min–max)" of a non-empty list, each formatted with formatNumber; just the number
// when the list has one element.
std::string formatSpread(const std::vector<double>& values, int significant = 3);

// Writes `text` to `file`, creating the parent folders; throws std::runtime_error naming
// the file on failure.
void writeTextFile(const std::string& file, const std::string& text);
// The whole file; throws std::runtime_error naming the file when it cannot be read.
std::string readTextFile(const std::string& file);

}  // namespace efm::bench
