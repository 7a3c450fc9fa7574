package org.chosa;

/**
 * A C handle (chosa_store*, chosa_draft*, ...) held as a {@code long}. {@link #close()} releases
 * it and sets it to 0; every later call passes 0, which the C API refuses with
 * {@link ChosaException#MISUSE}, so a closed object throws instead of crashing. Closing twice is
 * harmless. As in C, {@code close()} must not run while another call on the same object runs on
 * another thread.
 */
public abstract class ChosaHandle implements AutoCloseable {
  static {
    Chosa.load();
  }

  // Read and cleared by the native glue (its field ID is cached in JNI_OnLoad).
  long handle;

  ChosaHandle(long handle) {
    this.handle = handle;
  }

  /** Whether {@link #close()} was called. */
  public final boolean isClosed() {
    return handle == 0;
  }

  /** Releases the C handle ({@code chosa_*_close}). */
  @Override
  public abstract void close();
}
