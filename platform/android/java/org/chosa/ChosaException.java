package org.chosa;

/**
 * A call of the C API that did not return {@code CHOSA_OK}: its code and the fields of its
 * {@code chosa_error} (docs/c-api.md "Errors"). Every failing call of this package throws one;
 * none returns an error code.
 */
public class ChosaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  // The values of chosa.h's chosa_code.
  public static final int OK = 0;
  public static final int INVALID_ARGUMENT = 1;
  public static final int NOT_FOUND = 2;
  public static final int CORRUPTION = 3;
  public static final int IO_ERROR = 4;
  public static final int UNSUPPORTED = 5;
  public static final int INTERNAL = 6;
  public static final int ALREADY_EXISTS = 7;
  public static final int UNAUTHENTICATED = 8;
  public static final int PERMISSION_DENIED = 9;
  public static final int UNAVAILABLE = 10;
  public static final int STORE_TOO_NEW = 11;
  public static final int MISUSE = 12;
  public static final int CANCELLED = 13;
  public static final int NO_MEMORY = 14;

  private final int code;
  private final String codeName;
  private final String path;
  private final String pointer;
  private final int column;
  private final String report;

  /** Made by the native glue (and usable by an app's own code, e.g. a fake in its tests). */
  public ChosaException(int code, String codeName, String message, String path, String pointer, int column,
      String report) {
    super(codeName + ": " + message);
    this.code = code;
    this.codeName = codeName;
    this.path = path == null ? "" : path;
    this.pointer = pointer == null ? "" : pointer;
    this.column = column;
    this.report = report;
  }

  /** The chosa_code: {@link #INVALID_ARGUMENT}, {@link #MISUSE}, ... */
  public int code() {
    return code;
  }

  /** The code's stable name, as {@code chosa_code_name()} gives it: "invalid_argument", ... */
  public String codeName() {
    return codeName;
  }

  /** The answer concerned ("age", "attendees[2]/name"), or "". */
  public String path() {
    return path;
  }

  /** The JSON Pointer of the fault in a form ("/items/3/relevant"), or "". */
  public String pointer() {
    return pointer;
  }

  /** The 1-based column inside the expression at {@link #pointer()}, or 0. */
  public int column() {
    return column;
  }

  /**
   * The sync report of a {@link ChosaSync#run} that started and stopped early (cancelled, out of
   * reach, ...): what was sent, what is left. null for every other call.
   */
  public String report() {
    return report;
  }
}
