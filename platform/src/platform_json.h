// What the C API and the action messages return as JSON, built one way for both: a form's
// description, the installed forms, instance listings, an installed version, a sync's report;
// and an answer given as a JSON value turned into the text a Draft takes.
#ifndef CHOSA_PLATFORM_PLATFORM_JSON_H_
#define CHOSA_PLATFORM_PLATFORM_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/form.h"
#include "chosa/session.h"
#include "chosa/store.h"
#include "chosa/sync_client.h"

namespace chosa::capi {

// {"form_id", "version", "title", "language", "languages", "pages"}: the title in `language`
// ("" or unknown: the form's default language).
nlohmann::ordered_json FormInfo(const Form& form, std::string_view language);
// One FormInfo per installed form id, its newest version, by form id.
Result<nlohmann::ordered_json> InstalledForms(const DeviceStore& store, std::string_view language);
nlohmann::ordered_json InstalledInfo(const InstalledForm& installed);
nlohmann::ordered_json InstanceInfo(const InstanceSummary& instance);
// The instances in the state named `state` ("draft", "finalized", "sent", "rejected").
Result<nlohmann::ordered_json> Instances(const DeviceStore& store, std::string_view state);
nlohmann::ordered_json SyncReportInfo(const sync::SyncReport& report);

// The text SetAnswer takes for `value` at `path`: a number for integer and decimal, an array of
// choice values for select_multiple and rank, a string for the other questions, null to clear;
// anything else is a type error (kInvalidArgument, in the session's language where it has one).
Result<std::string> AnswerTextFromJson(const Session& session, std::string_view path, const nlohmann::json& value);

}  // namespace chosa::capi

#endif  // CHOSA_PLATFORM_PLATFORM_JSON_H_
