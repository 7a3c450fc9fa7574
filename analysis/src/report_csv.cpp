// A report's tables as CSV, each as its HTML table reads: the same rows and figures, a count
// and a percentage per column, written through CsvWriter (BOM, RFC 4180, CRLF).
#include "chosa/csv_writer.h"
#include "report_render.h"

namespace chosa::analysis {
namespace {

using Lines = std::vector<std::vector<std::string>>;

std::string ToCsv(const Lines& lines) {
  Table header;
  for (const std::string& name : lines.front()) {
    Column column;
    column.name = name;
    header.columns.push_back(std::move(column));
  }
  std::string out;
  CsvWriter csv([&](std::string_view bytes) {
    out.append(bytes);
    return true;
  });
  csv.WriteHeader(header);
  Row row;
  for (size_t i = 1; i < lines.size(); ++i) {
    row.assign(lines[i].size(), Cell{});
    for (size_t k = 0; k < lines[i].size(); ++k) {
      row[k].kind = lines[i][k].empty() ? CellKind::kEmpty : CellKind::kText;
      row[k].text = lines[i][k];
    }
    csv.WriteRow(row);
  }
  csv.Flush();
  return out;
}

// "", for a percentage out of nothing (the HTML's "—" is no number to a spreadsheet).
std::string Percent(int64_t count, int64_t n) { return n > 0 ? FormatTenths(PercentTenths(count, n)) : ""; }

std::string Heading(const ReportColumn& column, std::string_view what, bool grouped) {
  return grouped ? column.label + " " + std::string(what) : std::string(what);
}

Lines ChoiceLines(const ReportTable& table, const ReportWords& words) {
  const bool grouped = table.columns.size() > 1;
  Lines lines(1, {std::string(words.choice), std::string(words.code)});
  for (const ReportColumn& column : table.columns) {
    lines[0].push_back(Heading(column, words.count, grouped));
    lines[0].push_back(Heading(column, words.percent, grouped));
  }
  for (size_t r = 0; r <= table.categories.size(); ++r) {
    const bool no_answer_row = r == table.categories.size();
    std::vector<std::string> line{no_answer_row ? std::string(words.no_answer) : table.categories[r].label,
                                  no_answer_row ? "" : table.categories[r].code};
    for (const ReportColumn& column : table.columns) {
      const int64_t count = no_answer_row ? column.choices.no_answer : column.choices.counts[r];
      line.push_back(std::to_string(count));
      line.push_back(Percent(count, column.choices.n));
    }
    lines.push_back(std::move(line));
  }
  std::vector<std::string> base{std::string(words.n), ""};
  for (const ReportColumn& column : table.columns) {
    base.push_back(std::to_string(column.choices.n));
    base.push_back("");
  }
  lines.push_back(std::move(base));
  return lines;
}

Lines NumberLines(const ReportTable& table, const ReportWords& words) {
  Lines lines(1, {std::string(table.columns.size() > 1 ? std::string_view(table.column_title) : words.group),
                  std::string(words.code), std::string(words.n), std::string(words.no_answer),
                  std::string(words.mean), std::string(words.sd), std::string(words.min), std::string(words.max)});
  for (const ReportColumn& column : table.columns) {
    const NumberSummary& numbers = column.numbers;
    lines.push_back({column.label, column.code, std::to_string(numbers.n), std::to_string(numbers.no_answer),
                     numbers.mean_tenths ? FormatTenths(*numbers.mean_tenths) : "",
                     numbers.sd_tenths ? FormatTenths(*numbers.sd_tenths) : "", numbers.min, numbers.max});
  }
  return lines;
}

Lines CrossLines(const ReportTable& table, const ReportWords& words) {
  const ReportColumn& total = table.columns.back();
  Lines lines(1, {table.title, std::string(words.code)});
  for (size_t c = 0; c + 1 < table.columns.size(); ++c) {
    lines[0].push_back(Heading(table.columns[c], words.count, true));
    lines[0].push_back(Heading(table.columns[c], words.percent, true));
  }
  lines[0].push_back(std::string(words.total));
  for (size_t r = 0; r <= table.categories.size(); ++r) {
    const bool no_answer_row = r == table.categories.size();
    if (no_answer_row && total.choices.no_answer == 0) break;
    const int64_t row_total = no_answer_row ? total.choices.no_answer : total.choices.counts[r];
    std::vector<std::string> line{no_answer_row ? std::string(words.no_answer) : table.categories[r].label,
                                  no_answer_row ? "" : table.categories[r].code};
    for (size_t c = 0; c + 1 < table.columns.size(); ++c) {
      const ChoiceCounts& counts = table.columns[c].choices;
      const int64_t count = no_answer_row ? counts.no_answer : counts.counts[r];
      line.push_back(std::to_string(count));
      line.push_back(Percent(count, row_total));
    }
    line.push_back(std::to_string(row_total));
    lines.push_back(std::move(line));
  }
  std::vector<std::string> sums{std::string(words.total), ""};
  for (size_t c = 0; c + 1 < table.columns.size(); ++c) {
    sums.push_back(std::to_string(table.columns[c].choices.n));
    sums.push_back(Percent(table.columns[c].choices.n, total.choices.n));
  }
  sums.push_back(std::to_string(total.choices.n));
  lines.push_back(std::move(sums));
  return lines;
}

}  // namespace

std::string RenderTableCsv(const ReportTable& table, const ReportWords& words) {
  switch (table.kind) {
    case ReportTableKind::kNumbers: return ToCsv(NumberLines(table, words));
    case ReportTableKind::kCross: return ToCsv(CrossLines(table, words));
    default: return ToCsv(ChoiceLines(table, words));
  }
}

}  // namespace chosa::analysis
