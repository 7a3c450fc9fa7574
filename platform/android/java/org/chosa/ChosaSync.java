package org.chosa;

/**
 * The sync of a store with its collector ({@code chosa_sync}). {@link #run} and {@link #enroll}
 * one at a time (a second waits); {@link #cancel()} from any thread.
 */
public final class ChosaSync extends ChosaHandle {
  /** Downloading form versions: done / total forms. */
  public static final int FORMS = 0;
  /** Sending the outbox: done / total submissions. */
  public static final int PUSH = 1;
  /** Waiting waitMs before a retry, because of why. */
  public static final int WAITING = 2;

  /** A sync's progress ({@code chosa_sync_progress}), called on the thread running {@link #run}. */
  public interface Progress {
    void onProgress(int phase, long done, long total, long bytesSent, long waitMs, String why);
  }

  private ChosaSync(long handle) {
    super(handle);
  }

  /** {@code chosa_sync_close}: not while {@link #run} runs on another thread (cancel it first). */
  @Override
  public native void close();

  /**
   * {@code chosa_sync_enroll}: enrols the device with a one-time code; {@code caFile} (may be
   * null: the system's trust) is the PEM file of the CA to trust; {@code deviceName} may be null.
   */
  public native void enroll(String collectorUrl, String caFile, String code, String deviceName);

  /** {@code chosa_sync_is_enrolled}. */
  public native boolean isEnrolled();

  /**
   * {@code chosa_sync_run}: pulls new form versions, then sends the outbox; returns the sync report
   * (JSON). {@code progress} (may be null) is called on this thread as the sync goes and released
   * when the call returns. A sync that stopped early throws, the report in
   * {@link ChosaException#report()}: {@link ChosaException#CANCELLED}, UNAVAILABLE, ... What
   * {@code progress} throws cancels the sync and is rethrown here.
   */
  public native String run(Progress progress);

  /** {@code chosa_sync_cancel}: from any thread; no effect when no run is in progress. */
  public native void cancel();
}
