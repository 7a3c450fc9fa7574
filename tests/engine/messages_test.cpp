// Every message the engine shows exists in Japanese and in English.
#include <algorithm>

#include <catch2/catch.hpp>

#include "session/messages.h"

using chosa::Message;
using chosa::MessageId;

TEST_CASE("Every engine message has a Japanese and an English text") {
  for (int id = static_cast<int>(MessageId::kRequired); id <= static_cast<int>(MessageId::kListSeparator); ++id) {
    std::string ja = Message(static_cast<MessageId>(id), "ja", "3", "4");
    std::string en = Message(static_cast<MessageId>(id), "en", "3", "4");
    INFO("message " << id << ": " << ja << " / " << en);
    CHECK(ja != "?");
    CHECK(en != "?");
    CHECK(ja != en);
    // Japanese text is written in Japanese: at least one character outside ASCII.
    CHECK(std::any_of(ja.begin(), ja.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
    CHECK(ja.find("{0}") == std::string::npos);
    CHECK(en.find("{0}") == std::string::npos);
    CHECK(ja.find("{1}") == std::string::npos);
    CHECK(en.find("{1}") == std::string::npos);
  }
  CHECK(Message(MessageId::kMinChoices, "en", "2") == "Choose at least 2.");
  CHECK(Message(MessageId::kMinChoices, "fr", "2") == "Choose at least 2.");  // other languages: English
  CHECK(Message(MessageId::kMaxChoices, "ja", "3") == "選べるのは3つまでです。選択を減らしてください。");
  CHECK(Message(MessageId::kRequired, "ja") == "この質問は回答が必要です。");
  CHECK(Message(MessageId::kRepeatInstance, "ja", "参加者", "2") == "参加者（2件目）");
  CHECK(Message(MessageId::kRepeatInstance, "en", "Attendees", "2") == "Attendees #2");
}
