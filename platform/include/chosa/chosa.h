/*
 * chosa.h: the C API of chosa, for apps that embed the engine (Android through JNI, iOS through a
 * module map, any C host). Plain C99 and a stable ABI, in the manner of sqlite3.h:
 *
 * - Opaque handles, made and released by paired calls: chosa_store (a device store: one SQLite
 *   file), chosa_form (a form read and checked), chosa_draft (one filling, saved as it goes),
 *   chosa_sync (the sync with a collector) and chosa_actions (a message channel for a renderer
 *   in a web view).
 * - Every fallible call returns a chosa_code (CHOSA_OK = 0) and, when `error` is not NULL, fills
 *   the caller's chosa_error record on failure (code, message, and where the fault is: an
 *   answer's path, a JSON Pointer into a form or a message, a column inside an expression).
 * - No C++ exception ever crosses this boundary; a call that meets one returns CHOSA_INTERNAL.
 * - Every string in and out is UTF-8. Strings passed in are borrowed for the call only.
 * - Every buffer returned through a `char** out` parameter belongs to the caller, is
 *   NUL-terminated, and is released with chosa_free(). Strings inside a struct given to a
 *   callback are valid during that call only.
 * - Callbacks take a `user_data` pointer and, where chosa keeps it beyond the call that takes it,
 *   a `free_user_data` function that chosa calls exactly once when it no longer needs it.
 * - Handles are checked: a NULL handle, one already released (while its memory has not been
 *   reused by another handle) or a draft whose store was closed returns CHOSA_MISUSE; nothing
 *   crashes on such a call.
 *
 * Threads (docs/c-api.md "Threads"):
 * - chosa_store: any thread, concurrently (listings, installs, starting drafts, a sync).
 * - chosa_draft, chosa_actions: one thread at a time each (calls from two threads are
 *   serialised, not interleaved); distinct drafts may be used from distinct threads.
 * - chosa_sync: chosa_sync_run, chosa_sync_enroll and chosa_sync_is_enrolled one at a time
 *   (each waits for a run in progress); chosa_sync_cancel from any thread.
 * - chosa_form: read-only, any thread.
 * - A release call (chosa_draft_close, chosa_sync_close, ...) must not overlap another call on
 *   the same handle, as with free(). chosa_store_close may: a call on the store from another
 *   thread either ran first (the close waits for it) or is refused with CHOSA_MISUSE. Calls on a
 *   store's drafts, syncs and channels may still be running when the store closes:
 *   chosa_store_close cancels syncs and waits for them.
 * - Callbacks run on the thread of the call that triggers them (a sync's progress: the thread
 *   running chosa_sync_run) and must not release the handle they are called for.
 *
 * Lifetimes: a draft, a sync or an action channel made from a store must be released before the
 * store is closed, or chosa_store_close closes them: their handles stay valid until released but
 * every call on them returns CHOSA_MISUSE. A chosa_form lives on its own.
 */
#ifndef CHOSA_H_
#define CHOSA_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define CHOSA_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define CHOSA_EXPORT __attribute__((visibility("default")))
#else
#define CHOSA_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions ----------------------------------------------------------------------------- */

#define CHOSA_VERSION_MAJOR 0
#define CHOSA_VERSION_MINOR 1
#define CHOSA_VERSION_PATCH 0
#define CHOSA_VERSION_STRING "0.1.0"
/* MAJOR * 1000000 + MINOR * 1000 + PATCH */
#define CHOSA_VERSION_NUMBER 1000
/* The version of the action messages ("v" of every request and reply). */
#define CHOSA_ACTION_VERSION 1

/* The library's version, which may differ from the header an app was built with. The string is
 * static. */
CHOSA_EXPORT const char* chosa_version(void);
CHOSA_EXPORT int32_t chosa_version_number(void);

/* ---- errors ------------------------------------------------------------------------------- */

typedef enum chosa_code {
  CHOSA_OK = 0,
  CHOSA_INVALID_ARGUMENT = 1,  /* a malformed form, answer, message or argument */
  CHOSA_NOT_FOUND = 2,         /* no such form, draft or submission (a page or path: INVALID_ARGUMENT) */
  CHOSA_CORRUPTION = 3,        /* the store file is damaged */
  CHOSA_IO_ERROR = 4,          /* the disk refused (full, read-only, ...): nothing was changed */
  CHOSA_UNSUPPORTED = 5,       /* well-formed, but outside what this version offers */
  CHOSA_INTERNAL = 6,          /* a bug in chosa; the message says where */
  CHOSA_ALREADY_EXISTS = 7,    /* a form version installed before with other content, ... */
  CHOSA_UNAUTHENTICATED = 8,   /* the collector does not know the device (revoked, unknown) */
  CHOSA_PERMISSION_DENIED = 9, /* refused: an enrolment code, the collector's certificate */
  CHOSA_UNAVAILABLE = 10,      /* no network, the collector out of reach: try again later */
  CHOSA_STORE_TOO_NEW = 11,    /* the store was written by a newer chosa: update the app */
  CHOSA_MISUSE = 12,           /* a NULL or released handle, a draft of a closed store */
  CHOSA_CANCELLED = 13,        /* chosa_sync_cancel stopped the sync */
  CHOSA_NO_MEMORY = 14
} chosa_code;

/* The stable lower-case name of a code: "ok", "invalid_argument", ... (static). */
CHOSA_EXPORT const char* chosa_code_name(chosa_code code);

/* Filled by a failing call. Zero-initialise it before its first use (CHOSA_ERROR_INIT); a call
 * that fails releases what the record held before, so one record may be reused call after call.
 * The strings belong to the record: chosa_error_clear releases them. After a failure `message`
 * is never NULL and `path` and `pointer` are never NULL ("" when not applicable). */
typedef struct chosa_error {
  chosa_code code;
  char* message; /* in the draft's language where the fault is an answer's */
  char* path;    /* the answer concerned: "age", "attendees[2]/name" */
  char* pointer; /* JSON Pointer of the fault in a form ("/items/3/relevant"); "" for an answer's */
  int32_t column;/* 1-based column inside the expression at `pointer`; 0 when not applicable */
} chosa_error;

#define CHOSA_ERROR_INIT {CHOSA_OK, NULL, NULL, NULL, 0}

/* Releases the record's strings and resets it to CHOSA_ERROR_INIT. NULL is ignored. */
CHOSA_EXPORT void chosa_error_clear(chosa_error* error);

/* Releases a buffer returned by chosa. NULL is ignored. */
CHOSA_EXPORT void chosa_free(void* buffer);

/* ---- platform hooks ----------------------------------------------------------------------- */

/* An HTTP request the sync client wants sent (chosa_platform.http_send). Valid during the call. */
typedef struct chosa_http_request {
  const char* method;                /* "GET" or "POST" */
  const char* url;                   /* the collector's URL and the path: "https://host/api/v1/forms" */
  size_t header_count;
  const char* const* header_names;
  const char* const* header_values;
  const uint8_t* body;               /* sent as is (already gzip'd when a header says so) */
  size_t body_size;
  int64_t connect_timeout_ms;        /* what the sync client asks; the app's stack may round */
  int64_t request_timeout_ms;
} chosa_http_request;

/* What the hook fills with the calls below. */
typedef struct chosa_http_response chosa_http_response;

CHOSA_EXPORT chosa_code chosa_http_response_set_status(chosa_http_response* response, int32_t status);
CHOSA_EXPORT chosa_code chosa_http_response_add_header(chosa_http_response* response, const char* name,
                                                       const char* value);
/* Appends to the (decoded) body. */
CHOSA_EXPORT chosa_code chosa_http_response_append_body(chosa_http_response* response, const void* data,
                                                        size_t size);

/* A secret the store keeps through chosa_platform (the device's sync credentials and token). */
typedef struct chosa_secret chosa_secret;
CHOSA_EXPORT chosa_code chosa_secret_set(chosa_secret* secret, const void* data, size_t size);

/* Log levels of chosa_platform.log. */
#define CHOSA_LOG_DEBUG 0
#define CHOSA_LOG_INFO 1
#define CHOSA_LOG_WARNING 2
#define CHOSA_LOG_ERROR 3

/*
 * What an app replaces of the operating system. Every member may be NULL: chosa then uses its
 * POSIX default (the system clock and time zone, the kernel's random bytes, stderr, "always worth
 * trying", libcurl with the system's or the given CA, and a 0600 file beside the store for
 * secrets). Give the struct to chosa_store_open; chosa copies it and calls free_user_data(user_data)
 * once, when the store and everything made from it are released (or when chosa_store_open fails
 * after it took the struct).
 *
 * The hooks may be called from any thread chosa runs on (the UI's, a sync's) and must be safe for
 * that. They must not call back into chosa, except the chosa_http_response_* and
 * chosa_secret_set calls on the object they were given.
 */
typedef struct chosa_platform {
  uint32_t struct_size; /* sizeof(chosa_platform): later versions add members at the end */
  void* user_data;
  void (*free_user_data)(void* user_data);

  /* Milliseconds since the Unix epoch, UTC. */
  int64_t (*now_millis)(void* user_data);
  /* The local offset from UTC at `utc_millis`, in minutes (+540 in Japan). */
  int32_t (*utc_offset_minutes)(void* user_data, int64_t utc_millis);
  /* Fills `out` with `size` cryptographically strong random bytes. */
  void (*random_bytes)(void* user_data, uint8_t* out, size_t size);
  /* One log line (no newline), CHOSA_LOG_*. */
  void (*log)(void* user_data, int32_t level, const char* message);
  /* Whether a network is worth trying now (1) or not (0: a sync returns CHOSA_UNAVAILABLE at
   * once, without a request). */
  int32_t (*network_available)(void* user_data);
  /* Sends one request and fills `response`. Returns CHOSA_OK when an HTTP response arrived,
   * whatever its status; CHOSA_UNAVAILABLE when none did (no route, timeout, connection cut);
   * CHOSA_PERMISSION_DENIED when the collector's identity was refused (certificate, host name,
   * pin); CHOSA_INVALID_ARGUMENT when the request cannot be made (not retried). The
   * implementation must verify the certificate as docs/c-api.md says; `message`
   * (capacity `message_size`, may be left empty) says why a request failed. */
  chosa_code (*http_send)(void* user_data, const chosa_http_request* request, chosa_http_response* response,
                          char* message, size_t message_size);
  /* Secret storage (Android Keystore, iOS Keychain). `name` identifies the secret. read: call
   * chosa_secret_set(secret, ...) and return CHOSA_OK, or return CHOSA_NOT_FOUND when there is
   * none. write: keep `size` bytes durably, replacing what was there. erase: forget it (CHOSA_OK
   * when there was none). */
  chosa_code (*secret_read)(void* user_data, const char* name, chosa_secret* secret);
  chosa_code (*secret_write)(void* user_data, const char* name, const uint8_t* data, size_t size);
  chosa_code (*secret_erase)(void* user_data, const char* name);
} chosa_platform;

/* ---- forms -------------------------------------------------------------------------------- */

typedef struct chosa_form chosa_form;

/* Reads and checks a form (docs/form-format.md). On a fault: CHOSA_INVALID_ARGUMENT, the first
 * fault's pointer and column in `error`, and every fault in its message, one per line. */
CHOSA_EXPORT chosa_code chosa_form_parse(const char* json, size_t size, chosa_form** out, chosa_error* error);
/* {"form_id", "version", "title", "language", "languages": [...], "pages": N} with the title
 * in `language` (NULL or "": the form's default language). */
CHOSA_EXPORT chosa_code chosa_form_info_json(const chosa_form* form, const char* language, char** out,
                                             chosa_error* error);
CHOSA_EXPORT void chosa_form_free(chosa_form* form);

/* ---- the device store --------------------------------------------------------------------- */

typedef struct chosa_store chosa_store;

typedef struct chosa_store_options {
  uint32_t struct_size;           /* sizeof(chosa_store_options) */
  /* The device identity of a new store ("tablet-07"); NULL or "": a random "tablet-…". An
   * existing store keeps its own: another one is refused (CHOSA_INVALID_ARGUMENT). */
  const char* device_id;
  const chosa_platform* platform; /* NULL: every default */
} chosa_store_options;

/* Opens (creating if missing) the store at `path`. `options` may be NULL. A store written by a
 * newer chosa is refused with CHOSA_STORE_TOO_NEW, a damaged one with CHOSA_CORRUPTION. */
CHOSA_EXPORT chosa_code chosa_store_open(const char* path, const chosa_store_options* options, chosa_store** out,
                                         chosa_error* error);
/* Closes the store (and what is still open of it: see "Lifetimes" above). NULL is ignored. */
CHOSA_EXPORT void chosa_store_close(chosa_store* store);
/* The device identity the store keeps. */
CHOSA_EXPORT chosa_code chosa_store_device_id(chosa_store* store, char** out, chosa_error* error);

/* Installs a form version (from its JSON, or a file whose directory also serves its $refs).
 * `out_info` (may be NULL) receives {"form_id", "version", "sha256", "installed_at"}. A broken
 * form's faults are all in the message, without pointer or column (chosa_form_parse gives them). */
CHOSA_EXPORT chosa_code chosa_store_install_form(chosa_store* store, const char* json, size_t size, char** out_info,
                                                 chosa_error* error);
CHOSA_EXPORT chosa_code chosa_store_install_form_file(chosa_store* store, const char* path, char** out_info,
                                                      chosa_error* error);
/* The newest installed version of `form_id` (or `version`, when not NULL or ""). */
CHOSA_EXPORT chosa_code chosa_store_load_form(chosa_store* store, const char* form_id, const char* version,
                                              chosa_form** out, chosa_error* error);

/* Listings as JSON (docs/c-api.md "Listings"). Forms: one entry per form id, its newest version,
 * with the title in `language` (NULL: the form's default). Instances: `state` is "draft",
 * "finalized" (the outbox), "sent" or "rejected"; each entry has its id, form, instance name,
 * progress, answer count, times, and the submission's UUID once finalized. */
CHOSA_EXPORT chosa_code chosa_store_list_forms(chosa_store* store, const char* language, char** out,
                                               chosa_error* error);
CHOSA_EXPORT chosa_code chosa_store_list_instances(chosa_store* store, const char* state, char** out,
                                                   chosa_error* error);
/* Deletes a draft (not a finalized submission). */
CHOSA_EXPORT chosa_code chosa_store_delete_draft(chosa_store* store, int64_t draft_id, chosa_error* error);
/* A finalized submission's canonical bytes (docs/submission.md), exactly as stored and sent. */
CHOSA_EXPORT chosa_code chosa_store_read_submission(chosa_store* store, const char* uuid, char** out,
                                                    size_t* out_size, chosa_error* error);

/* ---- drafts ------------------------------------------------------------------------------- */

typedef struct chosa_draft chosa_draft;

/* Starts a new draft on the newest version of `form_id`; `enumerator_id` (who fills it) and
 * `language` may be NULL. An `enumerator_id` that is not UTF-8 is refused (CHOSA_INVALID_ARGUMENT). */
CHOSA_EXPORT chosa_code chosa_draft_start(chosa_store* store, const char* form_id, const char* enumerator_id,
                                          const char* language, chosa_draft** out, chosa_error* error);
/* Resumes a draft (or a rejected submission) exactly as it was left. */
CHOSA_EXPORT chosa_code chosa_draft_resume(chosa_store* store, int64_t draft_id, chosa_draft** out,
                                           chosa_error* error);
/* Releases the handle; everything was saved already. NULL is ignored. */
CHOSA_EXPORT void chosa_draft_close(chosa_draft* draft);
/* The store's id of the draft (what chosa_draft_resume takes); 0 for a bad handle. */
CHOSA_EXPORT int64_t chosa_draft_id(chosa_draft* draft);

/* The current page as JSON (docs/view-model.md). `out_size` may be NULL. */
CHOSA_EXPORT chosa_code chosa_draft_view_json(chosa_draft* draft, char** out, size_t* out_size, chosa_error* error);
/* Every relevant page with its questions and answers as a person reads them, before finalizing
 * (docs/view-model.md "Review"). */
CHOSA_EXPORT chosa_code chosa_draft_review_json(chosa_draft* draft, char** out, size_t* out_size,
                                                chosa_error* error);

/* Sets an answer from text as typed ("" clears). A refused answer (CHOSA_INVALID_ARGUMENT) keeps
 * the previous one; `error` has the reason in the draft's language and the path. */
CHOSA_EXPORT chosa_code chosa_draft_set_answer(chosa_draft* draft, const char* path, const char* text,
                                               chosa_error* error);
/* Sets an answer from a JSON value: a number for integer and decimal, an array of choice values
 * for select_multiple and rank, a string for the other types, null to clear. Any other
 * combination is refused (CHOSA_INVALID_ARGUMENT, a type error). */
CHOSA_EXPORT chosa_code chosa_draft_set_answer_json(chosa_draft* draft, const char* path, const char* json,
                                                    chosa_error* error);
/* Appends an instance to `repeat`; `out_position` (may be NULL) receives its 1-based position. */
CHOSA_EXPORT chosa_code chosa_draft_add_instance(chosa_draft* draft, const char* repeat, int32_t* out_position,
                                                 chosa_error* error);
CHOSA_EXPORT chosa_code chosa_draft_remove_instance(chosa_draft* draft, const char* repeat, int32_t position,
                                                    chosa_error* error);
/* Validates the page and moves on; blocked (CHOSA_INVALID_ARGUMENT, the first error's path) when
 * the page has errors. */
CHOSA_EXPORT chosa_code chosa_draft_next(chosa_draft* draft, chosa_error* error);
CHOSA_EXPORT chosa_code chosa_draft_back(chosa_draft* draft, chosa_error* error);
/* Jumps to a relevant page (0-based index among all pages, as the view model's navigation). */
CHOSA_EXPORT chosa_code chosa_draft_go_to_page(chosa_draft* draft, int32_t page, chosa_error* error);
CHOSA_EXPORT chosa_code chosa_draft_set_language(chosa_draft* draft, const char* language, chosa_error* error);
/* Validates everything and moves the submission to the outbox; `out_uuid` (may be NULL)
 * receives its UUID. On errors (CHOSA_INVALID_ARGUMENT) the draft goes to the first page with
 * one and stays open; once finalized, the draft's calls return CHOSA_MISUSE. */
CHOSA_EXPORT chosa_code chosa_draft_finalize(chosa_draft* draft, char** out_uuid, chosa_error* error);

/* ---- action messages ---------------------------------------------------------------------- */

typedef struct chosa_actions chosa_actions;

/* A channel for a renderer in a web view: it holds at most one open draft at a time.
 * `enumerator_id` (may be NULL; UTF-8, as for chosa_draft_start) is stamped on the drafts it starts. */
CHOSA_EXPORT chosa_code chosa_actions_open(chosa_store* store, const char* enumerator_id, chosa_actions** out,
                                           chosa_error* error);
CHOSA_EXPORT void chosa_actions_close(chosa_actions* actions);
/* Handles one request {"v":1,"op":...} (schemas/action.schema.json) and writes its reply
 * {"v":1,"ok":...} to `out_reply` (always, when the return is CHOSA_OK: a refused action is a
 * reply with "ok": false and its "error"). Returns an error code only when no reply could be
 * written (a NULL `out_reply`, a bad handle, out of memory). */
CHOSA_EXPORT chosa_code chosa_actions_handle(chosa_actions* actions, const char* request, size_t size,
                                             char** out_reply, size_t* out_size);

/* ---- sync --------------------------------------------------------------------------------- */

typedef struct chosa_sync chosa_sync;

#define CHOSA_SYNC_FORMS 0   /* downloading form versions: done / total forms */
#define CHOSA_SYNC_PUSH 1    /* sending the outbox: done / total submissions */
#define CHOSA_SYNC_WAITING 2 /* waiting wait_ms before a retry, because of `why` */

typedef struct chosa_sync_progress {
  int32_t phase;
  uint64_t done;
  uint64_t total;
  uint64_t bytes_sent;
  int64_t wait_ms;
  const char* why; /* never NULL */
} chosa_sync_progress;

typedef void (*chosa_sync_progress_fn)(void* user_data, const chosa_sync_progress* progress);

/* The sync of `store` with its collector. The credentials (collector URL, trust, device token)
 * are read through the platform's secret hooks when the store was enrolled before. */
CHOSA_EXPORT chosa_code chosa_sync_open(chosa_store* store, chosa_sync** out, chosa_error* error);
CHOSA_EXPORT void chosa_sync_close(chosa_sync* sync);
/* Enrols the device with a one-time code from the collector's operator; keeps the credentials
 * through the secret hooks. `ca_file` (may be NULL: the system's trust) is a PEM file of the CA
 * to trust, kept as given (give an absolute path); with an app's own http_send, the app's stack
 * decides. */
CHOSA_EXPORT chosa_code chosa_sync_enroll(chosa_sync* sync, const char* collector_url, const char* ca_file,
                                          const char* code, const char* device_name, chosa_error* error);
/* 1 when the store holds credentials, 0 when not (or on a bad handle). */
CHOSA_EXPORT int32_t chosa_sync_is_enrolled(chosa_sync* sync);
/* Pulls new form versions, then sends the outbox. `progress` (may be NULL) is called on this
 * thread as the sync goes; chosa calls free_user_data(user_data) (may be NULL) before returning.
 * `out_report` (may be NULL) receives {"complete", "sent", "duplicates", "rejected": [...], "left",
 * "forms_installed": [...], "problems": [...], "bytes_sent", "retries", "status"} whenever the
 * sync started, also when it stopped early. Returns CHOSA_OK when the sync ran to its end (see
 * "complete" for what the collector refused), else why it stopped: CHOSA_UNAVAILABLE (no
 * network, out of reach), CHOSA_CANCELLED, CHOSA_UNAUTHENTICATED (enrol again),
 * CHOSA_PERMISSION_DENIED, CHOSA_IO_ERROR (the store), or another code for an answer of the
 * collector it could not take (docs/c-api.md). */
CHOSA_EXPORT chosa_code chosa_sync_run(chosa_sync* sync, chosa_sync_progress_fn progress, void* user_data,
                                       void (*free_user_data)(void* user_data), char** out_report,
                                       chosa_error* error);
/* Stops the sync running on another thread as soon as it can (before its next request, or at
 * once during a wait). What the collector acknowledged is marked sent; the rest stays in the
 * outbox. Has no effect when no sync is running. Any thread. */
CHOSA_EXPORT void chosa_sync_cancel(chosa_sync* sync);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CHOSA_H_ */
