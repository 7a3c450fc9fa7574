// Files and directories only their owner may read: everything the programs write that holds
// answers, tokens or addresses (device stores and their SQLite side files, the collector's
// database and data directory, exports, datasets, backups, reports, the access log). Files are
// 0600 and directories 0700 whatever the umask; one that exists with group or other bits is
// tightened when the program opens it to write (docs/operations.md, "Private files").
//
// None of these opens a descriptor on a file that exists (modes are changed by path): closing
// one would drop every POSIX lock this process holds on the file, SQLite's on a database the
// process has open among them.
#ifndef CHOSA_BASE_PRIVATE_FILE_H_
#define CHOSA_BASE_PRIVATE_FILE_H_

#include <cstdio>
#include <string>

#include "chosa/status.h"

namespace chosa {

// Makes `path` a private file before it is written: creates it empty with mode 0600 when it is
// missing, or takes the group and other bits off an existing one (its content is left alone).
// A writer that then opens it (fopen "wb" or "a", std::ofstream, SQLite, libxlsxwriter) keeps
// the mode, since opening an existing file never changes it.
Status PreparePrivateFile(const std::string& path);

// fopen(path, mode) of a file made private first (PreparePrivateFile); null with errno set when
// either fails. `mode` is a writing mode ("wb", "ab", "rb+").
std::FILE* OpenPrivateFile(const std::string& path, const char* mode);

// mkdir -p: each directory it creates is 0700; those that exist are left as they are (the
// user's own folders). InvalidArgument when `dir` exists and is not a directory.
Status CreatePrivateDirectories(const std::string& dir);

// Takes the group and other bits off the file or directory `path` if it exists (a database, its
// -wal, -shm and -journal files, or the collector's data directory, left looser by an older
// version); OK when it does not exist. Other kinds of files (devices, pipes) are left alone.
Status TightenIfPresent(const std::string& path);

}  // namespace chosa

#endif  // CHOSA_BASE_PRIVATE_FILE_H_
