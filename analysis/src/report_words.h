// The words of a report's headings in its language: Japanese for "ja", English otherwise.
#ifndef CHOSA_ANALYSIS_REPORT_WORDS_H_
#define CHOSA_ANALYSIS_REPORT_WORDS_H_

#include <string_view>

namespace chosa::analysis {

struct ReportWords {
  std::string_view no_answer, total, n, count, percent, mean, sd, min, max, choice, code, group;
  std::string_view report;        // after the form's title: "集計結果", "Report"
  std::string_view submissions;   // "回答数", "Submissions"
  std::string_view form;          // "調査票", "Form"
  std::string_view grouped_by;    // "集計軸", "Grouped by"
  std::string_view cross_tables;  // the heading of the cross tables
  std::string_view row_percent;   // what a cross table's percentages are of
  std::string_view multiple_note; // under a select_multiple's table
  std::string_view number_note;   // under a numeric table
  std::string_view means_chart;   // the numeric chart's caption
  std::string_view score;         // after a scored question's title: "（得点）", " (score)"
};

const ReportWords& WordsFor(std::string_view language);

}  // namespace chosa::analysis

#endif  // CHOSA_ANALYSIS_REPORT_WORDS_H_
