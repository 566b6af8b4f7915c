#include "report_table.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <locale>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace efm::bench {
namespace {

std::string csvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char ch : field) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  return quoted + "\"";
}

// Markdown cells may not contain '|' or line breaks.
std::string markdownCell(const std::string& cell) {
  std::string out;
  for (char ch : cell) {
    if (ch == '|')
      out += "\\|";
    else if (ch == '\n' || ch == '\r')
      out += ' ';
    else
      out += ch;
  }
  return out;
}

}  // namespace

void Table::add(std::vector<std::string> row) {
  if (row.size() != columns.size())
    throw std::invalid_argument("table row has " + std::to_string(row.size()) +
                                " cells, the table " + std::to_string(columns.size()) + " columns");
  rows.push_back(std::move(row));
}

std::string toCsv(const Table& table) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t k = 0; k < cells.size(); ++k) out += (k ? "," : "") + csvField(cells[k]);
    out += '\n';
  };
  line(table.columns);
  for (const auto& row : table.rows) line(row);
  return out;
}

Table fromCsv(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char ch = text[k];
    if (quoted) {
      if (ch == '"' && k + 1 < text.size() && text[k + 1] == '"') {
        cell += '"';
        ++k;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      cells.push_back(cell);
      cell.clear();
    } else if (ch == '\n') {
      cells.push_back(cell);
      cell.clear();
      lines.push_back(cells);
      cells.clear();
    } else if (ch != '\r') {
      cell += ch;
    }
  }
  if (quoted) throw std::invalid_argument("CSV ends inside a quoted field");
  if (!cell.empty() || !cells.empty()) {
    cells.push_back(cell);
    lines.push_back(cells);
  }
  Table table;
  if (lines.empty()) return table;
  table.columns = lines[0];
  for (std::size_t k = 1; k < lines.size(); ++k) table.add(lines[k]);
  return table;
}

std::string toMarkdown(const Table& table, const std::vector<bool>& alignRight) {
  std::string out = "|";
  for (const auto& column : table.columns) out += " " + markdownCell(column) + " |";
  out += "\n|";
  for (std::size_t k = 0; k < table.columns.size(); ++k)
    out += k < alignRight.size() && alignRight[k] ? "---:|" : "---|";
  out += '\n';
  for (const auto& row : table.rows) {
    out += "|";
    for (const auto& cell : row) out += " " + markdownCell(cell) + " |";
    out += '\n';
  }
  return out;
}

std::string formatNumber(double value, int significant) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out.imbue(std::locale::classic());
  const double magnitude = std::fabs(value);
  if (value != 0 && (magnitude < 1e-3 || magnitude >= 1e5)) {
    out << std::scientific << std::setprecision(std::max(significant - 1, 0)) << value;
    // 1.50e-04 -> 1.50e-4: shorter, and what the README's tables use.
    std::string text = out.str();
    const auto e = text.find('e');
    std::string mantissa = text.substr(0, e);
    std::string exponent = text.substr(e + 1);
    const bool negative = exponent[0] == '-';
    exponent = exponent.substr(1);
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    return mantissa + "e" + (negative ? "-" : "") + exponent;
  }
  // Fixed notation with `significant` significant digits.
  const int digitsBeforePoint =
      value == 0 ? 1 : static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  out << std::fixed << std::setprecision(std::max(significant - digitsBeforePoint, 0)) << value;
  return out.str();
}

std::string formatSpread(const std::vector<double>& values, int significant) {
  if (values.empty()) return "";
  if (values.size() == 1) return formatNumber(values[0], significant);
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const double mean =
      std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  return formatNumber(mean, significant) + " (" + formatNumber(*lo, significant) + "–" +
         formatNumber(*hi, significant) + ")";
}

void writeTextFile(const std::string& file, const std::string& text) {
  const std::filesystem::path path(file);
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file);
}

std::string readTextFile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace efm::bench
