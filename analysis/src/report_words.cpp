#include "report_words.h"

namespace chosa::analysis {

const ReportWords& WordsFor(std::string_view language) {
  static const ReportWords kJapanese{
      "無回答", "合計", "n", "件数", "%", "平均", "標準偏差", "最小", "最大", "選択肢", "コード", "グループ",
      "集計結果", "回答数", "調査票", "集計軸", "クロス集計",
      "% は各行の合計に対する割合です。",
      "複数回答: % は n に対する割合で、合計は100%を超えることがあります。",
      "平均・標準偏差（n−1）・最小・最大は無回答を除く回答から求めています。",
      "平均", "（得点）"};
  static const ReportWords kEnglish{
      "No answer", "Total", "n", "Count", "%", "Mean", "SD", "Min", "Max", "Choice", "Code", "Group",
      "Report", "Submissions", "Form", "Grouped by", "Cross tables",
      "Percentages are of each row's total.",
      "Multiple answers: percentages are of n and may sum past 100%.",
      "Mean, SD (n − 1), min and max are of the answers given (no answer left out).",
      "Mean", " (score)"};
  return language.substr(0, 2) == "ja" ? kJapanese : kEnglish;
}

}  // namespace chosa::analysis
