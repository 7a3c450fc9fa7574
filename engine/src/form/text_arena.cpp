#include "form/text_arena.h"

#include <cstring>

namespace chosa {

// An encoded text, in 4-byte words: [count][end of text 0]...[end of text count-1], then the
// bytes of the texts back to back (ends are byte offsets from the first of them).
LocalizedText TextArena::Add(const std::string_view* texts, size_t count) {
  if (count == 0) return LocalizedText();
  size_t bytes = 0;
  for (size_t i = 0; i < count; ++i) bytes += texts[i].size();
  uint32_t* header = Allocate(1 + count + (bytes + 3) / 4);
  header[0] = static_cast<uint32_t>(count);
  char* chars = reinterpret_cast<char*>(header + 1 + count);
  uint32_t end = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!texts[i].empty()) std::memcpy(chars + end, texts[i].data(), texts[i].size());
    end += static_cast<uint32_t>(texts[i].size());
    header[1 + i] = end;
  }
  return LocalizedText(header);
}

uint32_t* TextArena::Allocate(size_t words) {
  if (capacity_ - used_ < words) {
    // A text larger than a block gets a block of its own size.
    const size_t size = words > kBlockWords ? words : kBlockWords;
    blocks_.emplace_back(new uint32_t[size]);
    used_ = 0;
    capacity_ = size;
  }
  uint32_t* out = blocks_.back().get() + used_;
  used_ += words;
  return out;
}

}  // namespace chosa
