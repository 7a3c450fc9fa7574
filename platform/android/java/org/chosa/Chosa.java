package org.chosa;

/**
 * Loads the binding and tells the library's version: the entry point of chosa for Java and
 * Android (docs/c-api.md "Java and Android (JNI)").
 *
 * <p>{@code libchosa_jni.so} is the JNI glue; it needs {@code libchosa.so.0} (the C API), which
 * the dynamic linker finds beside it (Android: in the app's native library directory; a desktop
 * JVM: through the glue's run path or {@code LD_LIBRARY_PATH}). Every class of this package loads
 * it before its first native call.
 */
public final class Chosa {
  static {
    System.loadLibrary("chosa_jni");
  }

  private Chosa() {}

  /** Makes sure the native library is loaded (the static initialiser above does it once). */
  static void load() {}

  /** {@code chosa_version()}: the library's version, "0.1.0". */
  public static native String version();

  /** {@code chosa_version_number()}: MAJOR * 1000000 + MINOR * 1000 + PATCH. */
  public static native int versionNumber();

  /** {@code chosa_code_name()}: "ok", "invalid_argument", ... ("unknown" outside the enum). */
  public static native String codeName(int code);
}
