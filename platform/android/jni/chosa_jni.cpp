// libchosa_jni.so: the JNI glue of org.chosa (platform/android/java) over chosa.h, for Android
// and for a desktop JVM. Thin on purpose: each native method is one C call, its strings converted,
// its handle read from the Java object, and a failing code thrown as an org.chosa.ChosaException
// carrying the code and the chosa_error's fields. Nothing of the engine is repeated here.
//
// - JNI_OnLoad registers every native method with RegisterNatives (no Java_... symbols: the
//   library exports JNI_OnLoad and JNI_OnUnload only) and caches the classes, method and field
//   IDs as global references: FindClass on a thread attached from native code would see the
//   system class loader, not the app's.
// - Strings cross as standard UTF-8 through String.getBytes(UTF_8) and new String(bytes, UTF_8),
//   not Get/NewStringUTF, whose "modified UTF-8" mangles characters outside the BMP (𠮷 in a name).
// - Callbacks hold global references, released in the C API's free_user_data; one that throws
//   cancels the sync (progress) or is dropped (platform hooks).
// - No C++ exception leaves a native method (Guarded); no C call is made with a Java exception
//   pending.
#include <jni.h>
#include <pthread.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>

#include "chosa/chosa.h"

namespace {

JavaVM* g_vm = nullptr;
pthread_key_t g_detach_key;  // set on threads the glue attached, to detach them when they end

struct Cache {
  jclass string_class = nullptr;
  jmethodID string_from_bytes = nullptr;  // String(byte[], Charset)
  jmethodID string_get_bytes = nullptr;   // String.getBytes(Charset)
  jobject utf8 = nullptr;                 // StandardCharsets.UTF_8
  jclass exception = nullptr;
  jmethodID exception_init = nullptr;
  jfieldID handle = nullptr;  // ChosaHandle.handle
  jclass chosa = nullptr, form = nullptr, store = nullptr, draft = nullptr, actions = nullptr, sync = nullptr;
  jmethodID form_init = nullptr, store_init = nullptr, draft_init = nullptr, actions_init = nullptr,
            sync_init = nullptr;
  jmethodID on_progress = nullptr;        // ChosaSync.Progress.onProgress
  jmethodID network_available = nullptr;  // ChosaPlatform.networkAvailable
  jmethodID log = nullptr;                // ChosaPlatform.log
};
Cache g;

// ---- threads --------------------------------------------------------------------------------

void DetachThread(void*) { g_vm->DetachCurrentThread(); }

// The JNIEnv of the thread a callback runs on. chosa calls back on the thread of the call that
// triggers it, a Java thread in a native method here; a thread the JVM does not know (an app's
// native thread calling chosa) is attached as a daemon and detached when it ends.
JNIEnv* CallbackEnv() {
  void* env = nullptr;
  const jint got = g_vm->GetEnv(&env, JNI_VERSION_1_6);
  if (got == JNI_OK) return static_cast<JNIEnv*>(env);
  if (got != JNI_EDETACHED) return nullptr;
  JavaVMAttachArgs args{JNI_VERSION_1_6, const_cast<char*>("chosa callback"), nullptr};
#ifdef __ANDROID__
  JNIEnv* attached = nullptr;  // Android's jni.h declares JNIEnv** here, the JDK's void**
#else
  void* attached = nullptr;
#endif
  if (g_vm->AttachCurrentThreadAsDaemon(&attached, &args) != JNI_OK) return nullptr;
  pthread_setspecific(g_detach_key, attached);
  return static_cast<JNIEnv*>(attached);
}

// ---- strings --------------------------------------------------------------------------------

// UTF-8 bytes as a Java String; NULL as null. nullptr with an exception pending on failure.
jstring NewString(JNIEnv* env, const char* text, size_t size) {
  if (text == nullptr) return nullptr;
  jbyteArray bytes = env->NewByteArray(static_cast<jsize>(size));
  if (bytes == nullptr) return nullptr;
  env->SetByteArrayRegion(bytes, 0, static_cast<jsize>(size), reinterpret_cast<const jbyte*>(text));
  auto* string = static_cast<jstring>(env->NewObject(g.string_class, g.string_from_bytes, bytes, g.utf8));
  env->DeleteLocalRef(bytes);
  return env->ExceptionCheck() ? nullptr : string;
}
jstring NewString(JNIEnv* env, const char* text) { return NewString(env, text, text == nullptr ? 0 : std::strlen(text)); }

void ThrowChosa(JNIEnv* env, chosa_code code, const char* message, const char* path = "", const char* pointer = "",
                int32_t column = 0, const char* report = nullptr) {
  if (env->ExceptionCheck()) return;  // the first fault wins (an OutOfMemoryError, say)
  jstring name = NewString(env, chosa_code_name(code));
  jstring message_string = NewString(env, message != nullptr ? message : chosa_code_name(code));
  jstring path_string = NewString(env, path != nullptr ? path : "");
  jstring pointer_string = NewString(env, pointer != nullptr ? pointer : "");
  jstring report_string = NewString(env, report);
  if (!env->ExceptionCheck()) {
    auto* thrown = static_cast<jthrowable>(env->NewObject(g.exception, g.exception_init, static_cast<jint>(code), name,
                                                          message_string, path_string, pointer_string,
                                                          static_cast<jint>(column), report_string));
    if (!env->ExceptionCheck()) env->Throw(thrown);
    env->DeleteLocalRef(thrown);
  }
  for (jobject local : {static_cast<jobject>(name), static_cast<jobject>(message_string),
                        static_cast<jobject>(path_string), static_cast<jobject>(pointer_string),
                        static_cast<jobject>(report_string)}) {
    env->DeleteLocalRef(local);
  }
}

// A Java string as UTF-8 for a C call: null stays NULL. Read() returns false with an exception
// pending (a NUL inside a string meant for a C string, which would cut it short silently).
class Utf8 {
 public:
  bool Read(JNIEnv* env, jstring string, const char* what, bool nul_allowed = false) {
    if (string == nullptr) return true;
    auto* bytes = static_cast<jbyteArray>(env->CallObjectMethod(string, g.string_get_bytes, g.utf8));
    if (env->ExceptionCheck()) return false;
    const jsize size = env->GetArrayLength(bytes);
    text_.resize(static_cast<size_t>(size));
    if (size > 0) env->GetByteArrayRegion(bytes, 0, size, reinterpret_cast<jbyte*>(&text_[0]));
    env->DeleteLocalRef(bytes);
    null_ = false;
    if (!nul_allowed && text_.find('\0') != std::string::npos) {
      ThrowChosa(env, CHOSA_INVALID_ARGUMENT,
                 (std::string(what) + " contains a NUL character (U+0000), which a C string cannot carry").c_str());
      return false;
    }
    return true;
  }
  const char* c_str() const { return null_ ? nullptr : text_.c_str(); }
  size_t size() const { return text_.size(); }

 private:
  std::string text_;
  bool null_ = true;
};

// ---- errors and buffers -----------------------------------------------------------------------

struct Error {
  chosa_error e = CHOSA_ERROR_INIT;
  Error() = default;
  Error(const Error&) = delete;
  Error& operator=(const Error&) = delete;
  ~Error() { chosa_error_clear(&e); }
};

// A buffer chosa returned, freed at the end of the scope.
struct Buffer {
  char* p = nullptr;
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { chosa_free(p); }
};

// Throws a failing call's code and error; true when the call succeeded.
bool Check(JNIEnv* env, chosa_code code, const Error& error, const char* report = nullptr) {
  if (code == CHOSA_OK) return true;
  ThrowChosa(env, code, error.e.message, error.e.path, error.e.pointer, error.e.column, report);
  return false;
}

// Runs a native method's body, keeping C++ exceptions (std::bad_alloc from a std::string) out of
// the JVM. R{} is what the method returns when it throws.
template <typename Body>
auto Guarded(JNIEnv* env, Body&& body) -> decltype(body()) {
  using R = decltype(body());
  try {
    return body();
  } catch (const std::bad_alloc&) {
    ThrowChosa(env, CHOSA_NO_MEMORY, "out of memory in the JNI glue");
  } catch (...) {
    ThrowChosa(env, CHOSA_INTERNAL, "an unexpected C++ exception in the JNI glue");
  }
  if constexpr (!std::is_void_v<R>) return R{};
}

// ---- handles --------------------------------------------------------------------------------

template <typename T>
T* HandleOf(JNIEnv* env, jobject self) {
  return reinterpret_cast<T*>(static_cast<intptr_t>(env->GetLongField(self, g.handle)));
}

// The handle, which the object gives up (0 from now on: a later call is CHOSA_MISUSE).
template <typename T>
T* TakeHandle(JNIEnv* env, jobject self) {
  T* handle = HandleOf<T>(env, self);
  env->SetLongField(self, g.handle, 0);
  return handle;
}

// A new Java object over a handle chosa just made; the handle is released if that fails.
template <typename T>
jobject Wrap(JNIEnv* env, jclass cls, jmethodID init, T* handle, void (*release)(T*)) {
  jobject object = env->NewObject(cls, init, static_cast<jlong>(reinterpret_cast<intptr_t>(handle)));
  if (env->ExceptionCheck()) release(handle);
  return object;
}

// The result of a call that returns a buffer: a String, or null with the exception thrown.
jstring StringResult(JNIEnv* env, chosa_code code, const Error& error, const Buffer& out) {
  if (!Check(env, code, error)) return nullptr;
  return NewString(env, out.p);
}

// ---- platform hooks -------------------------------------------------------------------------

// The platform's user data: the ChosaPlatform's global reference. `freed` tells the call of
// chosa_store_open whether chosa released it already (a failed open may or may not have).
struct PlatformRef {
  jobject platform;
  bool* freed;
};

// Whether the hook just called threw: it is printed and dropped (chosa then acts as without it).
bool Threw(JNIEnv* env) {
  if (!env->ExceptionCheck()) return false;
  env->ExceptionDescribe();
  env->ExceptionClear();
  return true;
}

int32_t PlatformNetworkAvailable(void* user_data) {
  JNIEnv* env = CallbackEnv();
  if (env == nullptr) return 1;
  const jboolean available = env->CallBooleanMethod(static_cast<PlatformRef*>(user_data)->platform, g.network_available);
  if (Threw(env)) return 1;
  return available ? 1 : 0;
}

void PlatformLog(void* user_data, int32_t level, const char* message) {
  JNIEnv* env = CallbackEnv();
  if (env == nullptr) return;
  jstring text = NewString(env, message);
  if (text != nullptr) {
    env->CallVoidMethod(static_cast<PlatformRef*>(user_data)->platform, g.log, static_cast<jint>(level), text);
  }
  Threw(env);
  env->DeleteLocalRef(text);
}

void PlatformFree(void* user_data) {
  auto* ref = static_cast<PlatformRef*>(user_data);
  if (JNIEnv* env = CallbackEnv()) env->DeleteGlobalRef(ref->platform);
  if (ref->freed != nullptr) *ref->freed = true;
  delete ref;
}

// ---- sync progress --------------------------------------------------------------------------

struct ProgressContext {
  jobject listener = nullptr;  // a global reference, released by ProgressFree
  chosa_sync* sync = nullptr;
  jthrowable thrown = nullptr;  // a global reference to what the listener threw
};

void ProgressCall(void* user_data, const chosa_sync_progress* p) {
  auto* context = static_cast<ProgressContext*>(user_data);
  if (context->listener == nullptr || context->thrown != nullptr) return;
  JNIEnv* env = CallbackEnv();
  if (env == nullptr) return;
  jstring why = NewString(env, p->why);
  if (why != nullptr) {
    env->CallVoidMethod(context->listener, g.on_progress, static_cast<jint>(p->phase), static_cast<jlong>(p->done),
                        static_cast<jlong>(p->total), static_cast<jlong>(p->bytes_sent), static_cast<jlong>(p->wait_ms),
                        why);
  }
  env->DeleteLocalRef(why);
  if (env->ExceptionCheck()) {
    // Kept for chosa_sync_run's caller; the sync stops before its next request.
    jthrowable thrown = env->ExceptionOccurred();
    env->ExceptionClear();
    context->thrown = static_cast<jthrowable>(env->NewGlobalRef(thrown));
    env->DeleteLocalRef(thrown);
    chosa_sync_cancel(context->sync);
  }
}

void ProgressFree(void* user_data) {
  auto* context = static_cast<ProgressContext*>(user_data);
  if (JNIEnv* env = CallbackEnv()) env->DeleteGlobalRef(context->listener);
  context->listener = nullptr;
}

// ---- org.chosa.Chosa ----------------------------------------------------------------------------

jstring Chosa_version(JNIEnv* env, jclass) {
  return Guarded(env, [&] { return NewString(env, chosa_version()); });
}

jint Chosa_versionNumber(JNIEnv*, jclass) { return chosa_version_number(); }

jstring Chosa_codeName(JNIEnv* env, jclass, jint code) {
  return Guarded(env, [&] { return NewString(env, chosa_code_name(static_cast<chosa_code>(code))); });
}

// ---- org.chosa.ChosaForm --------------------------------------------------------------------

jobject Form_parse(JNIEnv* env, jclass, jstring json) {
  return Guarded(env, [&]() -> jobject {
    Utf8 text;
    if (!text.Read(env, json, "the form's JSON", /*nul_allowed=*/true)) return nullptr;
    Error error;
    chosa_form* form = nullptr;
    if (!Check(env, chosa_form_parse(text.c_str(), text.size(), &form, &error.e), error)) return nullptr;
    return Wrap(env, g.form, g.form_init, form, chosa_form_free);
  });
}

jstring Form_info(JNIEnv* env, jobject self, jstring language) {
  return Guarded(env, [&]() -> jstring {
    Utf8 lang;
    if (!lang.Read(env, language, "the language")) return nullptr;
    Error error;
    Buffer out;
    return StringResult(env, chosa_form_info_json(HandleOf<chosa_form>(env, self), lang.c_str(), &out.p, &error.e),
                        error, out);
  });
}

void Form_close(JNIEnv* env, jobject self) { chosa_form_free(TakeHandle<chosa_form>(env, self)); }

// ---- org.chosa.ChosaStore -------------------------------------------------------------------

jobject Store_open(JNIEnv* env, jclass, jstring path, jstring device_id, jobject platform) {
  return Guarded(env, [&]() -> jobject {
    Utf8 path_text, device;
    if (!path_text.Read(env, path, "the store's path") || !device.Read(env, device_id, "the device id")) return nullptr;
    chosa_platform hooks{};
    hooks.struct_size = sizeof hooks;
    chosa_store_options options{};
    options.struct_size = sizeof options;
    options.device_id = device.c_str();
    bool freed = false;
    PlatformRef* ref = nullptr;
    if (platform != nullptr) {
      ref = new PlatformRef{env->NewGlobalRef(platform), &freed};
      if (ref->platform == nullptr) {
        delete ref;
        return nullptr;  // OutOfMemoryError pending
      }
      hooks.user_data = ref;
      hooks.free_user_data = PlatformFree;
      hooks.network_available = PlatformNetworkAvailable;
      hooks.log = PlatformLog;
      options.platform = &hooks;
    }
    Error error;
    chosa_store* store = nullptr;
    const chosa_code code = chosa_store_open(path_text.c_str(), &options, &store, &error.e);
    if (code != CHOSA_OK) {
      // A store that failed to open may have released the hooks already (or never taken them).
      if (ref != nullptr && !freed) PlatformFree(ref);
      Check(env, code, error);
      return nullptr;
    }
    if (ref != nullptr) ref->freed = nullptr;  // from now on released by the store's last close
    return Wrap(env, g.store, g.store_init, store, chosa_store_close);
  });
}

void Store_close(JNIEnv* env, jobject self) { chosa_store_close(TakeHandle<chosa_store>(env, self)); }

jstring Store_deviceId(JNIEnv* env, jobject self) {
  return Guarded(env, [&]() -> jstring {
    Error error;
    Buffer out;
    return StringResult(env, chosa_store_device_id(HandleOf<chosa_store>(env, self), &out.p, &error.e), error, out);
  });
}

jstring Store_installForm(JNIEnv* env, jobject self, jstring json) {
  return Guarded(env, [&]() -> jstring {
    Utf8 text;
    if (!text.Read(env, json, "the form's JSON", /*nul_allowed=*/true)) return nullptr;
    Error error;
    Buffer out;
    return StringResult(
        env, chosa_store_install_form(HandleOf<chosa_store>(env, self), text.c_str(), text.size(), &out.p, &error.e),
        error, out);
  });
}

jstring Store_installFormFile(JNIEnv* env, jobject self, jstring path) {
  return Guarded(env, [&]() -> jstring {
    Utf8 file;
    if (!file.Read(env, path, "the form's path")) return nullptr;
    Error error;
    Buffer out;
    return StringResult(env, chosa_store_install_form_file(HandleOf<chosa_store>(env, self), file.c_str(), &out.p, &error.e),
                        error, out);
  });
}

jobject Store_loadForm(JNIEnv* env, jobject self, jstring form_id, jstring version) {
  return Guarded(env, [&]() -> jobject {
    Utf8 id, v;
    if (!id.Read(env, form_id, "the form id") || !v.Read(env, version, "the version")) return nullptr;
    Error error;
    chosa_form* form = nullptr;
    if (!Check(env, chosa_store_load_form(HandleOf<chosa_store>(env, self), id.c_str(), v.c_str(), &form, &error.e),
               error)) {
      return nullptr;
    }
    return Wrap(env, g.form, g.form_init, form, chosa_form_free);
  });
}

jstring Store_listForms(JNIEnv* env, jobject self, jstring language) {
  return Guarded(env, [&]() -> jstring {
    Utf8 lang;
    if (!lang.Read(env, language, "the language")) return nullptr;
    Error error;
    Buffer out;
    return StringResult(env, chosa_store_list_forms(HandleOf<chosa_store>(env, self), lang.c_str(), &out.p, &error.e),
                        error, out);
  });
}

jstring Store_listInstances(JNIEnv* env, jobject self, jstring state) {
  return Guarded(env, [&]() -> jstring {
    Utf8 s;
    if (!s.Read(env, state, "the state")) return nullptr;
    Error error;
    Buffer out;
    return StringResult(env, chosa_store_list_instances(HandleOf<chosa_store>(env, self), s.c_str(), &out.p, &error.e),
                        error, out);
  });
}

void Store_deleteDraft(JNIEnv* env, jobject self, jlong draft_id) {
  Guarded(env, [&] {
    Error error;
    Check(env, chosa_store_delete_draft(HandleOf<chosa_store>(env, self), draft_id, &error.e), error);
  });
}

jstring Store_readSubmission(JNIEnv* env, jobject self, jstring uuid) {
  return Guarded(env, [&]() -> jstring {
    Utf8 id;
    if (!id.Read(env, uuid, "the UUID")) return nullptr;
    Error error;
    Buffer out;
    size_t size = 0;
    if (!Check(env, chosa_store_read_submission(HandleOf<chosa_store>(env, self), id.c_str(), &out.p, &size, &error.e),
               error)) {
      return nullptr;
    }
    return NewString(env, out.p, size);
  });
}

jobject Store_startDraft(JNIEnv* env, jobject self, jstring form_id, jstring enumerator_id, jstring language) {
  return Guarded(env, [&]() -> jobject {
    Utf8 id, enumerator, lang;
    if (!id.Read(env, form_id, "the form id") || !enumerator.Read(env, enumerator_id, "the enumerator id") ||
        !lang.Read(env, language, "the language")) {
      return nullptr;
    }
    Error error;
    chosa_draft* draft = nullptr;
    if (!Check(env,
               chosa_draft_start(HandleOf<chosa_store>(env, self), id.c_str(), enumerator.c_str(), lang.c_str(), &draft,
                                 &error.e),
               error)) {
      return nullptr;
    }
    return Wrap(env, g.draft, g.draft_init, draft, chosa_draft_close);
  });
}

jobject Store_resumeDraft(JNIEnv* env, jobject self, jlong draft_id) {
  return Guarded(env, [&]() -> jobject {
    Error error;
    chosa_draft* draft = nullptr;
    if (!Check(env, chosa_draft_resume(HandleOf<chosa_store>(env, self), draft_id, &draft, &error.e), error)) {
      return nullptr;
    }
    return Wrap(env, g.draft, g.draft_init, draft, chosa_draft_close);
  });
}

jobject Store_openActions(JNIEnv* env, jobject self, jstring enumerator_id) {
  return Guarded(env, [&]() -> jobject {
    Utf8 enumerator;
    if (!enumerator.Read(env, enumerator_id, "the enumerator id")) return nullptr;
    Error error;
    chosa_actions* actions = nullptr;
    if (!Check(env, chosa_actions_open(HandleOf<chosa_store>(env, self), enumerator.c_str(), &actions, &error.e),
               error)) {
      return nullptr;
    }
    return Wrap(env, g.actions, g.actions_init, actions, chosa_actions_close);
  });
}

jobject Store_openSync(JNIEnv* env, jobject self) {
  return Guarded(env, [&]() -> jobject {
    Error error;
    chosa_sync* sync = nullptr;
    if (!Check(env, chosa_sync_open(HandleOf<chosa_store>(env, self), &sync, &error.e), error)) return nullptr;
    return Wrap(env, g.sync, g.sync_init, sync, chosa_sync_close);
  });
}

// ---- org.chosa.ChosaDraft -------------------------------------------------------------------

void Draft_close(JNIEnv* env, jobject self) { chosa_draft_close(TakeHandle<chosa_draft>(env, self)); }

jlong Draft_id(JNIEnv* env, jobject self) { return chosa_draft_id(HandleOf<chosa_draft>(env, self)); }

jstring Draft_view(JNIEnv* env, jobject self) {
  return Guarded(env, [&]() -> jstring {
    Error error;
    Buffer out;
    size_t size = 0;
    if (!Check(env, chosa_draft_view_json(HandleOf<chosa_draft>(env, self), &out.p, &size, &error.e), error)) {
      return nullptr;
    }
    return NewString(env, out.p, size);
  });
}

jstring Draft_review(JNIEnv* env, jobject self) {
  return Guarded(env, [&]() -> jstring {
    Error error;
    Buffer out;
    size_t size = 0;
    if (!Check(env, chosa_draft_review_json(HandleOf<chosa_draft>(env, self), &out.p, &size, &error.e), error)) {
      return nullptr;
    }
    return NewString(env, out.p, size);
  });
}

void Draft_setAnswer(JNIEnv* env, jobject self, jstring path, jstring text) {
  Guarded(env, [&] {
    Utf8 p, t;
    if (!p.Read(env, path, "the path") || !t.Read(env, text, "the answer")) return;
    Error error;
    Check(env, chosa_draft_set_answer(HandleOf<chosa_draft>(env, self), p.c_str(), t.c_str(), &error.e), error);
  });
}

void Draft_setAnswerJson(JNIEnv* env, jobject self, jstring path, jstring json) {
  Guarded(env, [&] {
    Utf8 p, j;
    if (!p.Read(env, path, "the path") || !j.Read(env, json, "the answer's JSON")) return;
    Error error;
    Check(env, chosa_draft_set_answer_json(HandleOf<chosa_draft>(env, self), p.c_str(), j.c_str(), &error.e), error);
  });
}

jint Draft_addInstance(JNIEnv* env, jobject self, jstring repeat) {
  return Guarded(env, [&]() -> jint {
    Utf8 r;
    if (!r.Read(env, repeat, "the repeat")) return 0;
    Error error;
    int32_t position = 0;
    Check(env, chosa_draft_add_instance(HandleOf<chosa_draft>(env, self), r.c_str(), &position, &error.e), error);
    return position;
  });
}

void Draft_removeInstance(JNIEnv* env, jobject self, jstring repeat, jint position) {
  Guarded(env, [&] {
    Utf8 r;
    if (!r.Read(env, repeat, "the repeat")) return;
    Error error;
    Check(env, chosa_draft_remove_instance(HandleOf<chosa_draft>(env, self), r.c_str(), position, &error.e), error);
  });
}

void Draft_next(JNIEnv* env, jobject self) {
  Guarded(env, [&] {
    Error error;
    Check(env, chosa_draft_next(HandleOf<chosa_draft>(env, self), &error.e), error);
  });
}

void Draft_back(JNIEnv* env, jobject self) {
  Guarded(env, [&] {
    Error error;
    Check(env, chosa_draft_back(HandleOf<chosa_draft>(env, self), &error.e), error);
  });
}

void Draft_goToPage(JNIEnv* env, jobject self, jint page) {
  Guarded(env, [&] {
    Error error;
    Check(env, chosa_draft_go_to_page(HandleOf<chosa_draft>(env, self), page, &error.e), error);
  });
}

void Draft_setLanguage(JNIEnv* env, jobject self, jstring language) {
  Guarded(env, [&] {
    Utf8 lang;
    if (!lang.Read(env, language, "the language")) return;
    Error error;
    Check(env, chosa_draft_set_language(HandleOf<chosa_draft>(env, self), lang.c_str(), &error.e), error);
  });
}

jstring Draft_finalizeDraft(JNIEnv* env, jobject self) {
  return Guarded(env, [&]() -> jstring {
    Error error;
    Buffer uuid;
    return StringResult(env, chosa_draft_finalize(HandleOf<chosa_draft>(env, self), &uuid.p, &error.e), error, uuid);
  });
}

// ---- org.chosa.ChosaActions -----------------------------------------------------------------

jstring Actions_handle(JNIEnv* env, jobject self, jstring request) {
  return Guarded(env, [&]() -> jstring {
    Utf8 text;
    if (!text.Read(env, request, "the request", /*nul_allowed=*/true)) return nullptr;
    Buffer reply;
    size_t size = 0;
    const chosa_code code =
        chosa_actions_handle(HandleOf<chosa_actions>(env, self), text.c_str(), text.size(), &reply.p, &size);
    if (code != CHOSA_OK) {
      // No reply could be made, so there is no chosa_error either: the code says why.
      ThrowChosa(env, code,
                 code == CHOSA_MISUSE ? "not an open action channel (closed already)" : "no reply could be made");
      return nullptr;
    }
    return NewString(env, reply.p, size);
  });
}

void Actions_close(JNIEnv* env, jobject self) { chosa_actions_close(TakeHandle<chosa_actions>(env, self)); }

// ---- org.chosa.ChosaSync --------------------------------------------------------------------

void Sync_close(JNIEnv* env, jobject self) { chosa_sync_close(TakeHandle<chosa_sync>(env, self)); }

void Sync_enroll(JNIEnv* env, jobject self, jstring url, jstring ca_file, jstring code, jstring device_name) {
  Guarded(env, [&] {
    Utf8 u, ca, c, name;
    if (!u.Read(env, url, "the collector's URL") || !ca.Read(env, ca_file, "the CA file") ||
        !c.Read(env, code, "the enrolment code") || !name.Read(env, device_name, "the device name")) {
      return;
    }
    Error error;
    Check(env,
          chosa_sync_enroll(HandleOf<chosa_sync>(env, self), u.c_str(), ca.c_str(), c.c_str(), name.c_str(), &error.e),
          error);
  });
}

jboolean Sync_isEnrolled(JNIEnv* env, jobject self) {
  return chosa_sync_is_enrolled(HandleOf<chosa_sync>(env, self)) == 1 ? JNI_TRUE : JNI_FALSE;
}

jstring Sync_run(JNIEnv* env, jobject self, jobject listener) {
  return Guarded(env, [&]() -> jstring {
    ProgressContext context;
    context.sync = HandleOf<chosa_sync>(env, self);
    if (listener != nullptr) {
      context.listener = env->NewGlobalRef(listener);
      if (context.listener == nullptr) return nullptr;  // OutOfMemoryError pending
    }
    Error error;
    Buffer report;
    // chosa calls ProgressFree before it returns, whatever it returns.
    const chosa_code code =
        chosa_sync_run(context.sync, listener != nullptr ? ProgressCall : nullptr, &context,
                       listener != nullptr ? ProgressFree : nullptr, &report.p, &error.e);
    if (context.thrown != nullptr) {
      env->Throw(context.thrown);  // what the listener threw, rather than the cancel it caused
      env->DeleteGlobalRef(context.thrown);
      return nullptr;
    }
    if (!Check(env, code, error, report.p)) return nullptr;
    return NewString(env, report.p);
  });
}

void Sync_cancel(JNIEnv* env, jobject self) { chosa_sync_cancel(HandleOf<chosa_sync>(env, self)); }

// ---- registration ---------------------------------------------------------------------------

#define CHOSA_NATIVE(name, signature, function) \
  JNINativeMethod { const_cast<char*>(name), const_cast<char*>(signature), reinterpret_cast<void*>(function) }
#define S "Ljava/lang/String;"

template <size_t N>
bool Register(JNIEnv* env, jclass cls, const JNINativeMethod (&methods)[N]) {
  return env->RegisterNatives(cls, methods, static_cast<jint>(N)) == JNI_OK;
}

bool RegisterAll(JNIEnv* env) {
  static const JNINativeMethod chosa[] = {
      CHOSA_NATIVE("version", "()" S, Chosa_version),
      CHOSA_NATIVE("versionNumber", "()I", Chosa_versionNumber),
      CHOSA_NATIVE("codeName", "(I)" S, Chosa_codeName),
  };
  static const JNINativeMethod form[] = {
      CHOSA_NATIVE("parse", "(" S ")Lorg/chosa/ChosaForm;", Form_parse),
      CHOSA_NATIVE("info", "(" S ")" S, Form_info),
      CHOSA_NATIVE("close", "()V", Form_close),
  };
  static const JNINativeMethod store[] = {
      CHOSA_NATIVE("open", "(" S S "Lorg/chosa/ChosaPlatform;)Lorg/chosa/ChosaStore;", Store_open),
      CHOSA_NATIVE("close", "()V", Store_close),
      CHOSA_NATIVE("deviceId", "()" S, Store_deviceId),
      CHOSA_NATIVE("installForm", "(" S ")" S, Store_installForm),
      CHOSA_NATIVE("installFormFile", "(" S ")" S, Store_installFormFile),
      CHOSA_NATIVE("loadForm", "(" S S ")Lorg/chosa/ChosaForm;", Store_loadForm),
      CHOSA_NATIVE("listForms", "(" S ")" S, Store_listForms),
      CHOSA_NATIVE("listInstances", "(" S ")" S, Store_listInstances),
      CHOSA_NATIVE("deleteDraft", "(J)V", Store_deleteDraft),
      CHOSA_NATIVE("readSubmission", "(" S ")" S, Store_readSubmission),
      CHOSA_NATIVE("startDraft", "(" S S S ")Lorg/chosa/ChosaDraft;", Store_startDraft),
      CHOSA_NATIVE("resumeDraft", "(J)Lorg/chosa/ChosaDraft;", Store_resumeDraft),
      CHOSA_NATIVE("openActions", "(" S ")Lorg/chosa/ChosaActions;", Store_openActions),
      CHOSA_NATIVE("openSync", "()Lorg/chosa/ChosaSync;", Store_openSync),
  };
  static const JNINativeMethod draft[] = {
      CHOSA_NATIVE("close", "()V", Draft_close),
      CHOSA_NATIVE("id", "()J", Draft_id),
      CHOSA_NATIVE("view", "()" S, Draft_view),
      CHOSA_NATIVE("review", "()" S, Draft_review),
      CHOSA_NATIVE("setAnswer", "(" S S ")V", Draft_setAnswer),
      CHOSA_NATIVE("setAnswerJson", "(" S S ")V", Draft_setAnswerJson),
      CHOSA_NATIVE("addInstance", "(" S ")I", Draft_addInstance),
      CHOSA_NATIVE("removeInstance", "(" S "I)V", Draft_removeInstance),
      CHOSA_NATIVE("next", "()V", Draft_next),
      CHOSA_NATIVE("back", "()V", Draft_back),
      CHOSA_NATIVE("goToPage", "(I)V", Draft_goToPage),
      CHOSA_NATIVE("setLanguage", "(" S ")V", Draft_setLanguage),
      CHOSA_NATIVE("finalizeDraft", "()" S, Draft_finalizeDraft),
  };
  static const JNINativeMethod actions[] = {
      CHOSA_NATIVE("handle", "(" S ")" S, Actions_handle),
      CHOSA_NATIVE("close", "()V", Actions_close),
  };
  static const JNINativeMethod sync[] = {
      CHOSA_NATIVE("close", "()V", Sync_close),
      CHOSA_NATIVE("enroll", "(" S S S S ")V", Sync_enroll),
      CHOSA_NATIVE("isEnrolled", "()Z", Sync_isEnrolled),
      CHOSA_NATIVE("run", "(Lorg/chosa/ChosaSync$Progress;)" S, Sync_run),
      CHOSA_NATIVE("cancel", "()V", Sync_cancel),
  };
  return Register(env, g.chosa, chosa) && Register(env, g.form, form) && Register(env, g.store, store) &&
         Register(env, g.draft, draft) && Register(env, g.actions, actions) && Register(env, g.sync, sync);
}

#undef S
#undef CHOSA_NATIVE

// A class as a global reference; nullptr (NoClassDefFoundError pending) when missing.
jclass GlobalClass(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  auto* global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

// Every class, method and field the glue uses, looked up once; false with an exception pending
// (a class or member renamed on one side only), which makes System.loadLibrary fail loudly.
bool CacheAll(JNIEnv* env) {
  if (!(g.string_class = GlobalClass(env, "java/lang/String")) ||
      !(g.string_from_bytes = env->GetMethodID(g.string_class, "<init>", "([BLjava/nio/charset/Charset;)V")) ||
      !(g.string_get_bytes = env->GetMethodID(g.string_class, "getBytes", "(Ljava/nio/charset/Charset;)[B"))) {
    return false;
  }
  jclass charsets = env->FindClass("java/nio/charset/StandardCharsets");
  if (charsets == nullptr) return false;
  jfieldID utf8_field = env->GetStaticFieldID(charsets, "UTF_8", "Ljava/nio/charset/Charset;");
  if (utf8_field == nullptr) return false;
  jobject utf8 = env->GetStaticObjectField(charsets, utf8_field);
  g.utf8 = env->NewGlobalRef(utf8);
  env->DeleteLocalRef(utf8);
  env->DeleteLocalRef(charsets);
  if (g.utf8 == nullptr) return false;

  if (!(g.exception = GlobalClass(env, "org/chosa/ChosaException")) ||
      !(g.exception_init = env->GetMethodID(g.exception, "<init>", "(ILjava/lang/String;Ljava/lang/String;"
                                                                   "Ljava/lang/String;Ljava/lang/String;I"
                                                                   "Ljava/lang/String;)V"))) {
    return false;
  }
  jclass handle = env->FindClass("org/chosa/ChosaHandle");
  if (handle == nullptr || !(g.handle = env->GetFieldID(handle, "handle", "J"))) return false;
  env->DeleteLocalRef(handle);
  struct HandleClass {
    jclass* cls;
    jmethodID* init;
    const char* name;
  };
  for (const HandleClass& h : {HandleClass{&g.form, &g.form_init, "org/chosa/ChosaForm"},
                               HandleClass{&g.store, &g.store_init, "org/chosa/ChosaStore"},
                               HandleClass{&g.draft, &g.draft_init, "org/chosa/ChosaDraft"},
                               HandleClass{&g.actions, &g.actions_init, "org/chosa/ChosaActions"},
                               HandleClass{&g.sync, &g.sync_init, "org/chosa/ChosaSync"}}) {
    if (!(*h.cls = GlobalClass(env, h.name)) || !(*h.init = env->GetMethodID(*h.cls, "<init>", "(J)V"))) return false;
  }
  if (!(g.chosa = GlobalClass(env, "org/chosa/Chosa"))) return false;
  jclass progress = env->FindClass("org/chosa/ChosaSync$Progress");
  if (progress == nullptr ||
      !(g.on_progress = env->GetMethodID(progress, "onProgress", "(IJJJJLjava/lang/String;)V"))) {
    return false;
  }
  env->DeleteLocalRef(progress);
  jclass platform = env->FindClass("org/chosa/ChosaPlatform");
  if (platform == nullptr || !(g.network_available = env->GetMethodID(platform, "networkAvailable", "()Z")) ||
      !(g.log = env->GetMethodID(platform, "log", "(ILjava/lang/String;)V"))) {
    return false;
  }
  env->DeleteLocalRef(platform);
  return true;
}

}  // namespace

extern "C" JNIEXPORT jint JNI_OnLoad(JavaVM* vm, void*) {
  g_vm = vm;
  void* env = nullptr;
  if (vm->GetEnv(&env, JNI_VERSION_1_6) != JNI_OK) return JNI_ERR;
  if (pthread_key_create(&g_detach_key, DetachThread) != 0) return JNI_ERR;
  if (!CacheAll(static_cast<JNIEnv*>(env)) || !RegisterAll(static_cast<JNIEnv*>(env))) return JNI_ERR;
  return JNI_VERSION_1_6;
}

// When the class loader that loaded the library is collected: the cached references go.
extern "C" JNIEXPORT void JNI_OnUnload(JavaVM* vm, void*) {
  void* env = nullptr;
  if (vm->GetEnv(&env, JNI_VERSION_1_6) != JNI_OK) return;
  auto* e = static_cast<JNIEnv*>(env);
  for (jobject global : {static_cast<jobject>(g.string_class), g.utf8, static_cast<jobject>(g.exception),
                         static_cast<jobject>(g.chosa), static_cast<jobject>(g.form), static_cast<jobject>(g.store),
                         static_cast<jobject>(g.draft), static_cast<jobject>(g.actions),
                         static_cast<jobject>(g.sync)}) {
    if (global != nullptr) e->DeleteGlobalRef(global);
  }
  g = Cache{};
  pthread_key_delete(g_detach_key);
}
