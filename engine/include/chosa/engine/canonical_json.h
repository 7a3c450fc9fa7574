// Writes JSON in chosa's canonical form, in one pass and in the order it is told: UTF-8 as is,
// only `"`, `\` and control characters escaped, no whitespace, whole numbers without a
// fraction, other numbers in the shortest form that reads back the same. The submission's
// canonical bytes come from here, so the writer never reorders or searches keys.
#ifndef CHOSA_ENGINE_SESSION_CANONICAL_JSON_H_
#define CHOSA_ENGINE_SESSION_CANONICAL_JSON_H_

#include <string>
#include <string_view>
#include <vector>

namespace chosa {

class CanonicalJsonWriter {
 public:
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // REQUIRES: inside an object, before its value.
  void Key(std::string_view key);
  void String(std::string_view text);
  void Number(double number);  // REQUIRES: finite
  void Bool(bool truth);

  void Reserve(size_t bytes) { out_.reserve(bytes); }  // when the output's size is known about
  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Open(char bracket);
  void Close(char bracket);
  void BeforeValue();
  void Escaped(std::string_view text);

  std::string out_;
  std::vector<bool> first_;    // per open container: no member written yet
  bool after_key_ = false;
};

}  // namespace chosa

#endif  // CHOSA_ENGINE_SESSION_CANONICAL_JSON_H_
