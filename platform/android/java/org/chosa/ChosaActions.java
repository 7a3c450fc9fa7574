package org.chosa;

/**
 * A message channel for a renderer in a web view ({@code chosa_actions}; docs/c-api.md "Action
 * messages", schemas/action.schema.json). One message at a time per channel.
 *
 * <p>On Android, the object the WebView gets through {@code addJavascriptInterface} forwards its
 * {@code @JavascriptInterface String handle(String)} to {@link #handle(String)}, and the
 * renderer (platform/web) calls {@code window.chosaAndroid.handle(json)} synchronously.
 */
public final class ChosaActions extends ChosaHandle {
  private ChosaActions(long handle) {
    super(handle);
  }

  /**
   * {@code chosa_actions_handle}: one request {"v":1,"op":...} in, its reply {"v":1,"ok":...} out.
   * A refused request is a reply with "ok": false, not an exception; an exception means no reply
   * could be made (a closed channel: {@link ChosaException#MISUSE}).
   */
  public native String handle(String request);

  /** {@code chosa_actions_close}: lets the open draft go (saved already). */
  @Override
  public native void close();
}
