package org.chosa;

/**
 * The platform hooks a Java app gives {@link ChosaStore#open} (chosa.h's {@code chosa_platform}):
 * the ones an Android app replaces first. The others (clock, time zone, random bytes, HTTP,
 * secrets) stay chosa's defaults.
 *
 * <p>chosa calls them on whichever thread is in a call that needs them (a sync's thread asks
 * {@link #networkAvailable()}), so they must be thread-safe, and they must not call into chosa.
 * The store keeps the object (a JNI global reference) until the store and everything made from it
 * are closed. What a hook throws is printed and dropped: chosa then goes on as if the hook were
 * absent.
 */
public interface ChosaPlatform {
  int LOG_DEBUG = 0;
  int LOG_INFO = 1;
  int LOG_WARNING = 2;
  int LOG_ERROR = 3;

  /**
   * Whether a network is worth trying now (Android: ConnectivityManager). false makes a sync stop
   * at once with {@link ChosaException#UNAVAILABLE}, without a request.
   */
  boolean networkAvailable();

  /** One line of chosa's log, {@link #LOG_DEBUG} to {@link #LOG_ERROR} (Android: android.util.Log). */
  void log(int level, String message);
}
