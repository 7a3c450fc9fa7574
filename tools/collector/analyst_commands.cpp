// chosa-collector analyst-token, analyst-tokens, revoke-analyst: the tokens that analysts export
// with (commands.h, admin_common.h).
#include <cstdio>
#include <string>
#include <vector>

#include "admin_common.h"
#include "chosa/collector_storage.h"
#include "cli_values.h"
#include "chosa/collector/admin.h"
#include "display_text.h"
#include "text_table.h"

namespace chosa::collector_tool {
namespace {

const AdminSpec& AnalystTokenSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "analyst-token", "NAME",
        "Makes a token for an analyst (exports) named NAME. The token goes alone on standard output;\n"
        "the collector keeps only its hash.\n",
        1, 1, {}, {});
  return spec;
}

int AnalystToken(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string& name = parsed.positionals[0];
  auto storage = OpenStorage(spec, DataDir(parsed), true);
  if (!storage) return 1;
  Result<std::string> token = collector::CreateAnalystToken(*storage, name);
  if (!token.ok()) return Fail(spec, token.status().message());
  std::printf("%s\n", token->c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "Analyst token for %s (send it as \"Authorization: Bearer TOKEN\").\n"
               "Shown once: the collector keeps only its hash.\n",
               name.c_str());
  return 0;
}

const AdminSpec& AnalystTokensSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "analyst-tokens", "", "Lists the analyst tokens: name, when made, revoked or not.\n", 0, 0, {}, {});
  return spec;
}

int AnalystTokens(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Result<std::vector<collector::AnalystToken>> listed = storage->ListAnalystTokens();
  if (!listed.ok()) return Fail(spec, listed.status().ToString());
  if (listed->empty()) {
    std::printf("No analyst tokens yet: chosa-collector analyst-token NAME makes one.\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"NAME", "CREATED", "STATUS"}};
  for (const collector::AnalystToken& token : *listed) {
    rows.push_back({tools::Printable(token.name), tools::LocalTime(token.created_at), token.revoked ? "revoked" : "active"});
  }
  tools::PrintTable(stdout, rows, 0);
  return 0;
}

const AdminSpec& RevokeAnalystSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "revoke-analyst", "NAME", "Revokes an analyst token: it is refused from now on (401).\n", 1, 1, {}, {});
  return spec;
}

int RevokeAnalyst(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string& name = parsed.positionals[0];
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Status status = storage->RevokeAnalystToken(name);
  if (!status.ok()) return Fail(spec, status.message());
  std::printf("Revoked the analyst token %s: it is refused from now on (401).\n", name.c_str());
  return 0;
}


}  // namespace

int AnalystTokenCommand(const Args& args) { return RunAdmin(AnalystTokenSpec(), args, AnalystToken); }
int AnalystTokensCommand(const Args& args) { return RunAdmin(AnalystTokensSpec(), args, AnalystTokens); }
int RevokeAnalystCommand(const Args& args) { return RunAdmin(RevokeAnalystSpec(), args, RevokeAnalyst); }

}  // namespace chosa::collector_tool
