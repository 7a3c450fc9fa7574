package org.chosa;

/**
 * A device store ({@code chosa_store}): one SQLite file holding installed forms, drafts, the
 * outbox and the sync's credentials. Any thread, concurrently. Closing it closes what is still
 * open of it (drafts, channels, syncs: their calls then throw {@link ChosaException#MISUSE}).
 */
public final class ChosaStore extends ChosaHandle {
  private ChosaStore(long handle) {
    super(handle);
  }

  /**
   * {@code chosa_store_open}: opens (creating if missing) the store at {@code path}.
   *
   * @param deviceId the identity of a new store ("tablet-07"); null: a random "tablet-…"
   * @param platform the app's hooks; null: chosa's defaults. Kept until the store and everything
   *     made from it are closed.
   */
  public static native ChosaStore open(String path, String deviceId, ChosaPlatform platform);

  /** {@code chosa_store_close}. */
  @Override
  public native void close();

  /** {@code chosa_store_device_id}. */
  public native String deviceId();

  /** {@code chosa_store_install_form}: {"form_id", "version", "sha256", "installed_at"}. */
  public native String installForm(String json);

  /** {@code chosa_store_install_form_file}: the same from a file, its $refs beside it. */
  public native String installFormFile(String path);

  /** {@code chosa_store_load_form}: the newest version of {@code formId}, or {@code version}. */
  public native ChosaForm loadForm(String formId, String version);

  /** {@code chosa_store_list_forms}: a JSON array, one entry per form id, titles in {@code language}. */
  public native String listForms(String language);

  /** {@code chosa_store_list_instances}: a JSON array of the fillings in {@code state}: "draft", "finalized", "sent", "rejected". */
  public native String listInstances(String state);

  /** {@code chosa_store_delete_draft}. */
  public native void deleteDraft(long draftId);

  /** {@code chosa_store_read_submission}: a finalized submission's canonical bytes, as UTF-8 text. */
  public native String readSubmission(String uuid);

  /** {@code chosa_draft_start}: a new draft; {@code enumeratorId} and {@code language} may be null. */
  public native ChosaDraft startDraft(String formId, String enumeratorId, String language);

  /** {@code chosa_draft_resume}: a draft (or a rejected submission) as it was left. */
  public native ChosaDraft resumeDraft(long draftId);

  /** {@code chosa_actions_open}: a channel for a renderer in a web view. */
  public native ChosaActions openActions(String enumeratorId);

  /** {@code chosa_sync_open}: the sync of this store with its collector. */
  public native ChosaSync openSync();
}
