// What a submission's rows in an export must hold, worked out from its JSON by the rules of
// docs/exports.md and independently of the analysis module that writes them: tests compare the
// two through a real CSV parser.
#ifndef CHOSA_TESTS_SYNC_EXPECTED_ROWS_H_
#define CHOSA_TESTS_SYNC_EXPECTED_ROWS_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace chosa::testing {

using CsvRow = std::map<std::string, std::string>;  // column name -> field

struct ExpectedRows {
  CsvRow main;                                            // metadata from the envelope, answers
  std::map<std::string, std::vector<CsvRow>> repeats;     // repeat name -> one row per instance
};

// Every key of the submission's envelope and answers, as the export writes them (codes): numbers
// as in the JSON, a list's values joined by spaces, booleans true/false; each repeat instance
// with _submission_uuid and _position. Flag columns ("name/choice") are not listed here: see
// CheckRow.
ExpectedRows ExpectRows(const std::string& submission_json);

// Checks (Catch CHECKs) that `row` (a parsed CSV row by header) holds `expected`, that every
// other column is empty except _received_at and _received_from, and that each flag column
// "q/choice" is 1 or 0 by whether `choice` is in q's list, or empty when q is unanswered.
void CheckRow(const CsvRow& row, const CsvRow& expected);

// Parses CSV files with Python's csv module (tests/tools/csv_rows.py): for each file, whether it
// starts with a byte order mark and its rows by header.
struct ParsedCsv {
  bool bom = false;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
};
std::map<std::string, ParsedCsv> ParseCsvFiles(const std::vector<std::string>& paths);

// A workbook as openpyxl reads it (tests/analysis/read_xlsx.py): sheets of typed cells.
nlohmann::json ReadWorkbook(const std::string& path);

}  // namespace chosa::testing

#endif  // CHOSA_TESTS_SYNC_EXPECTED_ROWS_H_
