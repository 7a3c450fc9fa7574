#include "chosa/csv_writer.h"

namespace chosa::analysis {

CsvWriter::CsvWriter(std::function<bool(std::string_view)> write) : write_(std::move(write)) {
  buffer_.reserve(kBlock + 4096);
}

void CsvWriter::Field(std::string_view text, bool first) {
  if (!first) buffer_.push_back(',');
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    buffer_.append(text);
    return;
  }
  buffer_.push_back('"');
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
  for (size_t i = 0; i < table.columns.size(); ++i) Field(table.columns[i].name, i == 0);
  buffer_.append("\r\n");
  return MaybeFlush();
}

bool CsvWriter::WriteRow(const Row& row) {
  for (size_t i = 0; i < row.size(); ++i) Field(row[i].blank() ? std::string_view() : row[i].text, i == 0);
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
