// The pieces of a written report (chosa/report.h): text escaped for HTML and SVG, one chart per
// table, one CSV per table.
#ifndef CHOSA_ANALYSIS_REPORT_RENDER_H_
#define CHOSA_ANALYSIS_REPORT_RENDER_H_

#include <string>
#include <string_view>

#include "chosa/report.h"
#include "report_words.h"

namespace chosa::analysis {

// `text` with &, <, >, " and ' as character references: safe in HTML text, attributes and SVG.
std::string EscapeMarkup(std::string_view text);
// One <svg> element: the table's percentages (or means) as horizontal bars.
std::string RenderChart(const ReportTable& table, const ReportWords& words);
// The table as CSV: a byte order mark, then the header line and the rows, CRLF.
std::string RenderTableCsv(const ReportTable& table, const ReportWords& words);

}  // namespace chosa::analysis

#endif  // CHOSA_ANALYSIS_REPORT_RENDER_H_
