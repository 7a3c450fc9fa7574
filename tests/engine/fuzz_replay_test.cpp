// Replays the fuzz corpora (and every form the repository holds) through the fuzz entry points,
// so that g++ builds and the sanitizer build check that no input crashes the engine.
#include <dirent.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fuzz_targets.h"

namespace {

std::vector<std::string> FilesIn(const std::string& directory) {
  std::vector<std::string> files;
  if (DIR* dir = opendir(directory.c_str())) {
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") files.push_back(directory + "/" + name);
    }
    closedir(dir);
  }
  return files;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

template <typename Target>
size_t Replay(const std::vector<std::string>& directories, Target target) {
  size_t count = 0;
  for (const std::string& directory : directories) {
    for (const std::string& file : FilesIn(directory)) {
      std::string data = Slurp(file);
      INFO("input: " << file);
      CHECK(target(reinterpret_cast<const uint8_t*>(data.data()), data.size()) == 0);
      ++count;
      // Every prefix of a few inputs too: truncated files are the commonest real damage.
      if (count % 7 == 0) {
        for (size_t cut = 0; cut < data.size(); cut += 1 + data.size() / 16) {
          CHECK(target(reinterpret_cast<const uint8_t*>(data.data()), cut) == 0);
        }
      }
    }
  }
  return count;
}

}  // namespace

TEST_CASE("The form loader survives its corpus, every example and broken form, and their prefixes", "[fuzz]") {
  size_t count = Replay({CHOSA_SOURCE_DIR "/tests/fuzz/corpus/form_loader", CHOSA_SOURCE_DIR "/schemas/examples",
                         CHOSA_SOURCE_DIR "/tests/forms/broken", CHOSA_SOURCE_DIR "/tests/json_corpus"},
                        chosa::fuzz::FuzzFormLoader);
  CHECK(count >= 20);
}

TEST_CASE("The expression parser and evaluator survive their corpus", "[fuzz]") {
  size_t count = Replay({CHOSA_SOURCE_DIR "/tests/fuzz/corpus/expression"}, chosa::fuzz::FuzzExpression);
  CHECK(count >= 20);
}
