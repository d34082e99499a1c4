package io.usergate.cache;

import io.vertx.core.buffer.Buffer;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.zip.CRC32C;

/** The HTTP validators of a user as served: made once, when the user enters the cache, for every hit after it. */
public final class Validators {

  private Validators() {
  }

  /** {@code Last-Modified}: when the user was fetched from the directory. */
  public static String lastModified(Instant fetched) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(fetched.atOffset(ZoneOffset.UTC));
  }

  /** A strong validator of the exact bytes served. */
  public static String etag(Buffer body) {
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes());
    return "\"" + Long.toHexString(crc.getValue()) + "-" + Integer.toHexString(body.length()) + "\"";
  }
}
