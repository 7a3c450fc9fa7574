#include "expected_rows.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "run_command.h"

namespace chosa::testing {
namespace {

std::string Field(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_array()) {
    std::string joined;
    for (const auto& item : value) joined += (joined.empty() ? "" : " ") + item.get<std::string>();
    return joined;
  }
  return value.dump();  // a number, as the canonical JSON writes it
}

std::vector<std::string> Words(const std::string& list) {
  std::vector<std::string> out;
  std::istringstream in(list);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

}  // namespace

ExpectedRows ExpectRows(const std::string& submission_json) {
  const nlohmann::json doc = nlohmann::json::parse(submission_json);
  ExpectedRows out;
  const std::string uuid = doc["uuid"];
  const std::pair<const char*, const char*> envelope[] = {
      {"uuid", "_uuid"},           {"form_version", "_form_version"}, {"device_id", "_device_id"},
      {"enumerator_id", "_enumerator_id"}, {"started_at", "_started_at"}, {"ended_at", "_ended_at"},
      {"replaces", "_replaces"}};
  for (const auto& [key, column] : envelope) {
    if (doc.contains(key)) out.main[column] = doc[key].get<std::string>();
  }
  for (const auto& [key, value] : doc["answers"].items()) {
    if (value.is_array() && !value.empty() && value[0].is_object()) {
      int position = 0;
      for (const auto& instance : value) {
        CsvRow row{{"_submission_uuid", uuid}, {"_position", std::to_string(++position)}};
        for (const auto& [child, child_value] : instance.items()) row[child] = Field(child_value);
        out.repeats[key].push_back(std::move(row));
      }
      continue;
    }
    out.main[key] = Field(value);
  }
  return out;
}

void CheckRow(const CsvRow& row, const CsvRow& expected) {
  for (const auto& [column, field] : row) {
    INFO("column " << column);
    const size_t slash = column.find('/');
    if (slash != std::string::npos) {
      auto list = expected.find(column.substr(0, slash));
      if (list == expected.end()) {
        CHECK(field.empty());
      } else {
        const std::vector<std::string> ticked = Words(list->second);
        const bool is_ticked = std::find(ticked.begin(), ticked.end(), column.substr(slash + 1)) != ticked.end();
        CHECK(field == (is_ticked ? "1" : "0"));
      }
      continue;
    }
    if (column == "_received_at" || column == "_received_from") {
      CHECK_FALSE(field.empty());
      continue;
    }
    auto want = expected.find(column);
    CHECK(field == (want == expected.end() ? std::string() : want->second));
  }
  for (const auto& [column, field] : expected) {
    INFO("column " << column);
    CHECK(row.count(column) == 1);  // every answer has its column
  }
}

nlohmann::json ReadWorkbook(const std::string& path) {
  const CommandRun read = RunCommand("/usr/bin/python3 " CHOSA_SOURCE_DIR "/tests/analysis/read_xlsx.py '" + path + "'");
  REQUIRE(read.exit_status == 0);
  return nlohmann::json::parse(read.out);
}

std::map<std::string, ParsedCsv> ParseCsvFiles(const std::vector<std::string>& paths) {
  std::string command = "/usr/bin/python3 " CHOSA_SOURCE_DIR "/tests/tools/csv_rows.py";
  for (const std::string& path : paths) command += " '" + path + "'";
  const CommandRun read = RunCommand(command);
  REQUIRE(read.exit_status == 0);
  std::map<std::string, ParsedCsv> out;
  const nlohmann::json files = nlohmann::json::parse(read.out);
  for (const auto& [path, parsed] : files.items()) {
    ParsedCsv& csv = out[path];
    csv.bom = parsed["bom"];
    const auto& rows = parsed["rows"];
    REQUIRE_FALSE(rows.empty());
    csv.header = rows[0].get<std::vector<std::string>>();
    for (size_t i = 1; i < rows.size(); ++i) {
      REQUIRE(rows[i].size() == csv.header.size());
      CsvRow row;
      for (size_t c = 0; c < csv.header.size(); ++c) row[csv.header[c]] = rows[i][c];
      csv.rows.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace chosa::testing
