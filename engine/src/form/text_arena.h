// Where a form's texts live: labels, hints and messages in every language, copied into a few
// large blocks owned by the Form. A form of thousands of questions has tens of thousands of
// texts, most of them Japanese and too long for std::string's inline buffer: one heap block per
// text made them the largest part of loading a form.
#ifndef CHOSA_ENGINE_FORM_TEXT_ARENA_H_
#define CHOSA_ENGINE_FORM_TEXT_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "chosa/form.h"

namespace chosa {

class TextArena {
 public:
  // Copies `count` texts (one per language, or a single one for every language) and returns the
  // LocalizedText reading them; it stays valid as long as the arena. count == 0: an empty text.
  LocalizedText Add(const std::string_view* texts, size_t count);
  LocalizedText Add(std::string_view text) { return Add(&text, 1); }

 private:
  // `words` 4-byte words, aligned for the uint32_t header of an encoded text.
  uint32_t* Allocate(size_t words);

  static constexpr size_t kBlockWords = 16 * 1024;  // 64 KiB
  std::vector<std::unique_ptr<uint32_t[]>> blocks_;
  size_t used_ = 0;      // words used in the last block
  size_t capacity_ = 0;  // words in the last block
};

}  // namespace chosa

#endif  // CHOSA_ENGINE_FORM_TEXT_ARENA_H_
