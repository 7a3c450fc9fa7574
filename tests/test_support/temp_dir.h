// The one temporary-directory helper of every test target (tests/CMakeLists.txt puts this
// directory on their include path): a fresh directory under the system's temporary directory for
// one test, removed with everything in it when the test ends.
//
// Catch-free, so that helpers running on other threads (tests/sync/e2e_support.cpp) may make one:
// when no directory can be made it throws std::system_error, which fails the test that asked.
#ifndef CHOSA_TESTS_TEST_SUPPORT_TEMP_DIR_H_
#define CHOSA_TESTS_TEST_SUPPORT_TEMP_DIR_H_

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

namespace chosa::testing {

class TempDir {
 public:
  // `prefix` names the directory (prefix-XXXXXX), for whoever finds one a crashed test left.
  explicit TempDir(const std::string& prefix = "chosa-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "making a temporary directory " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of `name` inside it.
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  std::string operator/(const std::string& name) const { return File(name); }

 private:
  std::string path_;
};

}  // namespace chosa::testing

#endif  // CHOSA_TESTS_TEST_SUPPORT_TEMP_DIR_H_
