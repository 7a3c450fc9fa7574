#include "chosa/csv_writer.h"

#include <cstdlib>
#include <string>

namespace chosa::analysis {

CsvWriter::CsvWriter(std::function<bool(std::string_view)> write) : write_(std::move(write)) {
  buffer_.reserve(kBlock + 4096);
}

namespace {

// Text that a spreadsheet would take for a formula (CSV injection: "=HYPERLINK(...)" typed into a
// text question at a kiosk): its cell is written with a leading apostrophe, which makes Excel and
// LibreOffice show it as text. A plain number ("-99", a code for "no answer") is left alone: it
// is no formula, and an analyst counts on it.
bool LooksLikeFormula(std::string_view text) {
  if (text.empty()) return false;
  if (std::string_view("=@\t\r").find(text.front()) != std::string_view::npos) return true;
  if (text.front() != '+' && text.front() != '-') return false;
  const std::string copy(text);
  char* end = nullptr;
  std::strtod(copy.c_str(), &end);
  return end != copy.c_str() + copy.size();
}

}  // namespace

void CsvWriter::Field(std::string_view text, bool first, bool as_text) {
  if (!first) buffer_.push_back(',');
  const bool guarded = as_text && LooksLikeFormula(text);
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    if (guarded) buffer_.push_back('\'');
    buffer_.append(text);
    return;
  }
  buffer_.push_back('"');
  if (guarded) buffer_.push_back('\'');
  for (size_t start = 0;;) {
    const size_t quote = text.find('"', start);
    if (quote == std::string_view::npos) {
      buffer_.append(text.substr(start));
      break;
    }
    buffer_.append(text.substr(start, quote + 1 - start));
    buffer_.push_back('"');
    start = quote + 1;
  }
  buffer_.push_back('"');
}

bool CsvWriter::WriteHeader(const Table& table) {
  buffer_.append("\xEF\xBB\xBF");
  for (size_t i = 0; i < table.columns.size(); ++i) Field(table.columns[i].name, i == 0, false);
  buffer_.append("\r\n");
  return MaybeFlush();
}

bool CsvWriter::WriteRow(const Row& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    Field(row[i].blank() ? std::string_view() : row[i].text, i == 0, row[i].kind == CellKind::kText);
  }
  buffer_.append("\r\n");
  return MaybeFlush();
}

bool CsvWriter::MaybeFlush() { return buffer_.size() < kBlock ? ok_ : Flush(); }

bool CsvWriter::Flush() {
  if (ok_ && !buffer_.empty()) ok_ = write_(buffer_);
  buffer_.clear();
  return ok_;
}

}  // namespace chosa::analysis
