// The benchmarks' report formatting (bench/report_table.h, bench/report_axes.h): CSV and
// Markdown text, numbers, and the ticks of linear and logarithmic axes.
#include "report_axes.h"
#include "report_table.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using efm::bench::Axis;
using efm::bench::Table;

namespace {

std::vector<double> tickValues(const Axis& axis) {
  std::vector<double> values;
  for (const auto& tick : axis.ticks) values.push_back(tick.value);
  return values;
}

std::vector<std::string> tickLabels(const Axis& axis) {
  std::vector<std::string> labels;
  for (const auto& tick : axis.ticks) labels.push_back(tick.label);
  return labels;
}

}  // namespace

TEST_CASE("report tables: CSV quotes what needs quoting", "[bench-report]") {
  Table table;
  table.columns = {"data", "path", "kl"};
  table.add({"toy:dirichlet?n=3&c=4", "ray", "0.0123"});
  table.add({"a,b", "say \"hi\"", "line\nbreak"});
  CHECK(efm::bench::toCsv(table) ==
        "data,path,kl\n"
        "toy:dirichlet?n=3&c=4,ray,0.0123\n"
        "\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\"\n");
  CHECK_THROWS_AS(table.add({"too", "short"}), std::invalid_argument);

  // Read back: the same columns and cells.
  const Table back = efm::bench::fromCsv(efm::bench::toCsv(table));
  CHECK(back.columns == table.columns);
  CHECK(back.rows == table.rows);
  CHECK_THROWS_AS(efm::bench::fromCsv("a,b\n1\n"), std::invalid_argument);
  CHECK_THROWS_AS(efm::bench::fromCsv("a\n\"open\n"), std::invalid_argument);
}

TEST_CASE("report tables: Markdown with alignment and escaped bars", "[bench-report]") {
  Table table;
  table.columns = {"K", "ray"};
  table.add({"5", "1e-3"});
  table.add({"a|b", "x\ny"});
  CHECK(efm::bench::toMarkdown(table, {false, true}) ==
        "| K | ray |\n"
        "|---|---:|\n"
        "| 5 | 1e-3 |\n"
        "| a\\|b | x y |\n");
}

TEST_CASE("report numbers: significant digits, scientific below 1e-3 and from 1e5 on",
          "[bench-report]") {
  using efm::bench::formatNumber;
  CHECK(formatNumber(0.0123456) == "0.0123");
  CHECK(formatNumber(1.5e-4) == "1.50e-4");
  CHECK(formatNumber(1.5e-4, 2) == "1.5e-4");
  CHECK(formatNumber(2.7e-2, 2) == "0.027");
  CHECK(formatNumber(123.456) == "123");
  CHECK(formatNumber(3.14159, 4) == "3.142");
  CHECK(formatNumber(250000) == "2.50e5");
  CHECK(formatNumber(-0.5) == "-0.500");
  CHECK(formatNumber(0) == "0.00");
  CHECK(formatNumber(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(formatNumber(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(formatNumber(std::nan("")) == "nan");
  CHECK(efm::bench::formatSpread({0.01}) == "0.0100");
  CHECK(efm::bench::formatSpread({0.01, 0.03, 0.02}) == "0.0200 (0.0100–0.0300)");
  CHECK(efm::bench::formatSpread({}).empty());
}

TEST_CASE("report axes: 1-2-5 steps on linear axes", "[bench-report]") {
  using efm::bench::niceStep;
  CHECK(niceStep(1.0, 6) == Approx(0.2));
  CHECK(niceStep(10.0, 11) == Approx(1.0));
  CHECK(niceStep(7.0, 8) == Approx(1.0));
  CHECK(niceStep(0.03, 4) == Approx(0.01));
  CHECK(niceStep(1000.0, 5) == Approx(500.0));

  const Axis lambda = efm::bench::linearAxis({0, 0.25, 0.5, 0.75, 1});
  CHECK(lambda.lo == Approx(0));
  CHECK(lambda.hi == Approx(1));
  CHECK(tickLabels(lambda) == std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"});
  CHECK(lambda.fraction(0.5) == Approx(0.5));

  // Widened to whole steps, NaN ignored.
  const Axis steps = efm::bench::linearAxis({13, 987, std::nan("")}, 6);
  CHECK(steps.lo == Approx(0));
  CHECK(steps.hi == Approx(1000));
  CHECK(tickValues(steps).size() == 6);
  CHECK(tickLabels(steps).back() == "1000");

  // A single value is widened around it.
  const Axis single = efm::bench::linearAxis({2.0});
  CHECK(single.lo < 2.0);
  CHECK(single.hi > 2.0);
  CHECK(efm::bench::linearAxis({}).ticks.size() >= 2);
}

TEST_CASE("report axes: decades on log axes", "[bench-report]") {
  const Axis kl = efm::bench::logAxis({1.6e-4, 2.7e-2, 0.299, 0, -1});
  CHECK(kl.log);
  CHECK(kl.lo == Approx(1e-4));
  CHECK(kl.hi == Approx(1));
  CHECK(tickLabels(kl) == std::vector<std::string>{"1e-4", "1e-3", "0.01", "0.1", "1"});
  CHECK(kl.fraction(1e-2) == Approx(0.5));

  // Exactly a decade: no empty decade added; within one decade: widened to one.
  const Axis exact = efm::bench::logAxis({1e-3, 1e-2});
  CHECK(exact.lo == Approx(1e-3));
  CHECK(exact.hi == Approx(1e-2));
  const Axis narrow = efm::bench::logAxis({2, 3});
  CHECK(narrow.lo == Approx(1));
  CHECK(narrow.hi == Approx(10));

  // Many decades: every second label.
  const Axis wide = efm::bench::logAxis({1e-8, 1});
  CHECK(tickValues(wide).size() == 5);
  CHECK(tickLabels(wide).front() == "1e-8");

  CHECK(efm::bench::decadeLabel(3) == "1000");
  CHECK(efm::bench::decadeLabel(5) == "1e5");
  CHECK(efm::bench::decadeLabel(-2) == "0.01");
  CHECK(efm::bench::shortNumber(5) == "5");
  CHECK(efm::bench::shortNumber(160) == "160");
  CHECK(efm::bench::shortNumber(0.25) == "0.25");
  CHECK(efm::bench::shortNumber(1e-4) == "0.0001");
  CHECK(efm::bench::shortNumber(1e-5) == "1e-5");
  CHECK(efm::bench::shortNumber(2.5e6) == "2.5e6");
}

TEST_CASE("report axes: when to use a log scale", "[bench-report]") {
  CHECK(efm::bench::spansDecades({1e-3, 0.3}));
  CHECK_FALSE(efm::bench::spansDecades({0.1, 0.3}));
  CHECK_FALSE(efm::bench::spansDecades({0, 1e-3, 0.3}));  // zero cannot be drawn on a log axis
  CHECK_FALSE(efm::bench::spansDecades({}));
  CHECK(efm::bench::spansDecades({1e-3, 0.3, std::nan("")}));
}
