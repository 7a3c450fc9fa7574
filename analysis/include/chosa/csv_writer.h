// Tables as CSV for Excel and every CSV reader: UTF-8 with a byte order mark (without it Excel
// reads Japanese as mojibake), RFC 4180 quoting (a field with a comma, a quote or a line break
// is quoted, quotes doubled), CRLF line ends. A text cell that begins with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, so that a spreadsheet shows it instead of running
// it as a formula (numbers, "-99" as text included, are written as they are). Written through a caller's sink in blocks,
// so that an export streams with constant memory.
//
// Thread safety: a CsvWriter is used by one thread at a time. Ownership: it owns its sink (a
// std::function, copied in) and its buffer; the Tables and Rows it writes are read during the
// call only.
#ifndef CHOSA_CSV_WRITER_H_
#define CHOSA_CSV_WRITER_H_

#include <functional>
#include <string>
#include <string_view>

#include "chosa/dataset_layout.h"
#include "chosa/submission_rows.h"

namespace chosa::analysis {

class CsvWriter {
 public:
  // `write` takes the bytes; false from it fails every later call.
  explicit CsvWriter(std::function<bool(std::string_view)> write);
  ~CsvWriter() = default;

  // The byte order mark and the header line of `table`'s column names.
  bool WriteHeader(const Table& table);
  // One row; blank cells (empty or not relevant) are empty fields.
  bool WriteRow(const Row& row);
  // Hands over what is buffered; call once at the end.
  bool Flush();

 private:
  // `as_text`: a text cell, guarded against being read as a formula.
  void Field(std::string_view text, bool first, bool as_text);
  bool MaybeFlush();

  static constexpr size_t kBlock = 64 * 1024;
  std::function<bool(std::string_view)> write_;
  std::string buffer_;
  bool ok_ = true;
};

}  // namespace chosa::analysis

#endif  // CHOSA_CSV_WRITER_H_
