// Reports (chosa/report.h): survey 5's figures from 14 coordinators filled through real
// sessions, survey 1's percentages by facility type, the rounding rules at their edges, escaping,
// and the files written. Expected figures are computed here from the fixture's own answers.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <sstream>

#include "chosa/dataset_layout.h"
#include "chosa/report.h"
#include "test_support.h"
#include "chosa/session.h"
#include "chosa/submission_rows.h"
#include "report_statistics.h"

namespace chosa::analysis {
namespace {

std::shared_ptr<const Form> LoadExample(const std::string& name) {
  FormLoadResult loaded = Form::LoadFile(std::string(CHOSA_SOURCE_DIR) + "/schemas/examples/" + name + ".json");
  std::string faults;
  for (const Status& fault : loaded.faults) faults += fault.ToString() + "\n";
  INFO(faults);
  REQUIRE(loaded.ok());
  return loaded.form;
}

std::shared_ptr<const Form> LoadText(const std::string& json) { return testing::MustLoad(json); }

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Answer(Session& session, const std::string& path, const std::string& text) {
  INFO(path << " = " << text);
  Status set = session.SetAnswer(path, text);
  INFO(set.ToString());
  REQUIRE(set.ok());
}

void NextPage(Session& session) {
  Status next = session.Next();
  std::string errors;
  for (const AnswerError& error : session.AllErrors()) errors += error.path + ": " + error.message + "\n";
  INFO(next.ToString() << "\n" << errors);
  REQUIRE(next.ok());
}

std::string Finalize(Session& session) {
  Result<Submission> done = session.Finalize();
  std::string errors;
  for (const AnswerError& error : session.AllErrors()) errors += error.path + ": " + error.message + "\n";
  INFO(done.status().ToString() << "\n" << errors);
  REQUIRE(done.ok());
  return done->canonical_json;
}

// Flattens finalized submissions with codes and relevance marked, as a report requires.
struct Dataset {
  DatasetLayout layout;
  std::vector<std::string> bodies;

  void AddTo(ReportBuilder& builder) const {
    FlattenOptions options;
    options.mark_relevance = true;
    SubmissionFlattener flattener(layout, options);
    SubmissionRows rows;
    for (const std::string& body : bodies) {
      Status flattened = flattener.Flatten(body, Receipt{1732500000000, "d-0001"}, &rows);
      INFO(flattened.ToString());
      REQUIRE(flattened.ok());
      REQUIRE(builder.Add(rows).ok());
    }
  }
  Report Build(ReportOptions options) const {
    Result<ReportBuilder> builder = ReportBuilder::Create(layout, std::move(options));
    INFO(builder.status().ToString());
    REQUIRE(builder.ok());
    AddTo(*builder);
    return builder->Finish();
  }
};

Dataset MakeDataset(std::shared_ptr<const Form> form) {
  Result<DatasetLayout> layout = DatasetLayout::FromForms({std::move(form)});
  REQUIRE(layout.ok());
  return Dataset{std::move(*layout), {}};
}

const ReportTable& TableNamed(const Report& report, const std::string& name) {
  for (const ReportTable& table : report.tables) {
    if (table.name == name) return table;
  }
  FAIL("no table " << name);
  throw std::logic_error("unreachable");
}

const ReportColumn& ColumnCoded(const ReportTable& table, const std::string& code) {
  for (const ReportColumn& column : table.columns) {
    if (column.role == ReportColumn::Role::kGroup && column.code == code) return column;
  }
  FAIL("no group " << code << " in " << table.name);
  throw std::logic_error("unreachable");
}

size_t CategoryIndex(const ReportTable& table, const std::string& code) {
  for (size_t k = 0; k < table.categories.size(); ++k) {
    if (table.categories[k].code == code) return k;
  }
  FAIL("no category " << code << " in " << table.name);
  return 0;
}

// The test's own rounding: in long double, away from the ties it is not asked to decide.
std::string Tenths(long double value) {
  const long double scaled = value * 10;
  const long double fraction = scaled - std::floor(scaled);
  REQUIRE(std::fabs(fraction - 0.5L) > 1e-9L);  // a tie needs exact arithmetic: chosen elsewhere
  char text[32];
  std::snprintf(text, sizeof text, "%.1Lf", std::floor(scaled + 0.5L) / 10);
  return text;
}
std::string ExpectedPercent(long count, long n) { return Tenths(100.0L * count / n); }

struct Figures {
  long n = 0;
  long double mean = 0, sd = 0;
  std::string min, max;
};
Figures Describe(const std::vector<int>& values) {
  Figures figures;
  figures.n = static_cast<long>(values.size());
  figures.mean = std::accumulate(values.begin(), values.end(), 0.0L) / figures.n;
  long double squares = 0;
  for (int value : values) squares += (value - figures.mean) * (value - figures.mean);
  figures.sd = std::sqrt(squares / (figures.n - 1));
  figures.min = std::to_string(*std::min_element(values.begin(), values.end()));
  figures.max = std::to_string(*std::max_element(values.begin(), values.end()));
  return figures;
}

// --- survey 5: the newly hired coordinators --------------------------------------------------

struct Coordinator {
  const char* ward;
  const char* milestone;
  const char* year;
  bool briefing;
  bool mindful;
  int total;                     // the checklist's 25 items are set to make it
  const char* lecture;           // attended the lecture
  const char* confident_lecture; // "" when not attended (not asked)
  const char* practicum;
  const char* confident_practicum;
};

// 14 coordinators in 7 wards (SURVEYS.md): 9 briefed (5 mindful), 5 not (1 mindful).
const Coordinator kCoordinators[] = {
    {"271276", "3", "1", true, true, 92, "yes", "yes", "yes", "yes"},
    {"271276", "9", "1", true, false, 85, "yes", "yes", "yes", "yes"},
    {"271021", "12", "2", true, true, 80, "yes", "no", "yes", "yes"},
    {"271021", "3", "1", true, false, 78, "yes", "yes", "no", ""},
    {"271039", "9", "1", true, true, 76, "yes", "no", "yes", "no"},
    {"271039", "12", "2", true, false, 74, "yes", "yes", "yes", "yes"},
    {"271047", "3", "1", true, true, 70, "yes", "no", "yes", "no"},
    {"271047", "9", "2", true, false, 68, "no", "", "yes", "yes"},
    {"271284", "12", "1", true, true, 64, "yes", "yes", "no", ""},
    {"271284", "3", "1", false, true, 80, "yes", "no", "yes", "yes"},
    {"271063", "9", "2", false, false, 72, "yes", "yes", "no", ""},
    {"271063", "12", "1", false, false, 66, "yes", "no", "yes", "no"},
    {"271071", "3", "1", false, false, 62, "yes", "no", "no", ""},
    {"271071", "9", "2", false, false, 55, "no", "", "yes", "yes"},
};

// Item i's score: the total spread over 25 items of 1 to 4.
int ItemScore(int total, int item) { return total / 25 + (item < total % 25 ? 1 : 0); }

std::string FillCoordinator(const std::shared_ptr<const Form>& form, const Coordinator& c, int index) {
  auto started = Session::Start(form, nullptr, SessionOptions{"ja", "tablet-" + std::to_string(index % 3), "coord"});
  REQUIRE(started.ok());
  Session& s = **started;
  Answer(s, "ward", c.ward);
  Answer(s, "hire_month", std::string("2024-0") + std::to_string(1 + index % 9) + "-01");
  Answer(s, "year_in_post", c.year);
  Answer(s, "milestone", c.milestone);
  Answer(s, "briefing", c.briefing ? "yes" : "no");
  Answer(s, "checklist_mindset", c.mindful ? "mindful" : "not_mindful");
  NextPage(s);
  for (int i = 0; i < 25; ++i) {
    char row[8];
    std::snprintf(row, sizeof row, "c%02d", i + 1);
    Answer(s, row, std::to_string(ItemScore(c.total, i)));
  }
  NextPage(s);
  Answer(s, "lecture_attended", c.lecture);
  if (*c.confident_lecture) Answer(s, "confident_after_lecture", c.confident_lecture);
  Answer(s, "practicum_attended", c.practicum);
  if (*c.confident_practicum) Answer(s, "confident_after_practicum", c.confident_practicum);
  if (std::string(c.milestone) == "12") Answer(s, "reflection", "一年間の振り返り");
  return Finalize(s);
}

Dataset CoordinatorDataset() {
  Dataset dataset = MakeDataset(LoadExample("coordinator_checklist"));
  int index = 0;
  for (const Coordinator& c : kCoordinators) {
    dataset.bodies.push_back(FillCoordinator(dataset.layout.versions().front(), c, index++));
  }
  return dataset;
}

// The checklist totals of the coordinators `keep` selects, summed from the items as filled.
template <typename Keep>
std::vector<int> Totals(Keep keep) {
  std::vector<int> totals;
  for (const Coordinator& c : kCoordinators) {
    if (!keep(c)) continue;
    int total = 0;
    for (int i = 0; i < 25; ++i) total += ItemScore(c.total, i);
    totals.push_back(total);
  }
  return totals;
}

template <typename Keep>
long CountOf(Keep keep) {
  return static_cast<long>(std::count_if(std::begin(kCoordinators), std::end(kCoordinators), keep));
}

void CheckNumbers(const NumberSummary& summary, const Figures& expected) {
  CHECK(summary.n == expected.n);
  CHECK(summary.no_answer == 0);
  REQUIRE(summary.mean_tenths.has_value());
  REQUIRE(summary.sd_tenths.has_value());
  CHECK(FormatTenths(*summary.mean_tenths) == Tenths(expected.mean));
  CHECK(FormatTenths(*summary.sd_tenths) == Tenths(expected.sd));
  CHECK(summary.min == expected.min);
  CHECK(summary.max == expected.max);
}

TEST_CASE("survey 5 report: the bureau's figures for the 14 coordinators, by briefing") {
  const Dataset dataset = CoordinatorDataset();
  ReportOptions options;
  options.by = "briefing";
  options.crosses = {{"briefing", "checklist_mindset"}};
  const Report report = dataset.Build(options);
  CHECK(report.submissions == 14);
  CHECK(report.title == "新任コーディネーター チェックリスト・アンケート");
  CHECK(report.by_label == "事業説明（局担当者によるコーディネーター手引書を用いた説明）");
  CHECK(report.language == "ja");

  auto briefed = [](const Coordinator& c) { return c.briefing; };
  auto not_briefed = [](const Coordinator& c) { return !c.briefing; };

  SECTION("mean checklist total by briefing: 76.3 with, 67.0 without (SURVEYS.md)") {
    const ReportTable& total = TableNamed(report, "checklist_total");
    CHECK(total.kind == ReportTableKind::kNumbers);
    REQUIRE(total.columns.size() == 3);  // あり, なし, 合計: every coordinator answered the briefing
    const Figures with = Describe(Totals(briefed));
    const Figures without = Describe(Totals(not_briefed));
    const Figures everyone = Describe(Totals([](const Coordinator&) { return true; }));
    CHECK(Tenths(with.mean) == "76.3");  // the fixture is the document's
    CHECK(Tenths(without.mean) == "67.0");
    CHECK(ColumnCoded(total, "yes").label == "あり");
    CheckNumbers(ColumnCoded(total, "yes").numbers, with);
    CheckNumbers(ColumnCoded(total, "no").numbers, without);
    CHECK(total.columns.back().role == ReportColumn::Role::kTotal);
    CHECK(total.columns.back().label == "合計");
    CheckNumbers(total.columns.back().numbers, everyone);
    // Every coordinator answered 25 items: a mean of 25.0, no spread.
    const ReportTable& answered = TableNamed(report, "checklist_answered");
    CHECK(FormatTenths(*answered.columns.back().numbers.mean_tenths) == "25.0");
    CHECK(*answered.columns.back().numbers.sd_tenths == 0);
  }

  SECTION("a scored item's scores: mean and SD by briefing (できる=4 ... できない=1)") {
    for (int item : {0, 7, 24}) {
      char name[32];
      std::snprintf(name, sizeof name, "c%02d.score", item + 1);
      INFO(name);
      const ReportTable& scores = TableNamed(report, name);
      CHECK(scores.kind == ReportTableKind::kNumbers);
      CHECK(scores.title.size() > std::string("（得点）").size());
      CHECK(scores.title.compare(scores.title.size() - std::string("（得点）").size(), std::string::npos, "（得点）") == 0);
      auto item_scores = [&](bool briefing) {
        std::vector<int> values;
        for (const Coordinator& c : kCoordinators) {
          if (c.briefing == briefing) values.push_back(ItemScore(c.total, item));
        }
        return values;
      };
      CheckNumbers(ColumnCoded(scores, "yes").numbers, Describe(item_scores(true)));
      CheckNumbers(ColumnCoded(scores, "no").numbers, Describe(item_scores(false)));
    }
  }

  SECTION("checklist mindset by briefing and as a cross table: 5 / 4 / 9 and 1 / 4 / 5") {
    const ReportTable& mindset = TableNamed(report, "checklist_mindset");
    CHECK(mindset.kind == ReportTableKind::kChoices);
    REQUIRE(mindset.categories.size() == 2);
    CHECK(mindset.categories[0].code == "mindful");  // choice-list order
    CHECK(mindset.categories[0].label == "意識して活動している");
    const ChoiceCounts& yes = ColumnCoded(mindset, "yes").choices;
    const ChoiceCounts& no = ColumnCoded(mindset, "no").choices;
    const long mindful_briefed = CountOf([](const Coordinator& c) { return c.briefing && c.mindful; });
    const long mindful_not = CountOf([](const Coordinator& c) { return !c.briefing && c.mindful; });
    CHECK(yes.n == CountOf(briefed));
    CHECK(yes.counts == std::vector<int64_t>{mindful_briefed, CountOf(briefed) - mindful_briefed});
    CHECK(no.counts == std::vector<int64_t>{mindful_not, CountOf(not_briefed) - mindful_not});
    CHECK(yes.counts == std::vector<int64_t>{5, 4});
    CHECK(no.counts == std::vector<int64_t>{1, 4});
    CHECK(PercentText(yes.counts[0], yes.n) == ExpectedPercent(mindful_briefed, CountOf(briefed)));
    CHECK(PercentText(yes.counts[0], yes.n) == "55.6");

    const ReportTable& cross = TableNamed(report, "briefing-checklist_mindset");
    CHECK(cross.kind == ReportTableKind::kCross);
    REQUIRE(cross.columns.size() == 3);  // mindful, not mindful, total
    CHECK(cross.categories[CategoryIndex(cross, "yes")].label == "あり");
    const size_t yes_row = CategoryIndex(cross, "yes"), no_row = CategoryIndex(cross, "no");
    CHECK(ColumnCoded(cross, "mindful").choices.counts[yes_row] == 5);
    CHECK(ColumnCoded(cross, "not_mindful").choices.counts[yes_row] == 4);
    CHECK(cross.columns.back().choices.counts[yes_row] == 9);
    CHECK(ColumnCoded(cross, "mindful").choices.counts[no_row] == 1);
    CHECK(ColumnCoded(cross, "not_mindful").choices.counts[no_row] == 4);
    CHECK(cross.columns.back().choices.counts[no_row] == 5);
    CHECK(cross.columns.back().choices.n == 14);
  }

  SECTION("confidence after the lecture: 50 %, out of those who attended it") {
    const ReportTable& confident = TableNamed(report, "confident_after_lecture");
    const ChoiceCounts& all = confident.columns.back().choices;
    const long attended = CountOf([](const Coordinator& c) { return std::string(c.lecture) == "yes"; });
    const long sure = CountOf([](const Coordinator& c) { return std::string(c.confident_lecture) == "yes"; });
    CHECK(all.n == attended);  // not asked of the two who did not attend: not in n
    CHECK(all.n == 12);
    CHECK(all.no_answer == 0);
    CHECK(all.counts[CategoryIndex(confident, "yes")] == sure);
    CHECK(PercentText(sure, all.n) == ExpectedPercent(sure, attended));
    CHECK(PercentText(sure, all.n) == "50.0");
    // By briefing: the groups' n add up to the total's.
    CHECK(ColumnCoded(confident, "yes").choices.n + ColumnCoded(confident, "no").choices.n == all.n);
  }

  SECTION("which questions make tables: choices, matrix rows, numbers; not text, dates, or the grouping's groups") {
    std::vector<std::string> names;
    for (const ReportTable& table : report.tables) names.push_back(table.name);
    CHECK(std::find(names.begin(), names.end(), "hire_month") == names.end());
    CHECK(std::find(names.begin(), names.end(), "reflection") == names.end());
    CHECK(std::find(names.begin(), names.end(), "progress_issues") == names.end());
    CHECK(names.front() == "ward");
    CHECK(names.back() == "briefing-checklist_mindset");
    // ward, year_in_post, milestone, briefing, mindset, c01-c25 and their scores, the two totals,
    // four training questions, a cross.
    CHECK(names.size() == 5 + 25 * 2 + 2 + 4 + 1);
    CHECK(names[5] == "c01");
    CHECK(names[6] == "c01.score");
    const ReportTable& c01 = TableNamed(report, "c01");
    CHECK(c01.section == "チェックリスト");
    CHECK(c01.title == "在宅医療・介護連携推進事業の目的と概要を説明できる");
    CHECK(c01.categories.size() == 4);
    CHECK(c01.categories[0].label == "できる");
    // The grouping question's own table is not split by itself.
    CHECK(TableNamed(report, "briefing").columns.size() == 1);
    const ReportTable& ward = TableNamed(report, "ward");
    CHECK(ward.categories.size() == 24);
    CHECK(ward.categories.front().label == "北区");
    CHECK(ward.columns.back().choices.counts[0] == 2);
  }

  SECTION("the page: one chart per table, the figures, the Japanese headings") {
    const std::string html = RenderReportHtml(report);
    size_t charts = 0;
    for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++charts;
    CHECK(charts == report.tables.size());
    for (const char* figure : {"76.3", "67.0", "55.6", "50.0", "無回答", "合計", "平均", "標準偏差"}) {
      CHECK(html.find(figure) != std::string::npos);
    }
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));  // the SVG namespace only
    CHECK(html.find("https://") == std::string::npos);
  }
}

TEST_CASE("survey 5 report written to disk: report.html and a CSV per table, in Japanese and English") {
  const Dataset dataset = CoordinatorDataset();
  // The browser check (tests/browser) names where to write; otherwise a directory of our own.
  const char* named = std::getenv("CHOSA_REPORT_DIR");
  std::optional<testing::TempDir> temp;
  std::string root;
  if (named != nullptr && *named != '\0') {
    root = named;
  } else {
    root = temp.emplace("chosa-report-test").path();
  }
  for (size_t language : {0, 1}) {
    ReportOptions options;
    options.by = "briefing";
    options.language = language;
    options.crosses = {{"briefing", "checklist_mindset"}};
    const Report report = dataset.Build(options);
    const std::filesystem::path dir = std::filesystem::path(root) / (language == 0 ? "ja" : "en");
    Status written = WriteReport(report, dir.string());
    INFO(written.ToString());
    REQUIRE(written.ok());
    const std::string html = ReadFile(dir / "report.html");
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    for (const ReportTable& table : report.tables) {
      const std::string csv = ReadFile(dir / (table.name + ".csv"));
      INFO(table.name);
      CHECK(csv.rfind("\xEF\xBB\xBF", 0) == 0);
    }
    const std::string mindset = ReadFile(dir / "checklist_mindset.csv");
    const std::string cross = ReadFile(dir / "briefing-checklist_mindset.csv");
    const std::string total = ReadFile(dir / "checklist_total.csv");
    if (language == 0) {
      CHECK(html.find("<html lang=\"ja\">") != std::string::npos);
      CHECK(mindset.find("\xEF\xBB\xBF選択肢,コード,あり 件数,あり %,なし 件数,なし %,合計 件数,合計 %\r\n") == 0);
      CHECK(mindset.find("\r\n意識して活動している,mindful,5,55.6,1,20.0,6,42.9\r\n") != std::string::npos);
      CHECK(mindset.find("\r\n無回答,,0,0.0,0,0.0,0,0.0\r\nn,,9,,5,,14,\r\n") != std::string::npos);
      CHECK(cross.find("\r\nあり,yes,5,55.6,4,44.4,9\r\nなし,no,1,20.0,4,80.0,5\r\n合計,,6,42.9,8,57.1,14\r\n") !=
            std::string::npos);
      CHECK(total.find("\r\nあり,yes,9,0,76.3,") != std::string::npos);
      CHECK(total.find("\r\nなし,no,5,0,67.0,") != std::string::npos);
    } else {
      CHECK(html.find("<html lang=\"en\">") != std::string::npos);
      CHECK(html.find("Self-assessment checklist for newly hired coordinators") != std::string::npos);
      CHECK(mindset.find("\r\nI work with the checklist in mind,mindful,5,55.6,1,20.0,6,42.9\r\n") != std::string::npos);
      CHECK(mindset.find("\r\nNo answer,,0,0.0,0,0.0,0,0.0\r\n") != std::string::npos);
      CHECK(total.find("\"Programme briefing (by Health Bureau staff, with the coordinator handbook)\",Code,n,No answer,Mean,SD,Min,Max\r\n") !=
            std::string::npos);
      for (const char* heading : {"No answer", "Total", "Mean", "SD"}) CHECK(html.find(heading) != std::string::npos);
    }
  }
}

TEST_CASE("a report refuses options it cannot honour, and rows of another form") {
  const Dataset dataset = CoordinatorDataset();
  auto refusal = [&](ReportOptions options) {
    Result<ReportBuilder> builder = ReportBuilder::Create(dataset.layout, std::move(options));
    REQUIRE_FALSE(builder.ok());
    CHECK(builder.status().code() == StatusCode::kInvalidArgument);
    return builder.status().message();
  };
  ReportOptions unknown;
  unknown.by = "brefing";
  CHECK(refusal(unknown) == "the grouping question \"brefing\": form coordinator_checklist has no such question");
  ReportOptions numeric;
  numeric.by = "checklist_total";
  CHECK(refusal(numeric) == "the grouping question \"checklist_total\" is a calculate question: it must be a select_one");
  ReportOptions language;
  language.language = 2;
  CHECK(refusal(language) == "language 2 is not one of form coordinator_checklist's languages (ja, en)");
  ReportOptions cross;
  cross.crosses = {{"briefing", "reflection"}};
  CHECK(refusal(cross) == "the cross table's column question \"reflection\" is a text question: it must be a select_one");

  Result<ReportBuilder> builder = ReportBuilder::Create(dataset.layout, ReportOptions{});
  REQUIRE(builder.ok());
  SubmissionRows narrow;
  narrow.main.resize(3);
  CHECK(builder->Add(narrow).code() == StatusCode::kInvalidArgument);
  CHECK(builder->Finish().submissions == 0);
}

// --- survey 1: the medical facility survey -----------------------------------------------------

struct Facility {
  const char* type;
  const char* needs_desk;
  const char* needs;  // the select_multiple's values
  int home_visits;    // pharmacies only
};

const Facility kFacilities[] = {
    {"hospital", "yes", "face_to_face consultation_desk", 0},
    {"hospital", "no", "info_sharing", 0},
    {"hospital", "yes", "consultation_desk resource_info discharge_rules", 0},
    {"home_care_clinic", "no", "face_to_face", 0},
    {"home_care_clinic", "yes", "consultation_desk", 0},
    {"home_visit_pharmacy", "yes", "info_sharing consultation_desk", 12},
    {"home_visit_pharmacy", "no", "face_to_face", 30},
    {"care_manager_office", "yes", "consultation_desk other", 0},
    {"care_manager_office", "yes", "acp_awareness", 0},
    {"care_manager_office", "no", "face_to_face", 0},
};

std::string FillFacility(const std::shared_ptr<const Form>& form, const Facility& f) {
  auto started = Session::Start(form, nullptr, SessionOptions{"ja", "tablet-1", ""});
  REQUIRE(started.ok());
  Session& s = **started;
  const std::string type = f.type;
  Answer(s, "facility_type", type);
  Answer(s, "ward", "271276");
  if (type == "hospital") {
    Answer(s, "hospital_liaison_dept", "yes");
    Answer(s, "discharge_conference", "sometimes");
  }
  if (type == "home_visit_pharmacy") {
    Answer(s, "pharmacy_home_visits", std::to_string(f.home_visits));
    Answer(s, "pharmacy_prescriber_contact", "rarely");
  }
  if (type == "care_manager_office") Answer(s, "cm_doctor_contact", "often");
  NextPage(s);
  for (const char* row : {"collab_hospital", "collab_clinic", "collab_dental", "collab_pharmacy", "collab_nursing",
                          "collab_care_manager", "collab_community_center", "collab_care_service", "collab_ward_office"}) {
    Answer(s, row, "3");
  }
  NextPage(s);
  Answer(s, "knows_support_office", "no");
  Answer(s, "needs_consultation_desk", f.needs_desk);
  NextPage(s);
  Answer(s, "needs", f.needs);
  if (std::string(f.needs).find("other") != std::string::npos) Answer(s, "needs_other", "夜間の連絡先");
  return Finalize(s);
}

TEST_CASE("survey 1 report: 'needs a consultation desk' and what is needed, by facility type") {
  Dataset dataset = MakeDataset(LoadExample("medical_facility_survey"));
  for (const Facility& f : kFacilities) dataset.bodies.push_back(FillFacility(dataset.layout.versions().front(), f));
  ReportOptions options;
  options.by = "facility_type";
  const Report report = dataset.Build(options);

  const ReportTable& desk = TableNamed(report, "needs_consultation_desk");
  // Six facility types (two without submissions) and the total.
  REQUIRE(desk.columns.size() == 7);
  CHECK(desk.columns[0].label == "病院");
  const size_t yes = CategoryIndex(desk, "yes");
  for (const char* type : {"hospital", "home_care_clinic", "home_care_dental_clinic", "home_visit_pharmacy",
                           "home_visit_nursing", "care_manager_office"}) {
    long n = 0, needing = 0;
    for (const Facility& f : kFacilities) {
      if (std::string(f.type) != type) continue;
      ++n;
      needing += std::string(f.needs_desk) == "yes";
    }
    const ChoiceCounts& counts = ColumnCoded(desk, type).choices;
    INFO(type);
    CHECK(counts.n == n);
    CHECK(counts.counts[yes] == needing);
    CHECK(PercentText(counts.counts[yes], counts.n) == (n > 0 ? ExpectedPercent(needing, n) : "—"));
  }
  CHECK(PercentText(ColumnCoded(desk, "hospital").choices.counts[yes], 3) == "66.7");
  CHECK(PercentText(desk.columns.back().choices.counts[yes], desk.columns.back().choices.n) == "60.0");

  // What is needed (multiple choice): each choice out of n; the hospitals' shares pass 100 %.
  const ReportTable& needs = TableNamed(report, "needs");
  CHECK(needs.kind == ReportTableKind::kMultipleChoices);
  CHECK(needs.categories.size() == 9);
  const ChoiceCounts& hospitals = ColumnCoded(needs, "hospital").choices;
  CHECK(hospitals.n == 3);
  int64_t ticked_percent = 0;
  for (size_t k = 0; k < needs.categories.size(); ++k) {
    long expected = 0;
    for (const Facility& f : kFacilities) {
      if (std::string(f.type) != "hospital") continue;
      std::istringstream values(f.needs);
      for (std::string value; values >> value;) expected += value == needs.categories[k].code;
    }
    CHECK(hospitals.counts[k] == expected);
    ticked_percent += PercentTenths(hospitals.counts[k], hospitals.n);
  }
  CHECK(ticked_percent > 1000);
  CHECK(PercentText(hospitals.counts[CategoryIndex(needs, "consultation_desk")], hospitals.n) == "66.7");

  // Home visits: asked of pharmacies only, so n is theirs.
  const ReportTable& visits = TableNamed(report, "pharmacy_home_visits");
  const NumberSummary& all = visits.columns.back().numbers;
  CHECK(all.n == 2);
  CHECK(FormatTenths(*all.mean_tenths) == Tenths(Describe({12, 30}).mean));
  CHECK(FormatTenths(*all.sd_tenths) == Tenths(Describe({12, 30}).sd));
  CHECK(ColumnCoded(visits, "hospital").numbers.n == 0);
  CHECK_FALSE(ColumnCoded(visits, "hospital").numbers.mean_tenths.has_value());
  // used_support_office was never asked (no one knew the office): n is 0, no percentages.
  CHECK(TableNamed(report, "used_support_office").columns.back().choices.n == 0);
  const std::string html = RenderReportHtml(report);
  CHECK(html.find("66.7") != std::string::npos);

  // For the browser check (tests/browser): the English page, whose long labels wrap in the charts.
  const char* named = std::getenv("CHOSA_REPORT_DIR");
  if (named != nullptr && *named != '\0') {
    options.language = 1;
    Status written = WriteReport(dataset.Build(options), (std::filesystem::path(named) / "facilities").string());
    INFO(written.ToString());
    REQUIRE(written.ok());
  }
}

// --- rounding and relevance at their edges -----------------------------------------------------

TEST_CASE("percentages and tenths round half up from integers") {
  CHECK(PercentTenths(5, 9) == 556);
  CHECK(PercentTenths(1, 8) == 125);
  CHECK(PercentTenths(1, 16) == 63);    // 6.25
  CHECK(PercentTenths(3, 16) == 188);   // 18.75
  CHECK(PercentTenths(1, 2000) == 1);   // 0.05
  CHECK(PercentTenths(1, 2001) == 0);   // 0.049975
  CHECK(PercentTenths(2, 3) == 667);
  CHECK(PercentTenths(1, 3) == 333);
  CHECK(PercentTenths(0, 7) == 0);
  CHECK(PercentTenths(7, 7) == 1000);
  CHECK(FormatTenths(556) == "55.6");
  CHECK(FormatTenths(0) == "0.0");
  CHECK(FormatTenths(1000) == "100.0");
  CHECK(FormatTenths(-3) == "-0.3");
  CHECK(FormatTenths(-10) == "-1.0");
  CHECK(PercentText(1, 0) == "—");

  auto summary = [](std::initializer_list<const char*> values) {
    NumberAccumulator numbers;
    for (const char* value : values) numbers.Add(value, std::strtod(value, nullptr));
    NumberSummary out;
    numbers.Summarize(&out);
    return out;
  };
  // 0.15 is 0.1499999999999999944 as a double: exact sums round it up.
  CHECK(FormatTenths(*summary({"0.15"}).mean_tenths) == "0.2");
  CHECK(FormatTenths(*summary({"-0.25"}).mean_tenths) == "-0.3");  // half away from zero
  CHECK(FormatTenths(*summary({"1", "1", "2"}).mean_tenths) == "1.3");
  CHECK(FormatTenths(*summary({"1", "2", "2"}).mean_tenths) == "1.7");
  // SD of 0, 0.65, 1.3 is exactly 0.65: rounds to 0.7.
  const NumberSummary tie = summary({"0", "0.65", "1.3"});
  CHECK(FormatTenths(*tie.mean_tenths) == "0.7");
  CHECK(FormatTenths(*tie.sd_tenths) == "0.7");
  CHECK(tie.min == "0");
  CHECK(tie.max == "1.3");
  CHECK(FormatTenths(*summary({"1", "2"}).sd_tenths) == "0.7");  // 0.7071
  CHECK_FALSE(summary({"5"}).sd_tenths.has_value());              // one value: no sample SD
  CHECK_FALSE(summary({}).mean_tenths.has_value());
  // Outside the exact range (an exponent, 5 decimals): still the right figures.
  CHECK(FormatTenths(*summary({"1e3", "2e3"}).mean_tenths) == "1500.0");
  CHECK(FormatTenths(*summary({"0.00001", "20000000"}).mean_tenths) == "10000000.0");
}

const char* const kEdgeForm = R"J({"format": 1, "id": "edge", "version": "1",
  "title": {"ja": "境界 <検査>", "en": "Edges <&>"}, "languages": ["ja", "en"],
  "choice_lists": {
    "yn": [{"value": "yes", "label": {"ja": "はい", "en": "Yes"}}, {"value": "no", "label": {"ja": "いいえ", "en": "No"}}],
    "abc": [{"value": "a", "label": "<b>\"A&B\"</b>"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]},
  "items": [
    {"type": "select_one", "name": "show", "label": "Show", "list": "yn", "required": true},
    {"type": "select_one", "name": "q", "label": "Q", "list": "abc", "relevant": "${show} = 'yes'"},
    {"type": "select_multiple", "name": "m", "label": "M", "list": "abc", "relevant": "${show} = 'yes'"},
    {"type": "decimal", "name": "x", "label": "X"}]})J";

TEST_CASE("unanswered, not relevant, and multiple answers: n, the no-answer row, shares past 100 %") {
  Dataset dataset = MakeDataset(LoadText(kEdgeForm));
  // 18 submissions: 2 not asked q and m; of the 16 asked, q: a 1, b 3, unanswered 12;
  // m: a 2, b 9, c 8, unanswered 1; x: 0, 0.65 and 1.3, 15 unanswered.
  struct Edge {
    const char* show;
    const char* q;
    const char* m;
    const char* x;
  };
  std::vector<Edge> edges = {{"no", "", "", ""}, {"no", "", "", ""}};
  std::vector<std::string> lists(16);
  for (size_t i = 0; i < 16; ++i) {
    static const char* const kQ[] = {"a", "b", "b", "b"};
    if (i < 15) {
      if (i < 2) lists[i] += "a ";
      if (i < 9) lists[i] += "b ";
      if (i >= 7) lists[i] += "c";
    }
    static const char* const kX[] = {"0", "0.65", "1.3"};
    edges.push_back({"yes", i < 4 ? kQ[i] : "", lists[i].c_str(), i < 3 ? kX[i] : ""});
  }
  for (const Edge& edge : edges) {
    auto started = Session::Start(dataset.layout.versions().front(), nullptr, SessionOptions{"ja", "tablet-1", ""});
    REQUIRE(started.ok());
    Session& s = **started;
    Answer(s, "show", edge.show);
    if (*edge.q) Answer(s, "q", edge.q);
    if (*edge.m) Answer(s, "m", edge.m);
    if (*edge.x) Answer(s, "x", edge.x);
    dataset.bodies.push_back(Finalize(s));
  }
  const Report report = dataset.Build(ReportOptions{});
  const ChoiceCounts& q = TableNamed(report, "q").columns.back().choices;
  CHECK(q.n == 16);
  CHECK(q.counts == std::vector<int64_t>{1, 3, 0});
  CHECK(q.no_answer == 12);
  CHECK(PercentText(q.counts[0], q.n) == "6.3");
  CHECK(PercentText(q.counts[1], q.n) == "18.8");
  CHECK(PercentText(q.no_answer, q.n) == "75.0");

  const ChoiceCounts& m = TableNamed(report, "m").columns.back().choices;
  CHECK(m.n == 16);
  CHECK(m.counts == std::vector<int64_t>{2, 9, 8});
  CHECK(m.no_answer == 1);
  CHECK(PercentText(m.counts[0], m.n) == "12.5");
  CHECK(PercentText(m.counts[1], m.n) == "56.3");

  const NumberSummary& x = TableNamed(report, "x").columns.back().numbers;
  CHECK(x.n == 18);
  CHECK(x.no_answer == 15);
  CHECK(FormatTenths(*x.mean_tenths) == "0.7");
  CHECK(FormatTenths(*x.sd_tenths) == "0.7");

  // Labels are data: escaped in the page and its charts, never markup.
  const std::string html = RenderReportHtml(report);
  CHECK(html.find("&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("<b>\"A&B") == std::string::npos);
  CHECK(html.find("<h1>境界 &lt;検査&gt;</h1>") != std::string::npos);
  CHECK(html.find("<tr class=\"no-answer\"><th>無回答</th><td>12</td><td>75.0</td></tr>") != std::string::npos);
  ReportOptions english;
  english.language = 1;
  const std::string english_html = RenderReportHtml(dataset.Build(english));
  CHECK(english_html.find("<h1>Edges &lt;&amp;&gt;</h1>") != std::string::npos);
  CHECK(english_html.find("<th>No answer</th><td>12</td><td>75.0</td>") != std::string::npos);
}

}  // namespace
}  // namespace chosa::analysis
