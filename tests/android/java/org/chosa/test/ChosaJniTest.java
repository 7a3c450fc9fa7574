package org.chosa.test;

import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chosa.Chosa;
import org.chosa.ChosaActions;
import org.chosa.ChosaDraft;
import org.chosa.ChosaException;
import org.chosa.ChosaForm;
import org.chosa.ChosaPlatform;
import org.chosa.ChosaStore;
import org.chosa.ChosaSync;

/**
 * The JNI binding (org.chosa) on this machine's JVM, run by tests/android/jni_test.sh against a
 * real chosa-collector on loopback TLS: workshop_attendee_survey filled once through the action
 * messages as the web renderer sends them and once through the draft calls, both finalized and
 * synced (progress on the Java thread running the sync, a cancel from another Java thread that
 * loses nothing), every error a ChosaException with its code, and the callbacks' global
 * references released. Writes each submission's UUID and canonical bytes to
 * WORK/submissions.tsv, which the script compares with the collector's export.
 *
 * <p>usage: ChosaJniTest SOURCE_DIR WORK_DIR COLLECTOR_URL CA_FILE ENROLMENT_CODE
 */
public final class ChosaJniTest {
  private static final String FORM = "workshop_attendee_survey";
  // A character outside the BMP (U+20BB7, as in 𠮷野家): JNI's "modified UTF-8" would mangle it.
  private static final String COMMENT = "グループワークが良かった 𠮷";
  private static final String NAME_2 = "佐藤 𠮷子";
  private static final long WAIT_SECONDS = 60;  // a bound for meeting another thread, not a timing check

  private ChosaJniTest() {}

  // ---- checks ---------------------------------------------------------------------------------

  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  static void checkContains(String text, String part, String what) {
    check(text != null && text.contains(part), what + ": expected " + part + " in " + text);
  }

  interface Call {
    void run() throws Exception;
  }

  /** Runs `call`, which must throw a ChosaException with `code`; returns it. */
  static ChosaException expectChosa(int code, String what, Call call) throws Exception {
    try {
      call.run();
    } catch (ChosaException e) {
      check(e.code() == code, what + ": expected " + Chosa.codeName(code) + ", got " + e.getMessage());
      check(e.codeName().equals(Chosa.codeName(code)), what + ": code name " + e.codeName());
      return e;
    }
    throw new AssertionError(what + ": expected a ChosaException " + Chosa.codeName(code) + ", nothing was thrown");
  }

  /** The first group of `regex` in `text`. */
  static String find(String text, String regex, String what) {
    Matcher m = Pattern.compile(regex).matcher(text);
    check(m.find(), what + ": no " + regex + " in " + text);
    return m.group(1);
  }

  /**
   * Whether the object only `ref` still reaches is collected, given a bounded number of
   * collections: an object a leaked JNI global reference holds never is.
   */
  static boolean collected(WeakReference<?> ref) throws InterruptedException {
    for (int i = 0; i < 50 && ref.get() != null; ++i) {
      System.gc();
      Thread.sleep(10);
    }
    return ref.get() == null;
  }

  // ---- the web view's side ------------------------------------------------------------------

  /** What a WebView's @JavascriptInterface handle(json) does: one message, its reply. */
  static final class Renderer {
    final ChosaActions channel;

    Renderer(ChosaActions channel) {
      this.channel = channel;
    }

    String send(String request) {
      String reply = channel.handle(request);
      check(reply.startsWith("{\"v\":1"), "a reply of version 1: " + reply);
      return reply;
    }

    String ok(String request) {
      String reply = send(request);
      checkContains(reply, "\"ok\":true", request);
      return reply;
    }

    String refused(String request, String code) {
      String reply = send(request);
      checkContains(reply, "\"ok\":false", request);
      checkContains(reply, "\"code\":\"" + code + "\"", request);
      return reply;
    }

    String answerText(String path, String text) {
      return ok("{\"v\":1,\"op\":\"answer\",\"path\":\"" + path + "\",\"text\":\"" + text + "\"}");
    }

    String answerValue(String path, String json) {
      return ok("{\"v\":1,\"op\":\"answer\",\"path\":\"" + path + "\",\"value\":" + json + "}");
    }
  }

  // ---- the platform hooks -------------------------------------------------------------------

  /** What the platform hooks saw; the hooks object itself is reachable only through the store. */
  static final class PlatformState {
    final AtomicBoolean network = new AtomicBoolean(true);
    final List<Thread> networkThreads = Collections.synchronizedList(new ArrayList<Thread>());
    final List<String> logs = Collections.synchronizedList(new ArrayList<String>());
  }

  static final class TestPlatform implements ChosaPlatform {
    private final PlatformState state;

    TestPlatform(PlatformState state) {
      this.state = state;
    }

    @Override
    public boolean networkAvailable() {
      state.networkThreads.add(Thread.currentThread());
      return state.network.get();
    }

    @Override
    public void log(int level, String message) {
      state.logs.add(level + " " + message);
    }
  }

  /** Opens the store with a platform only the store holds; `platformRef` receives a weak reference to it. */
  static ChosaStore openStore(Path path, PlatformState state, AtomicReference<WeakReference<ChosaPlatform>> platformRef) {
    ChosaPlatform platform = new TestPlatform(state);
    platformRef.set(new WeakReference<>(platform));
    return ChosaStore.open(path.toString(), "tablet-java", platform);
  }

  // ---- sync progress ------------------------------------------------------------------------

  static final class Event {
    final int phase;
    final long done;
    final long total;
    final String why;
    final Thread thread;

    Event(int phase, long done, long total, String why) {
      this.phase = phase;
      this.done = done;
      this.total = total;
      this.why = why;
      this.thread = Thread.currentThread();
    }
  }

  static class Recorder implements ChosaSync.Progress {
    final List<Event> events = Collections.synchronizedList(new ArrayList<Event>());

    @Override
    public void onProgress(int phase, long done, long total, long bytesSent, long waitMs, String why) {
      events.add(new Event(phase, done, total, why));
    }
  }

  /**
   * A sync with a progress listener only the native side holds during the run; returns the report
   * and leaves a weak reference to the listener in `listenerRef`.
   */
  static String runWithFreshListener(ChosaSync sync, List<Event> events, AtomicReference<WeakReference<Recorder>> listenerRef) {
    Recorder recorder = new Recorder();
    listenerRef.set(new WeakReference<>(recorder));
    try {
      return sync.run(recorder);
    } finally {
      events.addAll(recorder.events);
    }
  }

  // ---- the test -----------------------------------------------------------------------------

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: ChosaJniTest SOURCE_DIR WORK_DIR COLLECTOR_URL CA_FILE ENROLMENT_CODE");
      System.exit(2);
    }
    final long started = System.nanoTime();
    Path source = Paths.get(args[0]);
    Path work = Paths.get(args[1]);
    String collectorUrl = args[2];
    String caFile = args[3];
    String code = args[4];
    String formFile = source.resolve("schemas/examples/" + FORM + ".json").toString();

    // The library, and the Java codes agreeing with chosa.h's (each constant's name is its code's).
    check(Chosa.version().matches("\\d+\\.\\d+\\.\\d+"), "version " + Chosa.version());
    String[] parts = Chosa.version().split("\\.");
    check(Chosa.versionNumber()
            == Integer.parseInt(parts[0]) * 1000000 + Integer.parseInt(parts[1]) * 1000 + Integer.parseInt(parts[2]),
        "versionNumber " + Chosa.versionNumber());
    int codes = 0;
    for (Field field : ChosaException.class.getFields()) {
      if (field.getType() != int.class || !Modifier.isStatic(field.getModifiers())) continue;
      check(Chosa.codeName(field.getInt(null)).equals(field.getName().toLowerCase(java.util.Locale.ROOT)),
          "ChosaException." + field.getName() + " is chosa.h's " + Chosa.codeName(field.getInt(null)));
      ++codes;
    }
    check(codes == 15 && Chosa.codeName(15).equals("unknown"), "every chosa_code has its constant (" + codes + ")");
    System.out.println("chosa " + Chosa.version() + " loaded through JNI");

    // A form read without a store: its faults, its description, a released handle.
    expectChosa(ChosaException.INVALID_ARGUMENT, "a form that is not JSON", () -> ChosaForm.parse("{"));
    ChosaException fault = expectChosa(ChosaException.INVALID_ARGUMENT, "a broken expression", () -> ChosaForm.parse(
        "{\"format\":1,\"id\":\"f\",\"version\":\"1\",\"title\":\"T\",\"languages\":[\"en\"],"
            + "\"items\":[{\"type\":\"integer\",\"name\":\"a\",\"label\":\"A\",\"relevant\":\"1 +\"}]}"));
    check(fault.pointer().equals("/items/0/relevant") && fault.column() > 0,
        "the fault's pointer and column: " + fault.pointer() + " " + fault.column());
    ChosaForm small = ChosaForm.parse("{\"format\":1,\"id\":\"f\",\"version\":\"1\",\"title\":\"T\","
        + "\"languages\":[\"en\"],\"items\":[{\"type\":\"integer\",\"name\":\"a\",\"label\":\"A\"}]}");
    checkContains(small.info(null), "\"form_id\":\"f\"", "a form's description");
    small.close();
    check(small.isClosed(), "a closed form says so");
    expectChosa(ChosaException.MISUSE, "a released form", () -> small.info(null));
    small.close();  // twice: harmless

    // A store that fails to open gives its platform back, whether chosa took it (a missing
    // directory) or refused the call first (no path): released once, never twice (-Xcheck:jni).
    AtomicReference<WeakReference<ChosaPlatform>> refusedRef = new AtomicReference<>();
    expectChosa(ChosaException.IO_ERROR, "a store in a missing directory",
        () -> openStore(work.resolve("missing/device.sqlite"), new PlatformState(), refusedRef));
    check(collected(refusedRef.get()), "the platform of a store that failed to open is collected");
    expectChosa(ChosaException.INVALID_ARGUMENT, "a store without a path",
        () -> openStore(Paths.get(""), new PlatformState(), refusedRef));
    check(collected(refusedRef.get()), "the platform of a store refused at once is collected");

    PlatformState platformState = new PlatformState();
    AtomicReference<WeakReference<ChosaPlatform>> platformRef = new AtomicReference<>();
    ChosaStore store = openStore(work.resolve("device.sqlite"), platformState, platformRef);
    check(store.deviceId().equals("tablet-java"), "the device id");
    checkContains(store.installFormFile(formFile), "\"form_id\":\"" + FORM + "\"", "installing the survey");
    checkContains(store.listForms("en"), "\"form_id\":\"" + FORM + "\"", "the forms");
    try (ChosaForm form = store.loadForm(FORM, null)) {
      checkContains(form.info("en"), "\"pages\":3", "the survey's description");
    }
    expectChosa(ChosaException.INVALID_ARGUMENT, "installing a form that is not JSON", () -> store.installForm("{ not json"));
    expectChosa(ChosaException.NOT_FOUND, "a form that is not installed", () -> store.loadForm("no_such_form", null));
    expectChosa(ChosaException.INVALID_ARGUMENT, "an unknown listing state", () -> store.listInstances("bogus"));
    expectChosa(ChosaException.NOT_FOUND, "a draft that does not exist", () -> store.resumeDraft(9999));
    expectChosa(ChosaException.NOT_FOUND, "a submission that does not exist", () -> store.readSubmission("nope"));
    ChosaException nul = expectChosa(ChosaException.INVALID_ARGUMENT, "a NUL inside a string",
        () -> store.startDraft(FORM + "\0x", null, null));
    checkContains(nul.getMessage(), "NUL", "what the glue says of a NUL");

    // ---- 1. The survey filled by the web renderer's action messages ----
    ChosaActions actions = store.openActions("staff-java");
    Renderer web = new Renderer(actions);
    checkContains(web.ok("{\"v\":1,\"op\":\"forms\",\"language\":\"en\"}"), FORM, "the forms action");
    String reply = web.ok("{\"v\":1,\"op\":\"start\",\"form_id\":\"" + FORM + "\",\"language\":\"en\",\"id\":7}");
    checkContains(reply, "\"id\":7", "the request's id echoed");
    checkContains(reply, "\"page_name\":\"p_event\"", "the first page");
    reply = web.refused("{\"v\":1,\"op\":\"next\"}", "invalid_argument");
    checkContains(reply, "\"path\":\"event_type\"", "next blocked at the first missing answer");
    reply = web.refused("{\"v\":1,\"op\":\"answer\",\"path\":\"event_type\",\"txet\":\"workshop\"}", "invalid_argument");
    checkContains(reply, "\"pointer\":\"/txet\"", "a misspelt field");
    web.refused("not json", "invalid_argument");
    web.refused("{\"v\":2,\"op\":\"view\"}", "unsupported");
    web.answerText("event_type", "workshop");
    web.answerText("event_date", "2024-09-12");
    web.answerValue("block", "\"east\"");
    web.answerText("ward", "271098");
    web.answerValue("profession", "\"pharmacist\"");
    checkContains(web.ok("{\"v\":1,\"op\":\"next\"}"), "\"page_name\":\"p_questions\"", "the second page");
    web.answerText("feels_collaborating", "yes");
    web.answerValue("knew_support_office", "\"no\"");
    web.answerText("wish_collaborate", "want");
    web.answerText("acp_awareness", "name_only");
    web.answerValue("useful", "\"4\"");
    web.answerValue("comments", "\"" + COMMENT + "\"");
    reply = web.ok("{\"v\":1,\"op\":\"next\"}");
    checkContains(reply, "\"page_name\":\"p_signin\"", "the last page");
    checkContains(reply, "\"is_last\":true", "the last page says so");
    web.answerText("attendees[1]/attendee_name", "田中 美咲");
    web.answerText("attendees[1]/attendee_profession", "nurse");
    checkContains(web.ok("{\"v\":1,\"op\":\"add_instance\",\"repeat\":\"attendees\"}"), "\"position\":2", "a second attendee");
    web.answerValue("attendees[2]/attendee_name", "\"高橋 健\"");
    web.answerText("attendees[2]/attendee_profession", "pharmacist");
    web.answerText("attendees[2]/attendee_organisation", "天王寺区薬局");
    checkContains(web.ok("{\"v\":1,\"op\":\"review\"}"), "\"can_finalize\":true", "the review");
    reply = web.ok("{\"v\":1,\"op\":\"finalize\",\"id\":\"fin\"}");
    String uuid1 = find(reply, "\"uuid\":\"([0-9a-f-]{36})\"", "the finalized submission");
    web.refused("{\"v\":1,\"op\":\"finalize\"}", "misuse");
    String submission1 = store.readSubmission(uuid1);
    for (String part : new String[] {"\"event_type\":\"workshop\"", "\"block\":\"east\"", "\"ward\":\"271098\"",
             "\"comments\":\"" + COMMENT + "\"", "\"attendee_name\":\"高橋 健\"", "\"n_attendees\":2",
             "\"n_pharmacists\":1", "\"device_id\":\"tablet-java\"", "\"enumerator_id\":\"staff-java\""}) {
      checkContains(submission1, part, "the first submission");
    }
    System.out.println("finalized through action messages: " + uuid1);

    // ---- enrolment and the first sync: progress on the thread that runs it ----
    ChosaSync sync = store.openSync();
    check(!sync.isEnrolled(), "not enrolled yet");
    expectChosa(ChosaException.UNAUTHENTICATED, "a sync before enrolment", () -> sync.run(null));
    expectChosa(ChosaException.PERMISSION_DENIED, "an unknown code",
        () -> sync.enroll(collectorUrl, caFile, "ABCD-EFGH-JKMN-PQRS", "java test"));
    sync.enroll(collectorUrl, caFile, code, "java test");
    check(sync.isEnrolled(), "enrolled");
    List<Event> events = new ArrayList<>();
    AtomicReference<WeakReference<Recorder>> listenerRef = new AtomicReference<>();
    platformState.networkThreads.clear();
    String report = runWithFreshListener(sync, events, listenerRef);
    checkContains(report, "\"sent\":1", "the first sync's report");
    checkContains(report, "\"complete\":true", "the first sync's report");
    boolean pushed = false;
    for (Event e : events) {
      check(e.thread == Thread.currentThread(), "progress on the thread running the sync, not " + e.thread);
      pushed |= e.phase == ChosaSync.PUSH && e.done == 1 && e.total == 1;
    }
    check(pushed, "the progress reported the push of 1 of 1");
    check(!platformState.networkThreads.isEmpty() && platformState.networkThreads.get(0) == Thread.currentThread(),
        "networkAvailable asked on the thread running the sync");
    // The listener's global reference went with the run: nothing else reaches it now.
    check(collected(listenerRef.get()), "the progress listener is collected after the run (its global ref released)");
    checkContains(store.listInstances("sent"), uuid1, "the first submission is marked sent");
    System.out.println("synced: " + events.size() + " progress calls");

    // ---- 2. The same survey through the draft calls ----
    ChosaDraft draft = store.startDraft(FORM, "staff-java", "en");
    check(draft.id() > 0, "the draft's id");
    ChosaException blocked = expectChosa(ChosaException.INVALID_ARGUMENT, "next on an empty page", draft::next);
    check(blocked.path().equals("event_type"), "blocked at " + blocked.path());
    expectChosa(ChosaException.INVALID_ARGUMENT, "bad JSON for an answer", () -> draft.setAnswerJson("event_date", "{not json"));
    expectChosa(ChosaException.INVALID_ARGUMENT, "a value that is no choice", () -> draft.setAnswer("event_type", "party"));
    expectChosa(ChosaException.INVALID_ARGUMENT, "back on the first page", draft::back);
    expectChosa(ChosaException.INVALID_ARGUMENT, "a page that does not exist", () -> draft.goToPage(99));
    expectChosa(ChosaException.INVALID_ARGUMENT, "a language the form lacks", () -> draft.setLanguage("xx"));
    draft.setLanguage("ja");
    checkContains(draft.view(), "\"language\":\"ja\"", "the view in Japanese");
    draft.setLanguage("en");
    draft.setAnswer("event_type", "acp_seminar");
    draft.setAnswer("event_date", "2024-10-01");
    draft.setAnswerJson("profession", "\"nurse\"");
    draft.next();
    checkContains(draft.view(), "\"page_name\":\"p_questions\"", "the second page");
    draft.setAnswer("feels_collaborating", "no");
    draft.setAnswer("knew_support_office", "yes");
    draft.setAnswer("worked_with_support_office", "yes");
    draft.setAnswer("wish_collaborate", "already");
    draft.setAnswer("acp_awareness", "name_and_content");
    draft.setAnswer("acp_understood", "yes");
    draft.setAnswerJson("useful", "\"3\"");
    draft.next();
    draft.setAnswer("attendees[1]/attendee_name", NAME_2);
    draft.setAnswer("attendees[1]/attendee_profession", "nurse");
    check(draft.addInstance("attendees") == 2, "a second instance");
    draft.removeInstance("attendees", 2);
    checkContains(draft.review(), "\"can_finalize\":true", "the review");
    String uuid2 = draft.finalizeDraft();
    expectChosa(ChosaException.MISUSE, "a finalized draft", draft::view);
    draft.close();
    expectChosa(ChosaException.MISUSE, "a released draft", draft::view);
    check(draft.id() == 0, "a released draft has no id");
    draft.close();  // twice: harmless
    String submission2 = store.readSubmission(uuid2);
    for (String part : new String[] {"\"event_type\":\"acp_seminar\"", "\"acp_understood\":\"yes\"",
             "\"attendee_name\":\"" + NAME_2 + "\"", "\"n_attendees\":1", "\"n_pharmacists\":0"}) {
      checkContains(submission2, part, "the second submission");
    }
    check(!submission2.contains("\"block\""), "a question that was not asked is absent: " + submission2);

    // A draft left and resumed, then deleted.
    long leftId;
    try (ChosaDraft left = store.startDraft(FORM, null, "en")) {
      left.setAnswer("event_type", "report_meeting");
      leftId = left.id();
    }
    try (ChosaDraft resumed = store.resumeDraft(leftId)) {
      checkContains(resumed.view(), "\"value\":\"report_meeting\"", "the resumed draft's answer");
    }
    checkContains(store.listInstances("draft"), "\"id\":" + leftId, "the draft listed");
    store.deleteDraft(leftId);
    expectChosa(ChosaException.NOT_FOUND, "a deleted draft", () -> store.resumeDraft(leftId));
    System.out.println("finalized through draft calls: " + uuid2);

    // ---- a sync cancelled from another Java thread: it says so, and nothing is lost ----
    final CountDownLatch inPush = new CountDownLatch(1);
    final CountDownLatch cancelIssued = new CountDownLatch(1);
    final AtomicReference<Throwable> runOutcome = new AtomicReference<>();
    final Recorder cancelled = new Recorder() {
      @Override
      public void onProgress(int phase, long done, long total, long bytesSent, long waitMs, String why) {
        super.onProgress(phase, done, total, bytesSent, waitMs, why);
        if (phase == ChosaSync.PUSH && done == 0) {
          // Before the push's first request: hold the sync here until the cancel was issued.
          inPush.countDown();
          try {
            cancelIssued.await(WAIT_SECONDS, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    Thread runner = new Thread(() -> {
      try {
        sync.run(cancelled);
        runOutcome.set(new AssertionError("the sync was not cancelled"));
      } catch (Throwable t) {
        runOutcome.set(t);
      }
    }, "sync runner");
    Thread canceller = new Thread(() -> {
      try {
        if (inPush.await(WAIT_SECONDS, TimeUnit.SECONDS)) sync.cancel();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      cancelIssued.countDown();
    }, "canceller");
    runner.start();
    canceller.start();
    runner.join();
    canceller.join();
    check(inPush.getCount() == 0, "the sync reached its push");
    check(runOutcome.get() instanceof ChosaException, "the cancelled sync threw " + runOutcome.get());
    ChosaException cancel = (ChosaException) runOutcome.get();
    check(cancel.code() == ChosaException.CANCELLED, "cancelled: " + cancel.getMessage());
    check(cancel.report() != null, "a cancelled sync has its report");
    checkContains(cancel.report(), "\"sent\":0", "the cancelled sync's report");
    checkContains(cancel.report(), "\"left\":1", "the cancelled sync's report");
    for (Event e : cancelled.events) check(e.thread == runner, "progress on the runner thread, not " + e.thread);
    checkContains(store.listInstances("finalized"), uuid2, "the second submission is still in the outbox");
    check(store.readSubmission(uuid2).equals(submission2), "the outbox keeps the same bytes");

    // No network (the platform hook): refused before any request.
    platformState.network.set(false);
    expectChosa(ChosaException.UNAVAILABLE, "a sync without network", () -> sync.run(null));
    platformState.network.set(true);

    // What a listener throws stops the sync and comes out of run() as it was thrown.
    final IllegalStateException stop = new IllegalStateException("the listener stops the sync");
    try {
      sync.run((phase, done, total, bytesSent, waitMs, why) -> {
        throw stop;
      });
      throw new AssertionError("a throwing listener did not stop the sync");
    } catch (IllegalStateException e) {
      check(e == stop, "the listener's own exception: " + e);
    }
    checkContains(store.listInstances("finalized"), uuid2, "still in the outbox after the listener stopped the sync");

    events.clear();
    report = runWithFreshListener(sync, events, listenerRef);
    checkContains(report, "\"sent\":1", "the last sync's report");
    checkContains(report, "\"left\":0", "the last sync's report");
    check(collected(listenerRef.get()), "the last listener is collected too");
    String sent = store.listInstances("sent");
    checkContains(sent, uuid1, "both sent");
    checkContains(sent, uuid2, "both sent");
    System.out.println("cancelled, then synced: " + uuid2);

    Files.write(work.resolve("submissions.tsv"),
        (uuid1 + "\t" + submission1 + "\n" + uuid2 + "\t" + submission2 + "\n").getBytes(StandardCharsets.UTF_8));

    // ---- closing: children of a closed store, and the platform's global reference ----
    sync.close();
    actions.close();
    ChosaActions late = store.openActions(null);
    store.close();
    expectChosa(ChosaException.MISUSE, "a closed store", () -> store.listForms(null));
    new Renderer(late).refused("{\"v\":1,\"op\":\"forms\"}", "misuse");
    // The channel still holds the store's hooks: the platform is kept until it goes.
    System.gc();
    check(platformRef.get().get() != null, "the platform is kept while a channel of the store is open");
    late.close();
    expectChosa(ChosaException.MISUSE, "a released channel", () -> late.handle("{\"v\":1,\"op\":\"forms\"}"));
    check(collected(platformRef.get()), "the platform is collected once the store and its children are closed");

    System.out.printf("jni test: ok (%d ms in the JVM)%n", (System.nanoTime() - started) / 1000000);
  }
}
