// Every broken form in tests/forms/broken/ must be refused with exactly the faults its
// NAME.expected.txt lists, one a line: `/json/pointer: col N: message-substring` (no `col N: `
// outside expressions). Checks that the loader reports all faults at once, each where it is.
#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "chosa/form.h"

namespace {

struct ExpectedFault {
  std::string pointer;
  int column = 0;
  std::string message;
};

ExpectedFault ParseExpected(const std::string& line) {
  ExpectedFault out;
  size_t colon = line.find(": ");
  out.pointer = line.substr(0, colon);
  std::string rest = colon == std::string::npos ? "" : line.substr(colon + 2);
  if (rest.rfind("col ", 0) == 0) {
    size_t end = rest.find(": ");
    out.column = std::stoi(rest.substr(4, end - 4));
    rest = end == std::string::npos ? "" : rest.substr(end + 2);
  }
  out.message = rest;
  return out;
}

bool Matches(const chosa::Status& fault, const ExpectedFault& expected) {
  std::string pointer = fault.pointer().empty() ? "/" : fault.pointer();
  std::string want = expected.pointer.empty() ? "/" : expected.pointer;
  return pointer == want && fault.column() == expected.column &&
         fault.message().find(expected.message) != std::string::npos;
}

}  // namespace

TEST_CASE("Broken forms are refused with every fault named where it is", "[forms]") {
  const std::string directory = CHOSA_SOURCE_DIR "/tests/forms/broken";
  std::vector<std::string> forms;
  DIR* dir = opendir(directory.c_str());
  REQUIRE(dir != nullptr);
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) forms.push_back(name);
  }
  closedir(dir);
  std::sort(forms.begin(), forms.end());
  REQUIRE(forms.size() >= 20);

  for (const std::string& name : forms) {
    std::string stem = name.substr(0, name.size() - 5);
    std::ifstream expected_file(directory + "/" + stem + ".expected.txt");
    INFO("form: " << name);
    REQUIRE(expected_file.good());
    std::vector<ExpectedFault> expected;
    std::string line;
    while (std::getline(expected_file, line)) {
      if (!line.empty() && line[0] != '#') expected.push_back(ParseExpected(line));
    }
    chosa::FormLoadResult result = chosa::Form::LoadFile(directory + "/" + name);
    CHECK_FALSE(result.ok());
    std::string reported;
    for (const auto& fault : result.faults) reported += "  " + fault.ToString() + "\n";
    INFO("reported:\n" << reported);
    for (const ExpectedFault& want : expected) {
      INFO("expected: " << want.pointer << ": col " << want.column << ": " << want.message);
      CHECK(std::any_of(result.faults.begin(), result.faults.end(),
                        [&](const chosa::Status& fault) { return Matches(fault, want); }));
    }
    CHECK(result.faults.size() == expected.size());
  }
}
