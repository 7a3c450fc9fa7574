// Writing a report to a directory: report.html and a CSV per table.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "chosa/base/private_file.h"
#include "chosa/report.h"
#include "report_render.h"

namespace chosa::analysis {
namespace {

// Tables of people's answers: the owner's only (small cells can name a person).
Status WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  Status made = PreparePrivateFile(path.string());
  if (!made.ok()) return made;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (out) out.close();
  if (!out) return Status::IOError("cannot write " + path.string() + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Status WriteReport(const Report& report, const std::string& out_dir) {
  const std::filesystem::path dir(out_dir);
  Status made = CreatePrivateDirectories(out_dir);
  if (!made.ok()) return made;
  const ReportWords& words = WordsFor(report.language);
  Status written = WriteFile(dir / "report.html", RenderReportHtml(report));
  for (size_t t = 0; written.ok() && t < report.tables.size(); ++t) {
    written = WriteFile(dir / (report.tables[t].name + ".csv"), RenderTableCsv(report.tables[t], words));
  }
  return written;
}

}  // namespace chosa::analysis
