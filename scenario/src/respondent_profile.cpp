// The tables behind a simulated respondent's answers: where numbers lie, what people write, and
// how the example surveys' answers lean (DemoSkews, declared in respondent.h).
#include "respondent_profile.h"

#include <utility>

#include "chosa/scenario/respondent.h"

namespace chosa {
namespace tools {

namespace {

struct NamedRange {
  const char* question;
  NumberRange range;
};

// The example surveys' number questions; the constraint of each is wider.
const NamedRange kRanges[] = {
    {"age", {65, 100}},                     // older residents (constraint 65-120)
    {"cm_years", {1, 30}},                  // a care manager's years in the job
    {"pharmacy_home_visits", {0, 300}},     // home visits by a pharmacy in a year
    {"fac_deaths_last_year", {0, 40}},      // deaths in a care facility in a year
    {"so_consultations", {20, 600}},        // consultations of a support office in a half-year
    {"acp_month_events", {1, 12}},          // events in the ACP month
    {"activity_participants", {5, 120}},    // participants in one activity
    {"fiscal_year", {2023, 2025}},
};

const std::vector<std::string> kPersonNames = {
    "山田 花子", "佐藤 健一", "鈴木 美咲", "高橋 誠", "田中 由美", "伊藤 翔太", "渡辺 恵子",
    "中村 大輔", "小林 さくら", "加藤 隆", "吉田 直子", "山本 和也", "松本 陽子", "井上 拓海",
};

const std::vector<std::string> kOrganisations = {
    "北区医師会", "都島訪問看護ステーション", "天王寺区居宅介護支援事業所", "阿倍野すこやか薬局",
    "淀川キリスト教病院", "生野区地域包括支援センター", "住吉区役所 保健福祉課", "城東歯科クリニック",
    "西成区在宅医療・介護連携相談支援室",
};

const std::vector<std::string> kRespondents = {
    "保健福祉課 山田", "地域保健担当 佐藤", "相談支援室 鈴木", "保健福祉課 高橋", "相談支援室 田中",
};

const std::vector<std::string> kActivityNames = {
    "多職種研修会（入退院支援）", "在宅医療・介護連携会議", "人生会議（ACP）出前講座",
    "事例検討会", "医療・介護資源マップの更新", "ケアマネジャー向け勉強会", "区民向け講演会",
};

const std::vector<std::string> kOtherSpecified = {
    "地域の民生委員との連携", "行政からの情報提供", "家族会での話題", "訪問歯科との連携", "特になし",
};

const std::vector<std::string> kProfessions = {"医療事務", "福祉用具専門相談員", "言語聴覚士", "生活相談員"};

const std::vector<std::string> kFacilityKinds = {"軽費老人ホーム", "小規模多機能型居宅介護", "養護老人ホーム"};

const std::vector<std::string> kComments = {
    "特になし",
    "多職種の顔の見える関係づくりが必要",
    "研修の回数を増やしてほしい",
    "相談支援室の周知をもっと進めてほしい",
    "入退院時の情報共有のルールを統一してほしい",
    "夜間・休日の急変時の対応に不安がある",
    "ICTを活用した情報共有の仕組みがあると助かる",
    "人生会議（ACP）について住民への啓発が必要",
    "主治医との連絡がとりにくいことがある",
    "事例検討を通じて他職種の役割がよく分かった",
};

const std::vector<std::string> kStruggles = {
    "医師会等関係機関との調整に時間がかかる",
    "事業の評価指標の立て方が分からない",
    "相談件数が少なく、周知の方法に悩んでいる",
    "特になし",
};

const std::vector<std::string> kReflections = {
    "研修で学んだことを業務に活かせた",
    "関係機関との顔の見える関係づくりが進んだ",
    "チェックリストを意識して活動できるようになった",
    "事業の全体像が見えるようになってきた",
};

}  // namespace

NumberRange PlausibleRange(std::string_view question) {
  for (const NamedRange& named : kRanges) {
    if (question == named.question) return named.range;
  }
  return NumberRange{};
}

const std::vector<NumberRange>& FallbackRanges() {
  static const std::vector<NumberRange> ranges = {{0, 10}, {0, 1000}, {0, 100000}, {1900, 2100}, {-100, 0}};
  return ranges;
}

const std::vector<std::string>& PhrasesFor(std::string_view question) {
  if (question == "attendee_name") return kPersonNames;
  if (question == "attendee_organisation") return kOrganisations;
  if (question == "respondent") return kRespondents;
  if (question == "activity_name") return kActivityNames;
  if (question == "profession_other") return kProfessions;
  if (question == "facility_kind_other") return kFacilityKinds;
  if (question == "progress_issues" || question == "issues_text") return kStruggles;
  if (question == "reflection" || question == "good_practice") return kReflections;
  if (question.size() > 6 && question.substr(question.size() - 6) == "_other") return kOtherSpecified;
  return kComments;
}

const std::vector<AnswerSkew>& DemoSkews() {
  // Checklist scale: 4 できる, 3 少しできる, 2 あまりできない, 1 できない. With the briefing the
  // mean item is about 3.1 (total about 78), without it about 2.7 (about 67).
  static const std::vector<AnswerSkew> skews = {
      {"coordinator_checklist", "briefing", "", "", {{"yes", 9}, {"no", 5}}},
      {"coordinator_checklist", "checklist_mindset", "briefing", "yes", {{"mindful", 5}, {"not_mindful", 4}}},
      {"coordinator_checklist", "checklist_mindset", "briefing", "no", {{"mindful", 1}, {"not_mindful", 4}}},
      {"coordinator_checklist", "checklist", "briefing", "yes", {{"4", 4}, {"3", 4}, {"2", 1.5}, {"1", 0.5}}},
      {"coordinator_checklist", "checklist", "briefing", "no", {{"4", 2}, {"3", 4}, {"2", 3}, {"1", 1}}},
      // About 1 in 10 older residents know ACP by name; care professionals far more.
      {"older_residents_survey", "respondent_type", "", "", {{"self", 6}, {"care_manager", 2}, {"care_facility", 2}}},
      {"older_residents_survey", "acp_awareness", "respondent_type", "self",
       {{"name_and_content", 0.4}, {"name_only", 0.6}, {"neither", 9}}},
      {"older_residents_survey", "acp_awareness", "", "", {{"name_and_content", 5}, {"name_only", 3}, {"neither", 2}}},
      // Care managers need a consultation desk more than the others (53 % against 27-39 %).
      {"medical_facility_survey", "needs_consultation_desk", "facility_type", "care_manager_office",
       {{"yes", 53}, {"no", 47}}},
      {"medical_facility_survey", "needs_consultation_desk", "facility_type", "home_care_dental_clinic",
       {{"yes", 27}, {"no", 73}}},
      {"medical_facility_survey", "needs_consultation_desk", "", "", {{"yes", 38}, {"no", 62}}},
      {"medical_facility_survey", "collaboration", "", "", {{"4", 2}, {"3", 4}, {"2", 3}, {"1", 1}}},
      // Over 70 % feel they collaborate; over 20 % wish to work with the support office.
      {"workshop_attendee_survey", "feels_collaborating", "", "", {{"yes", 7.5}, {"no", 2.5}}},
      {"workshop_attendee_survey", "wish_collaborate", "", "", {{"want", 3}, {"already", 5}, {"not_now", 2}}},
      {"workshop_attendee_survey", "useful", "", "", {{"4", 4}, {"3", 4}, {"2", 1.5}, {"1", 0.5}}},
      {"workshop_attendee_survey", "profession", "", "",
       {{"doctor", 2}, {"nurse", 3}, {"pharmacist", 2}, {"care_manager", 3}}},
      {"ward_activity_survey", "progress", "half", "first_half", {{"4", 2}, {"3", 4}, {"2", 3}, {"1", 1}}},
      {"ward_activity_survey", "progress", "half", "second_half", {{"4", 4}, {"3", 4}, {"2", 1.5}, {"1", 0.5}}},
  };
  return skews;
}

}  // namespace tools
}  // namespace chosa
