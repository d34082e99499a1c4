package io.usergate.fetch;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * {@code sync.changedSincePath}: a list template with {@code {since}}, written as the directory's documentation
 * writes its filter ({@code /Users?filter=meta.lastModified gt "{since}"&startIndex={startIndex}&count={limit}}).
 * For a poll, {@code {since}} becomes the instant in RFC 3339 (UTC, milliseconds), percent-encoded, and the
 * characters an RFC 6570 literal may not hold (spaces, quotes, ...) are percent-encoded where they stand, so
 * the rest is an ordinary template of the walk's position variables.
 */
public final class ChangedSince {

  public static final String VARIABLE = "{since}";
  /** Characters RFC 6570 (2.1) does not allow in a literal, outside an expression's braces. */
  private static final String NOT_LITERAL = " \"'%<>\\^`|";
  private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private ChangedSince() {
  }

  /**
   * The template of the poll from {@code since}: still a template of the position variables (offset, count, ...).
   *
   * @throws IllegalArgumentException when a brace is not closed
   */
  public static String template(String path, Instant since) {
    String at = URLEncoder.encode(text(since), StandardCharsets.UTF_8);
    String expanded = path.replace(VARIABLE, at);
    StringBuilder template = new StringBuilder(expanded.length() + 16);
    boolean inExpression = false;
    for (int i = 0; i < expanded.length(); i++) {
      char c = expanded.charAt(i);
      if (c == '{') {
        if (inExpression) {
          throw new IllegalArgumentException("a { inside an expression at " + i);
        }
        inExpression = true;
      } else if (c == '}') {
        inExpression = false;
      }
      // A % that already starts an escape stays as it is: an operator may have encoded part of the query.
      boolean escape = c == '%' && i + 2 < expanded.length() && isHex(expanded.charAt(i + 1)) && isHex(expanded.charAt(i + 2));
      if (!inExpression && !escape && (NOT_LITERAL.indexOf(c) >= 0 || c > 0x7e)) {
        template.append(URLEncoder.encode(String.valueOf(c), StandardCharsets.UTF_8).replace("+", "%20"));
      } else {
        template.append(c);
      }
    }
    if (inExpression) {
      throw new IllegalArgumentException("a { is not closed");
    }
    return template.toString();
  }

  /** RFC 3339 in UTC with milliseconds, always three digits (Okta's documented form: 2013-06-01T00:00:00.000Z). */
  public static String text(Instant since) {
    return MILLIS.format(since.truncatedTo(ChronoUnit.MILLIS));
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }
}
