package org.chosa;

/**
 * One filling ({@code chosa_draft}), saved as it goes. One thread at a time (calls from two
 * threads are serialised by the C API). The views are JSON (docs/view-model.md).
 */
public final class ChosaDraft extends ChosaHandle {
  private ChosaDraft(long handle) {
    super(handle);
  }

  /** {@code chosa_draft_close}: everything was saved already. */
  @Override
  public native void close();

  /** {@code chosa_draft_id}: the store's id of the draft (0 once closed). */
  public native long id();

  /** {@code chosa_draft_view_json}: the current page. */
  public native String view();

  /** {@code chosa_draft_review_json}: every relevant page with its answers. */
  public native String review();

  /** {@code chosa_draft_set_answer}: an answer as typed; "" or null clears. */
  public native void setAnswer(String path, String text);

  /** {@code chosa_draft_set_answer_json}: an answer as a JSON value ("82", "[\"a\",\"b\"]", "null"). */
  public native void setAnswerJson(String path, String json);

  /** {@code chosa_draft_add_instance}: returns the new instance's 1-based position. */
  public native int addInstance(String repeat);

  /** {@code chosa_draft_remove_instance}. */
  public native void removeInstance(String repeat, int position);

  /** {@code chosa_draft_next}: blocked by the page's errors (INVALID_ARGUMENT, the first one's path). */
  public native void next();

  /** {@code chosa_draft_back}. */
  public native void back();

  /** {@code chosa_draft_go_to_page}: a relevant page by its 0-based index. */
  public native void goToPage(int page);

  /** {@code chosa_draft_set_language}. */
  public native void setLanguage(String language);

  /** {@code chosa_draft_finalize}: into the outbox; returns the submission's UUID. */
  public native String finalizeDraft();
}
