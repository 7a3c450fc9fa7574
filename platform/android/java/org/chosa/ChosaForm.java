package org.chosa;

/** A form read and checked ({@code chosa_form}): read-only, usable from any thread. */
public final class ChosaForm extends ChosaHandle {
  private ChosaForm(long handle) {
    super(handle);
  }

  /**
   * {@code chosa_form_parse}: reads and checks a form's JSON without a store. A broken form throws
   * {@link ChosaException#INVALID_ARGUMENT} with the first fault's pointer and column, and every
   * fault in the message.
   */
  public static native ChosaForm parse(String json);

  /**
   * {@code chosa_form_info_json}: {"form_id", "version", "title", "language", "languages", "pages"},
   * the title in {@code language} (null: the form's default).
   */
  public native String info(String language);

  /** {@code chosa_form_free}. */
  @Override
  public native void close();
}
