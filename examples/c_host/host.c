/*
 * host.c: a C host of chosa, through chosa.h only (plain C99). It does what a tablet app does,
 * in one run and without a screen:
 *
 *   opens a device store, installs a survey, lists the forms, starts a draft, answers every
 *   required question page by page (some as typed text, some as JSON values), adds a repeat
 *   instance, prints the review, finalizes, enrols with a collector's one-time code and syncs
 *   the outbox, printing the progress and the report.
 *
 *   usage: c_host STORE FORM.json COLLECTOR_URL CA.pem ENROLMENT_CODE
 *
 * The answers are those of schemas/examples/workshop_attendee_survey.json (the full submission of
 * its scenarios). Every failure ends the run with exit status 1 and chosa's message; the last
 * lines on success are "finalized: UUID" ... "sync: complete".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chosa/chosa.h"

#define FORM_ID "workshop_attendee_survey"

/* One error record for the whole run: a failing call releases what it held before. */
static chosa_error error = CHOSA_ERROR_INIT;

/* Prints what failed and why; returns 1 (the exit status). */
static int report_failure(const char* what, chosa_code code) {
  fprintf(stderr, "c_host: %s failed: %s (%s)", what, error.message != NULL ? error.message : "",
          chosa_code_name(code));
  if (error.path != NULL && error.path[0] != '\0') fprintf(stderr, " at %s", error.path);
  if (error.pointer != NULL && error.pointer[0] != '\0') fprintf(stderr, " at %s", error.pointer);
  fputc('\n', stderr);
  return 1;
}

/* Stops the run on a failed call: `call` is evaluated once. */
#define CHECK(what, call)                                   \
  do {                                                      \
    chosa_code check_code_ = (call);                        \
    if (check_code_ != CHOSA_OK) {                          \
      status = report_failure((what), check_code_);         \
      goto done;                                            \
    }                                                       \
  } while (0)

/* Prints a buffer chosa returned, with a heading, and releases it. */
static void print_and_free(const char* heading, char* buffer) {
  printf("%s: %s\n", heading, buffer != NULL ? buffer : "");
  chosa_free(buffer);
}

/*
 * The string value of "key" in a JSON object chosa wrote (compact, keys unique per level as in
 * docs/view-model.md), copied into `out`: enough for this example's "page_name". An app reads
 * chosa's JSON with its JSON library instead.
 */
static void json_string_field(const char* json, const char* key, char* out, size_t out_size) {
  char pattern[64];
  const char* start;
  size_t n = 0;
  out[0] = '\0';
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  start = strstr(json, pattern);
  if (start == NULL) return;
  start += strlen(pattern);
  while (start[n] != '\0' && start[n] != '"' && n + 1 < out_size) {
    out[n] = start[n];
    ++n;
  }
  out[n] = '\0';
}

/* An answer to give on a page: as text typed by a person, or as a JSON value. */
typedef struct answer {
  const char* page;
  const char* path;
  const char* value;
  int is_json;
} answer;

static const answer answers[] = {
    {"p_event", "event_type", "workshop", 0},
    {"p_event", "event_date", "2024-09-12", 0},
    {"p_event", "block", "\"east\"", 1},
    {"p_event", "ward", "271098", 0},
    {"p_event", "profession", "\"pharmacist\"", 1},
    {"p_questions", "feels_collaborating", "yes", 0},
    {"p_questions", "knew_support_office", "\"no\"", 1},
    {"p_questions", "wish_collaborate", "want", 0},
    {"p_questions", "acp_awareness", "name_only", 0},
    {"p_questions", "useful", "\"4\"", 1},
    {"p_questions", "comments", "\"Group work helped \\u2014 \\u30b0\\u30eb\\u30fc\\u30d7\\u30ef\\u30fc\\u30af\"", 1},
    {"p_signin", "attendees[1]/attendee_name", "田中 美咲", 0},
    {"p_signin", "attendees[1]/attendee_profession", "nurse", 0},
    /* attendees[2] exists once chosa_draft_add_instance added it (below). */
    {"p_signin+1", "attendees[2]/attendee_name", "\"高橋 健\"", 1},
    {"p_signin+1", "attendees[2]/attendee_profession", "pharmacist", 0},
    {"p_signin+1", "attendees[2]/attendee_organisation", "天王寺区薬局", 0},
};

/* Gives the answers listed for `page`. */
static chosa_code answer_page(chosa_draft* draft, const char* page) {
  size_t i;
  for (i = 0; i < sizeof answers / sizeof answers[0]; ++i) {
    const answer* a = &answers[i];
    chosa_code code;
    if (strcmp(a->page, page) != 0) continue;
    code = a->is_json ? chosa_draft_set_answer_json(draft, a->path, a->value, &error)
                      : chosa_draft_set_answer(draft, a->path, a->value, &error);
    if (code != CHOSA_OK) return code;
    printf("  %s = %s%s\n", a->path, a->value, a->is_json ? " (JSON)" : "");
  }
  return CHOSA_OK;
}

static const char* phase_name(int32_t phase) {
  switch (phase) {
    case CHOSA_SYNC_FORMS: return "forms";
    case CHOSA_SYNC_PUSH: return "push";
    case CHOSA_SYNC_WAITING: return "waiting";
    default: return "?";
  }
}

/* chosa_sync_run's progress callback, on the thread running the sync. */
static void on_progress(void* user_data, const chosa_sync_progress* p) {
  int* calls = (int*)user_data;
  ++*calls;
  if (p->phase == CHOSA_SYNC_WAITING) {
    printf("sync progress: waiting %lld ms (%s)\n", (long long)p->wait_ms, p->why);
  } else {
    printf("sync progress: %s %llu/%llu, %llu bytes sent\n", phase_name(p->phase), (unsigned long long)p->done,
           (unsigned long long)p->total, (unsigned long long)p->bytes_sent);
  }
}

int main(int argc, char** argv) {
  const char *store_path, *form_path, *collector_url, *ca_file, *code;
  chosa_store_options options;
  chosa_store* store = NULL;
  chosa_draft* draft = NULL;
  chosa_sync* sync = NULL;
  char* text = NULL;
  char* uuid = NULL;
  char page[64];
  int status = 0;
  int progress_calls = 0;
  chosa_code blocked;

  if (argc != 6) {
    fprintf(stderr, "usage: %s STORE FORM.json COLLECTOR_URL CA.pem ENROLMENT_CODE\n", argv[0]);
    return 2;
  }
  store_path = argv[1];
  form_path = argv[2];
  collector_url = argv[3];
  ca_file = argv[4];
  code = argv[5];

  /* The header this host was built with and the library it runs with. */
  printf("chosa %s (built with chosa.h %s)\n", chosa_version(), CHOSA_VERSION_STRING);
  if (chosa_version_number() / 1000 != CHOSA_VERSION_NUMBER / 1000) {
    fprintf(stderr, "c_host: libchosa %s is not the minor version of chosa.h %s\n", chosa_version(),
            CHOSA_VERSION_STRING);
    return 1;
  }

  /* The device store: one SQLite file, created when missing, with a random device identity
   * ("tablet-…"; options.device_id may name one). Every platform hook is the POSIX default
   * (options.platform NULL): the system clock, libcurl, the credentials in a 0600 file beside
   * the store. */
  memset(&options, 0, sizeof options);
  options.struct_size = sizeof options;
  options.device_id = NULL;
  CHECK("chosa_store_open", chosa_store_open(store_path, &options, &store, &error));
  CHECK("chosa_store_device_id", chosa_store_device_id(store, &text, &error));
  print_and_free("device", text);
  text = NULL;

  /* The survey, from its file (its $refs to ../codelists/ are read beside it). */
  CHECK("chosa_store_install_form_file", chosa_store_install_form_file(store, form_path, &text, &error));
  print_and_free("installed", text);
  text = NULL;
  CHECK("chosa_store_list_forms", chosa_store_list_forms(store, "en", &text, &error));
  print_and_free("forms", text);
  text = NULL;

  /* A draft in English, filled by enumerator "staff-c". */
  CHECK("chosa_draft_start", chosa_draft_start(store, FORM_ID, "staff-c", "en", &draft, &error));
  printf("draft %lld started\n", (long long)chosa_draft_id(draft));

  /* Next on an empty first page is refused, with the first missing answer's path. */
  blocked = chosa_draft_next(draft, &error);
  if (blocked != CHOSA_INVALID_ARGUMENT) {
    fprintf(stderr, "c_host: next on an empty page returned %s, not invalid_argument\n", chosa_code_name(blocked));
    status = 1;
    goto done;
  }
  printf("next refused as expected: %s: %s\n", error.path, error.message);

  /* Page by page: answer what the page asks, then next, until the last page. */
  for (;;) {
    CHECK("chosa_draft_view_json", chosa_draft_view_json(draft, &text, NULL, &error));
    json_string_field(text, "page_name", page, sizeof page);
    printf("page %s\n", page);
    {
      const int is_last = strstr(text, "\"is_last\":true") != NULL;
      chosa_free(text);
      text = NULL;
      CHECK("answering the page", answer_page(draft, page));
      if (strcmp(page, "p_signin") == 0) {
        int32_t position = 0;
        CHECK("chosa_draft_add_instance", chosa_draft_add_instance(draft, "attendees", &position, &error));
        printf("  attendees: instance %d added\n", (int)position);
        CHECK("answering the new instance", answer_page(draft, "p_signin+1"));
      }
      if (is_last) break;
    }
    CHECK("chosa_draft_next", chosa_draft_next(draft, &error));
  }

  /* Every answer, as a person reads it, before finalizing. */
  CHECK("chosa_draft_review_json", chosa_draft_review_json(draft, &text, NULL, &error));
  if (strstr(text, "\"can_finalize\":true") == NULL) {
    fprintf(stderr, "c_host: the review says the draft cannot be finalized: %s\n", text);
    status = 1;
    goto done;
  }
  print_and_free("review", text);
  text = NULL;

  /* Into the outbox; the draft handle's calls return CHOSA_MISUSE from now on. */
  CHECK("chosa_draft_finalize", chosa_draft_finalize(draft, &uuid, &error));
  printf("finalized: %s\n", uuid);
  chosa_draft_close(draft);
  draft = NULL;
  CHECK("chosa_store_list_instances", chosa_store_list_instances(store, "finalized", &text, &error));
  print_and_free("outbox", text);
  text = NULL;

  /* Enrol with the one-time code (trusting the collector's CA), then sync: forms, then the outbox. */
  CHECK("chosa_sync_open", chosa_sync_open(store, &sync, &error));
  if (!chosa_sync_is_enrolled(sync)) {
    CHECK("chosa_sync_enroll", chosa_sync_enroll(sync, collector_url, ca_file, code, "c host example", &error));
    printf("enrolled with %s\n", collector_url);
  }
  CHECK("chosa_sync_run", chosa_sync_run(sync, on_progress, &progress_calls, NULL, &text, &error));
  print_and_free("sync report", text);
  text = NULL;
  if (progress_calls == 0) {
    fprintf(stderr, "c_host: the sync never called its progress callback\n");
    status = 1;
    goto done;
  }
  CHECK("chosa_store_list_instances", chosa_store_list_instances(store, "sent", &text, &error));
  if (strstr(text, uuid) == NULL) {
    fprintf(stderr, "c_host: %s is not among the sent submissions: %s\n", uuid, text);
    status = 1;
    goto done;
  }
  printf("sync: complete, %s sent\n", uuid);

done:
  chosa_free(text);
  chosa_free(uuid);
  chosa_sync_close(sync);
  chosa_draft_close(draft);
  chosa_store_close(store);
  chosa_error_clear(&error);
  return status;
}
