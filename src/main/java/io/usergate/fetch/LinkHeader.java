package io.usergate.fetch;

import java.util.List;
import java.util.Locale;

/**
 * The {@code Link} header (RFC 8288): {@code <target>; param=value; param="quoted, value", <target2>; rel="next last"}.
 * Several links in one header line or in several lines; parameters quoted or not, with {@code \} escapes in
 * quotes; {@code rel} a space-separated list of relation types, compared case-insensitively. A header that
 * does not parse is an error rather than "no next link": taken for the last page, it would end a walk early.
 */
final class LinkHeader {

  private LinkHeader() {
  }

  /**
   * The target of the first link whose {@code rel} holds {@code relation}, as written (unresolved), or null
   * when none has it.
   *
   * @throws IllegalArgumentException naming what does not parse
   */
  static String target(List<String> headers, String relation) {
    for (String header : headers) {
      String found = new Parser(header).find(relation.toLowerCase(Locale.ROOT));
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static final class Parser {
    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    String find(String relation) {
      while (true) {
        skipWhitespaceAnd(',');
        if (at >= text.length()) {
          return null;
        }
        if (text.charAt(at) != '<') {
          throw malformed("a link starts with <");
        }
        int close = text.indexOf('>', at);
        if (close < 0) {
          throw malformed("no > closes the link's target");
        }
        String target = text.substring(at + 1, close).trim();
        at = close + 1;
        boolean matches = false;
        boolean relSeen = false;
        while (true) {
          skipWhitespace();
          if (at >= text.length() || text.charAt(at) == ',') {
            break;
          }
          if (text.charAt(at) != ';') {
            throw malformed("a parameter starts with ;");
          }
          at++;
          skipWhitespace();
          String name = token().toLowerCase(Locale.ROOT);
          if (name.isEmpty()) {
            throw malformed("a parameter has no name");
          }
          skipWhitespace();
          String value = "";
          if (at < text.length() && text.charAt(at) == '=') {
            at++;
            skipWhitespace();
            value = at < text.length() && text.charAt(at) == '"' ? quoted() : token();
          }
          // RFC 8288 3.3: only the first rel parameter counts.
          if (name.equals("rel") && !relSeen) {
            relSeen = true;
            for (String type : value.trim().split("\\s+")) {
              matches |= type.toLowerCase(Locale.ROOT).equals(relation);
            }
          }
        }
        if (matches) {
          return target;
        }
      }
    }

    private String token() {
      int start = at;
      while (at < text.length() && "\t ;,=\"".indexOf(text.charAt(at)) < 0) {
        at++;
      }
      return text.substring(start, at);
    }

    private String quoted() {
      StringBuilder value = new StringBuilder();
      at++;
      while (at < text.length()) {
        char c = text.charAt(at++);
        if (c == '"') {
          return value.toString();
        }
        if (c == '\\' && at < text.length()) {
          c = text.charAt(at++);
        }
        value.append(c);
      }
      throw malformed("a quoted value is not closed");
    }

    private void skipWhitespace() {
      while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
        at++;
      }
    }

    private void skipWhitespaceAnd(char separator) {
      while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t' || text.charAt(at) == separator)) {
        at++;
      }
    }

    private IllegalArgumentException malformed(String rule) {
      return new IllegalArgumentException("the Link header does not parse at character " + at + ": " + rule);
    }
  }
}
