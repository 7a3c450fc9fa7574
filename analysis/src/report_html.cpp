// A report as one HTML page: its tables and charts, styles inline, no scripts and nothing
// loaded from elsewhere, so that the file can be mailed or opened offline. Every text from the
// data (labels, titles, names) is escaped.
#include "report_render.h"

namespace chosa::analysis {
namespace {

// A system font stack: each reader's own Japanese font (Hiragino, Yu Gothic, Meiryo, Noto CJK).
constexpr const char* kStyle = R"CSS(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f5f7; color: #1f2933; line-height: 1.55;
  font-family: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Hiragino Kaku Gothic ProN",
    "Noto Sans CJK JP", "Noto Sans JP", "Yu Gothic UI", "Yu Gothic", Meiryo, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 48px; }
header { margin-bottom: 20px; }
.kicker { margin: 0; color: #52606d; font-size: 0.85rem; letter-spacing: 0.04em; }
h1 { margin: 2px 0 12px; font-size: 1.6rem; line-height: 1.3; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
.facts div { display: flex; gap: 8px; }
.facts dt { color: #52606d; }
.facts dd { margin: 0; font-weight: 600; }
h2.part { margin: 36px 0 8px; font-size: 1.25rem; border-bottom: 2px solid #cbd2d9; padding-bottom: 4px; }
section.question { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px;
  padding: 16px 20px 12px; margin: 16px 0; break-inside: avoid; }
.matrix { margin: 0; color: #52606d; font-size: 0.82rem; }
h3 { margin: 0 0 10px; font-size: 1.05rem; line-height: 1.4; }
.name { margin-left: 8px; color: #7b8794; font-size: 0.78rem; font-weight: 400;
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 4px 0 12px; }
caption { text-align: left; color: #52606d; font-size: 0.82rem; padding-bottom: 4px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e4e7eb; text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
thead th { background: #f5f7fa; font-weight: 600; border-bottom: 2px solid #cbd2d9; }
tbody th { text-align: left; font-weight: 400; white-space: normal; min-width: 14em; max-width: 26em; }
thead th:first-child { text-align: left; }
thead th[colspan] { text-align: center; white-space: normal; min-width: 7em; }
tr.no-answer th, tr.no-answer td { color: #7b8794; }
tr.base th, tr.base td { border-top: 2px solid #cbd2d9; border-bottom: none; font-weight: 600; }
td.total, th.total { background: #f8f9fa; }
.note { margin: 0 0 8px; color: #52606d; font-size: 0.8rem; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: inherit; }
svg.chart text { font-size: 12px; fill: #323f4b; }
svg.chart text.label.muted { fill: #7b8794; }
svg.chart text.label.strong { font-weight: 600; }
svg.chart text.value { font-size: 11px; fill: #323f4b; }
svg.chart text.tick { font-size: 10px; fill: #7b8794; }
svg.chart text.inside { font-size: 11px; fill: #1f2933; }
svg.chart text.inside.on-dark { fill: #fff; }
svg.chart text.caption { fill: #52606d; }
svg.chart line.grid { stroke: #e4e7eb; stroke-width: 1; }
@media print { body { background: #fff; } section.question { border: none; padding: 0; } }
)CSS";

std::string Element(std::string_view tag, std::string_view text, std::string_view css_class = {}) {
  std::string cell = "<" + std::string(tag);
  if (!css_class.empty()) cell += " class=\"" + std::string(css_class) + "\"";
  return cell + ">" + EscapeMarkup(text) + "</" + std::string(tag) + ">";
}

// The total column is shaded only beside groups.
const char* ColumnClass(const ReportColumn& column, bool grouped) {
  return grouped && column.role == ReportColumn::Role::kTotal ? "total" : "";
}

// Categories down, a count and a percentage of n per column; the no-answer row and n below.
std::string ChoiceTable(const ReportTable& table, const ReportWords& words) {
  const bool grouped = table.columns.size() > 1;
  std::string html = "<table>";
  if (grouped) html += "<caption>" + EscapeMarkup(table.column_title) + "</caption>";
  html += "<thead>";
  if (grouped) {
    html += "<tr><th rowspan=\"2\">" + EscapeMarkup(words.choice) + "</th>";
    for (const ReportColumn& column : table.columns) {
      html += std::string("<th colspan=\"2\"") + (column.role == ReportColumn::Role::kTotal ? " class=\"total\"" : "") +
              ">" + EscapeMarkup(column.label) + "</th>";
    }
    html += "</tr><tr>";
  } else {
    html += "<tr>" + Element("th", words.choice);
  }
  for (const ReportColumn& column : table.columns) {
    html += Element("th", words.count, ColumnClass(column, grouped)) + Element("th", words.percent, ColumnClass(column, grouped));
  }
  html += "</tr></thead><tbody>";
  for (size_t r = 0; r <= table.categories.size(); ++r) {
    const bool no_answer_row = r == table.categories.size();
    html += no_answer_row ? "<tr class=\"no-answer\">" : "<tr>";
    html += Element("th", no_answer_row ? std::string(words.no_answer) : table.categories[r].label);
    for (const ReportColumn& column : table.columns) {
      const int64_t count = no_answer_row ? column.choices.no_answer : column.choices.counts[r];
      html += Element("td", std::to_string(count), ColumnClass(column, grouped)) +
              Element("td", PercentText(count, column.choices.n), ColumnClass(column, grouped));
    }
    html += "</tr>";
  }
  html += "<tr class=\"base\">" + Element("th", words.n);
  for (const ReportColumn& column : table.columns) {
    html += Element("td", std::to_string(column.choices.n), ColumnClass(column, grouped)) + Element("td", "", ColumnClass(column, grouped));
  }
  return html + "</tr></tbody></table>";
}

// A row per group (and everyone): n, no answer, mean, SD, min, max.
std::string NumberTable(const ReportTable& table, const ReportWords& words) {
  std::string html = "<table><thead><tr>";
  html += Element("th", table.columns.size() > 1 ? std::string_view(table.column_title) : words.group);
  for (std::string_view heading : {words.n, words.no_answer, words.mean, words.sd, words.min, words.max}) {
    html += Element("th", heading);
  }
  html += "</tr></thead><tbody>";
  for (const ReportColumn& column : table.columns) {
    const NumberSummary& numbers = column.numbers;
    html += column.role == ReportColumn::Role::kTotal ? "<tr class=\"base\">" : "<tr>";
    html += Element("th", column.label);
    html += Element("td", std::to_string(numbers.n)) + Element("td", std::to_string(numbers.no_answer));
    html += Element("td", numbers.mean_tenths ? FormatTenths(*numbers.mean_tenths) : "—");
    html += Element("td", numbers.sd_tenths ? FormatTenths(*numbers.sd_tenths) : "—");
    html += Element("td", numbers.min.empty() ? "—" : numbers.min) + Element("td", numbers.max.empty() ? "—" : numbers.max);
    html += "</tr>";
  }
  return html + "</tbody></table>";
}

// Row categories down, column categories across: counts and the share of each row's total.
std::string CrossTable(const ReportTable& table, const ReportWords& words) {
  const ReportColumn& total = table.columns.back();
  std::string html = "<table><thead><tr><th rowspan=\"2\"></th>";
  for (size_t c = 0; c + 1 < table.columns.size(); ++c) {
    html += "<th colspan=\"2\">" + EscapeMarkup(table.columns[c].label) + "</th>";
  }
  html += "<th rowspan=\"2\" class=\"total\">" + EscapeMarkup(words.total) + "</th></tr><tr>";
  for (size_t c = 0; c + 1 < table.columns.size(); ++c) html += Element("th", words.count) + Element("th", words.percent);
  html += "</tr></thead><tbody>";
  for (size_t r = 0; r <= table.categories.size(); ++r) {
    const bool no_answer_row = r == table.categories.size();
    if (no_answer_row && total.choices.no_answer == 0) break;
    const int64_t row_total = no_answer_row ? total.choices.no_answer : total.choices.counts[r];
    html += no_answer_row ? "<tr class=\"no-answer\">" : "<tr>";
    html += Element("th", no_answer_row ? std::string(words.no_answer) : table.categories[r].label);
    for (size_t c = 0; c + 1 < table.columns.size(); ++c) {
      const ChoiceCounts& counts = table.columns[c].choices;
      const int64_t count = no_answer_row ? counts.no_answer : counts.counts[r];
      html += Element("td", std::to_string(count)) + Element("td", PercentText(count, row_total));
    }
    html += Element("td", std::to_string(row_total), "total") + "</tr>";
  }
  html += "<tr class=\"base\">" + Element("th", words.total);
  for (size_t c = 0; c + 1 < table.columns.size(); ++c) {
    html += Element("td", std::to_string(table.columns[c].choices.n)) +
            Element("td", PercentText(table.columns[c].choices.n, total.choices.n));
  }
  html += Element("td", std::to_string(total.choices.n), "total");
  return html + "</tr></tbody></table>";
}

std::string Section(const ReportTable& table, const ReportWords& words) {
  std::string html = "<section class=\"question\" id=\"" + EscapeMarkup(table.name) + "\">";
  if (!table.section.empty()) html += "<p class=\"matrix\">" + EscapeMarkup(table.section) + "</p>";
  html += "<h3>" + EscapeMarkup(table.title) + "<span class=\"name\">" + EscapeMarkup(table.name) + "</span></h3>";
  html += "<div class=\"table-wrap\">";
  switch (table.kind) {
    case ReportTableKind::kChoices:
    case ReportTableKind::kMultipleChoices: html += ChoiceTable(table, words); break;
    case ReportTableKind::kNumbers: html += NumberTable(table, words); break;
    case ReportTableKind::kCross: html += CrossTable(table, words); break;
  }
  html += "</div>";
  if (table.kind == ReportTableKind::kMultipleChoices) html += Element("p", words.multiple_note, "note");
  if (table.kind == ReportTableKind::kNumbers) html += Element("p", words.number_note, "note");
  if (table.kind == ReportTableKind::kCross) html += Element("p", words.row_percent, "note");
  html += "<figure class=\"chart\" style=\"margin:0\">" + RenderChart(table, words) + "</figure>";
  return html + "</section>\n";
}

}  // namespace

std::string EscapeMarkup(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string RenderReportHtml(const Report& report) {
  const ReportWords& words = WordsFor(report.language);
  std::string html = "<!DOCTYPE html>\n<html lang=\"" + EscapeMarkup(report.language) + "\">\n<head>\n";
  html += "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>" + EscapeMarkup(report.title) + " — " + EscapeMarkup(words.report) + "</title>\n";
  html += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n<header>\n";
  html += Element("p", words.report, "kicker") + "\n" + Element("h1", report.title) + "\n<dl class=\"facts\">";
  html += "<div>" + Element("dt", words.submissions) + Element("dd", std::to_string(report.submissions)) + "</div>";
  if (!report.by.empty()) html += "<div>" + Element("dt", words.grouped_by) + Element("dd", report.by_label) + "</div>";
  html += "<div>" + Element("dt", words.form) + Element("dd", report.form_id + " " + report.form_version) + "</div>";
  html += "</dl>\n</header>\n";
  bool crosses = false;
  for (const ReportTable& table : report.tables) {
    if (table.kind == ReportTableKind::kCross && !crosses) {
      html += Element("h2", words.cross_tables, "part") + "\n";
      crosses = true;
    }
    html += Section(table, words);
  }
  return html + "</main>\n</body>\n</html>\n";
}

}  // namespace chosa::analysis
