package io.usergate.fetch;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A bulk read by a filter expression ({@code upstream.batchFilter}, {@code upstream.batchFilterJoin}): each id
 * made into its term, the terms joined, e.g. {@code id eq "a" or id eq "b"} (SCIM, Okta) or {@code 'a','b'}
 * (Graph's {@code id in (...)}). RFC 6570 cannot build such an expression from a list, so this builds it and
 * the bulk endpoint's template takes it whole as {@code {filter}}, percent-encoding it there. An id is escaped
 * for the quotes its term puts around it, so that no id can end its string and add a clause of its own:
 * {@code \"} and {@code \\} inside {@code "…"} (SCIM's and Okta's JSON strings), {@code ''} inside {@code '…'} (OData).
 */
final class BatchFilter {

  private static final String ID = "{id}";

  private final String before;
  private final String after;
  private final String join;
  private final char quote;

  /** {@code term} holds {@code {id}} once (checked with the configuration). */
  BatchFilter(String term, String join) {
    int at = term.indexOf(ID);
    if (at < 0) {
      throw new IllegalArgumentException("upstream.batchFilter \"" + term + "\" has no {id}");
    }
    this.before = term.substring(0, at);
    this.after = term.substring(at + ID.length());
    this.join = join;
    this.quote = at > 0 ? term.charAt(at - 1) : 0;
  }

  /** The filter for these ids, in their order. */
  String expression(List<String> ids) {
    return ids.stream().map(id -> before + escaped(id) + after).collect(Collectors.joining(join));
  }

  private String escaped(String id) {
    return switch (quote) {
      case '"' -> id.replace("\\", "\\\\").replace("\"", "\\\"");
      case '\'' -> id.replace("'", "''");
      default -> id;
    };
  }
}
