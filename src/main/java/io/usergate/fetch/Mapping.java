package io.usergate.fetch;

import io.usergate.config.ConfigKeys;
import io.usergate.config.InvalidConfigException;
import io.usergate.config.Pointers;
import io.usergate.config.Section;
import io.usergate.error.UsergateException;
import io.usergate.user.ActiveRule;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What the directory sends, made into usergate's user ({@code mapping.*}), once, right after the answer
 * is decoded: the user found in its envelope ({@code mapping.userPointer}) or each user of a list
 * ({@code mapping.listPointer}); {@code id}, {@code name}, {@code username} and {@code email} set from
 * their pointers and templates; every other field kept as it came, except those {@code mapping.drop}
 * removes (or all but those {@code mapping.keep} names). Then the user is validated: id as asked,
 * a non-empty name. Nothing downstream (the store, the bus, the logs) sees an unmapped field.
 *
 * <p>A template that is one placeholder alone ({@code {/name}}, the default) takes the directory's
 * string as it is, so the default mapping changes nothing. A template with text or several
 * placeholders renders strings and numbers as text, anything else (or nothing there) as empty, and is
 * trimmed. Messages describe what the directory sent by its shape only: a dropped field's value never
 * reaches an error (nor the sync's {@code last_error} column).
 *
 * <p>Soft deletes are decided here too, so that every path a user enters by (a fetch, the bulk read, the walk's
 * pages, a delta) sees the same decision: with {@code mapping.active} set ({@link ActiveRule}), each user gets
 * {@code "active": true | false}; under {@code sync.inactive} remove an inactive one is no user at all but
 * {@link Mapped#inactive()}, which its caller answers as a 404 ({@link #inactiveError}) and removes from the mirror.
 */
final class Mapping {

  static final String SECTION = "mapping";
  private static final String DEFAULT_ID = "/id";

  /**
   * A user mapped and validated, or why not ({@code problem}), or ({@code inactive}) one the directory marks
   * inactive while {@code sync.inactive} is remove: neither stored nor served. {@code id}: the id it maps to, if a
   * valid one (always, when inactive).
   */
  record Mapped(String id, User user, String problem, boolean inactive) {

    Mapped(String id, User user) {
      this(id, user, null, false);
    }

    static Mapped invalid(String id, String problem) {
      return new Mapped(id, null, problem, false);
    }

    static Mapped inactive(String id) {
      return new Mapped(id, null, null, true);
    }
  }

  /** A list answer whose users are not where {@code mapping.listPointer} says. */
  static final class NotAList extends IllegalArgumentException {
    NotAList(String message) {
      super(message, null);
    }
  }

  /**
   * A placeholder's value in a user. A pointer of one token ({@code /name}: every default) is read as that
   * field itself: the pointer's own query (an iterator and its objects per call) showed in the live
   * path's profile, four times per user. A {@link Pointers.Selector} walks its steps, selecting in arrays.
   */
  private static final class Lookup {
    private final JsonPointer pointer;
    private final String field;
    private final Pointers.Selector selector;

    Lookup(JsonPointer pointer) {
      this.pointer = pointer;
      this.selector = null;
      List<String> tokens = Pointers.tokens(pointer);
      this.field = tokens.size() == 1 ? tokens.get(0) : null;
    }

    Lookup(Pointers.Selector selector) {
      this.pointer = null;
      this.field = null;
      this.selector = selector;
    }

    Object in(JsonObject user) {
      if (selector != null) {
        return select(user);
      }
      return field != null ? user.getValue(field) : pointer.queryJson(user);
    }

    private Object select(JsonObject user) {
      Object current = user;
      for (Pointers.Selector.Step step : selector.steps()) {
        current = child(current, step.token());
        if (step.selects()) {
          current = current instanceof JsonArray array ? first(array, step.field(), step.value()) : null;
        }
        if (current == null) {
          return null;
        }
      }
      return current;
    }

    private static Object child(Object parent, String token) {
      if (parent instanceof JsonObject object) {
        return object.getValue(token);
      }
      if (parent instanceof JsonArray array && token.matches("\\d{1,9}") && Integer.parseInt(token) < array.size()) {
        return array.getValue(Integer.parseInt(token));
      }
      return null;
    }

    /** The first element of {@code array} whose {@code field} reads as {@code value} ({@code true}: the boolean or the string). */
    private static Object first(JsonArray array, String field, String value) {
      for (Object element : array) {
        if (element instanceof JsonObject object && object.getValue(field) != null
          && String.valueOf(object.getValue(field)).equals(value)) {
          return element;
        }
      }
      return null;
    }
  }

  /** A template's alternatives, each a list of parts: a literal {@link String} or a {@link Lookup}. */
  private record Parts(Pointers.Template template, List<List<Object>> alternatives) {

    static Parts of(Pointers.Template template) {
      return template == null ? null : new Parts(template, template.alternatives().stream()
        .map(parts -> parts.stream().map(Parts::lookup).toList()).toList());
    }

    private static Object lookup(Object part) {
      if (part instanceof JsonPointer pointer) {
        return new Lookup(pointer);
      }
      return part instanceof Pointers.Selector selector ? new Lookup(selector) : part;
    }

    @Override
    public String toString() {
      return template.toString();
    }
  }

  private final JsonPointer id;
  private final Lookup idLookup;
  private final Parts name;
  private final Parts username;
  private final Parts email;
  private final JsonPointer userPointer;
  private final JsonPointer listPointer;
  private final List<JsonPointer> drop;
  private final List<JsonPointer> keep;
  /** mapping.active, or null: no rule, and no active field. */
  private final ActiveRule activeRule;
  private final ActiveRule.Inactive inactive;

  Mapping(JsonPointer id, Pointers.Template name, Pointers.Template username, Pointers.Template email,
          JsonPointer userPointer, JsonPointer listPointer, List<JsonPointer> drop, List<JsonPointer> keep) {
    this(id, name, username, email, userPointer, listPointer, drop, keep, null, ActiveRule.Inactive.KEEP);
  }

  Mapping(JsonPointer id, Pointers.Template name, Pointers.Template username, Pointers.Template email,
          JsonPointer userPointer, JsonPointer listPointer, List<JsonPointer> drop, List<JsonPointer> keep,
          ActiveRule activeRule, ActiveRule.Inactive inactive) {
    this.id = id;
    this.idLookup = new Lookup(id);
    this.name = Parts.of(name);
    this.username = Parts.of(username);
    this.email = Parts.of(email);
    this.userPointer = userPointer;
    this.listPointer = listPointer;
    this.drop = List.copyOf(drop);
    this.keep = List.copyOf(keep);
    this.activeRule = activeRule;
    this.inactive = inactive;
  }

  /**
   * The {@code mapping} section of {@code config}, checked again here (a configuration may come from a
   * test or a tool rather than through {@link io.usergate.config.Configuration}).
   *
   * @throws InvalidConfigException naming the key that is wrong
   */
  static Mapping from(JsonObject config) {
    Section mapping = Section.of(config, SECTION);
    JsonPointer id = mapping.pointer("id");
    if (id.isRootPointer()) {
      throw new InvalidConfigException(ConfigKeys.get(SECTION, "id"), "is empty (the whole user): point at the id's field, e.g. /id",
        "the mapping section");
    }
    List<JsonPointer> drop = mapping.pointers("drop");
    List<JsonPointer> keep = mapping.pointers("keep");
    if (!drop.isEmpty() && !keep.isEmpty()) {
      throw new InvalidConfigException(ConfigKeys.get(SECTION, "keep"), "and mapping.drop are both set: set one of them",
        "the mapping section");
    }
    for (JsonPointer dropped : drop) {
      if (dropped.toString().equals("/id") || dropped.toString().equals("/name")) {
        throw new InvalidConfigException(ConfigKeys.get(SECTION, "drop"), "drops " + dropped + ", which every user needs",
          "the mapping section");
      }
    }
    ActiveRule activeRule;
    try {
      activeRule = ActiveRule.parse(mapping.string("active"));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(ConfigKeys.get(SECTION, "active"), e.getMessage(), "the mapping section");
    }
    // The sync section's key, read here: what the mapping decides, every path applies.
    ActiveRule.Inactive inactive = config.getJsonObject("sync") == null ? ActiveRule.Inactive.KEEP
      : ActiveRule.Inactive.parse(Section.of(config, "sync").string("inactive"));
    if (inactive == ActiveRule.Inactive.REMOVE && activeRule == null) {
      throw new InvalidConfigException(ConfigKeys.get("sync", "inactive"), "is remove while mapping.active is empty",
        "the sync section");
    }
    return new Mapping(id, mapping.template("name"), mapping.template("username"), mapping.template("email"),
      mapping.pointer("userPointer"), mapping.pointer("listPointer"), drop, keep, activeRule, inactive);
  }

  /** The 404 of user {@code id}, which the directory marks inactive ({@link Mapped#inactive()}). */
  UsergateException inactiveError(String id) {
    return activeRule.inactiveError(id);
  }

  /**
   * The user in a one-user answer ({@code body}, freshly decoded: it is mapped in place), for the id
   * asked: found at {@code mapping.userPointer}, mapped, validated.
   */
  Mapped one(Object body, String expectedId) {
    Object found = userPointer.isRootPointer() ? body : userPointer.queryJson(body);
    if (found == null && !userPointer.isRootPointer()) {
      return Mapped.invalid(null, "there is nothing at mapping.userPointer " + userPointer + " in " + shape(body));
    }
    return entry(found, expectedId);
  }

  /**
   * The users of a list or bulk answer ({@code listAnswer}, freshly decoded: mapped in place), each
   * mapped and validated on its own, in order. For the bulk endpoint and the paged walk alike.
   *
   * @throws NotAList when there is no array at {@code mapping.listPointer}
   */
  List<Mapped> users(Object listAnswer) {
    Object found = listPointer.isRootPointer() ? listAnswer : listPointer.queryJson(listAnswer);
    if (found == null && listAnswer instanceof JsonObject answer && Integer.valueOf(0).equals(answer.getValue("totalResults"))) {
      // SCIM (RFC 7644 3.4.2) leaves Resources out of an answer with no results.
      return List.of();
    }
    if (!(found instanceof JsonArray entries)) {
      throw new NotAList((listPointer.isRootPointer() ? shape(found)
        : (found == null ? "nothing" : shape(found)) + " at mapping.listPointer " + listPointer) + ", not an array of users");
    }
    List<Mapped> users = new ArrayList<>(entries.size());
    for (Object entry : entries) {
      users.add(entry(entry, null));
    }
    return users;
  }

  /**
   * The entries of a delta page ({@code listAnswer}, freshly decoded) that {@code marker} marks as removed (Graph's
   * {@code @removed}), taken out of its list, so that what is left is users; their ids (by {@code mapping.id}),
   * in order. An entry marked but with no usable id stays, and is then counted as an entry that is not a user.
   */
  List<String> takeRemoved(Object listAnswer, JsonPointer marker) {
    Object found = listPointer.isRootPointer() ? listAnswer : listPointer.queryJson(listAnswer);
    List<String> removed = new ArrayList<>();
    if (!(found instanceof JsonArray entries)) {
      return removed;
    }
    Iterator<Object> each = entries.iterator();
    while (each.hasNext()) {
      if (each.next() instanceof JsonObject entry && marker.queryJson(entry) != null) {
        Object rawId = idLookup.in(entry);
        String id = rawId instanceof JsonObject || rawId instanceof JsonArray ? null : UserId.text(rawId);
        if (id != null && !id.isEmpty()) {
          removed.add(id);
          each.remove();
        }
      }
    }
    return removed;
  }

  /** One user as the directory sent it, mapped and validated; {@code expectedId} null: any id (a list's entry). */
  Mapped entry(Object value, String expectedId) {
    if (!(value instanceof JsonObject raw)) {
      return Mapped.invalid(null, "a user must be a JSON object, not " + shape(value));
    }
    Object rawId = idLookup.in(raw);
    String mappedId = UserId.text(rawId);
    if (rawId instanceof JsonObject || rawId instanceof JsonArray) {
      return Mapped.invalid(null, "a user's id must be " + UserId.RULE + ", not " + shape(rawId) + idSource());
    }
    Boolean active = activeRule == null ? null : activeRule.active(raw);
    if (Boolean.FALSE.equals(active) && inactive == ActiveRule.Inactive.REMOVE && mappedId != null
      && (expectedId == null || expectedId.equals(mappedId))) {
      // Not mapped nor validated: it is neither stored nor served, whatever else it holds.
      return Mapped.inactive(mappedId);
    }
    JsonObject user = map(raw, rawId, active);
    String asked = expectedId != null ? expectedId : mappedId;
    String problem = User.problemWith(user, asked);
    if (problem != null) {
      // The id's problem is told as User tells it; a name that renders empty names its template.
      boolean idFine = mappedId != null && (asked == null || asked.equals(mappedId));
      return Mapped.invalid(mappedId, idFine
        ? "user " + mappedId + " has no name (a non-empty string is required): mapping.name " + name + " renders empty"
        : problem + idSource());
    }
    return new Mapped(mappedId, User.of(user));
  }

  /** Id, name, username, email and ({@code active} not null) active from the mapping, then drop or keep. */
  private JsonObject map(JsonObject raw, Object rawId, Boolean active) {
    // Rendered from the directory's fields before any of them is dropped ({/firstName}, then drop /firstName).
    String mappedName = render(name, raw);
    String mappedUsername = username == null ? null : render(username, raw);
    String mappedEmail = email == null ? null : render(email, raw);
    // In place: put keeps a field where it was, so the default mapping leaves the object as it came.
    if (rawId == null) {
      raw.remove("id");
    } else {
      raw.put("id", rawId);
    }
    if (mappedName == null) {
      raw.remove("name");
    } else {
      raw.put("name", mappedName);
    }
    if (mappedUsername != null) {
      raw.put("username", mappedUsername);
    }
    if (mappedEmail != null) {
      raw.put("email", mappedEmail);
    }
    if (active != null) {
      raw.put(ActiveRule.FIELD, active);
    }
    for (JsonPointer pointer : drop) {
      remove(raw, pointer);
    }
    return keep.isEmpty() ? raw : kept(raw);
  }

  /**
   * The template's value for this user: its first alternative that renders something; null when none does.
   * An alternative that is one placeholder alone takes a string as it is (anything else renders nothing).
   */
  private static String render(Parts template, JsonObject user) {
    List<List<Object>> alternatives = template.alternatives();
    if (alternatives.size() == 1) {
      return renderOne(alternatives.get(0), user);
    }
    for (List<Object> parts : alternatives) {
      String text = renderOne(parts, user);
      // An empty string is no value here: the next alternative has its turn.
      if (text != null && !text.isBlank()) {
        return text;
      }
    }
    return null;
  }

  private static String renderOne(List<Object> parts, JsonObject user) {
    if (Pointers.Template.singlePlaceholder(parts)) {
      Object value = ((Lookup) parts.get(0)).in(user);
      return value instanceof String text ? text : null;
    }
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof Lookup lookup) {
        Object value = lookup.in(user);
        if (value instanceof String || value instanceof Number) {
          out.append(value);
        }
      } else {
        out.append(part);
      }
    }
    String text = out.toString().trim();
    return text.isEmpty() ? null : text;
  }

  /** Removes what {@code pointer} names, when it is there: a member of an object, or an element of an array. */
  private static void remove(JsonObject user, JsonPointer pointer) {
    List<String> tokens = Pointers.tokens(pointer);
    // parent() changes the pointer it is called on: a copy, since this one is kept for the next user.
    Object parent = pointer.copy().parent().queryJson(user);
    String last = tokens.get(tokens.size() - 1);
    if (parent instanceof JsonObject object) {
      object.remove(last);
    } else if (parent instanceof JsonArray array && last.matches("\\d{1,9}") && Integer.parseInt(last) < array.size()) {
      array.remove(Integer.parseInt(last));
    }
  }

  /**
   * Only the mapped fields and what {@code mapping.keep} names, the objects on the way recreated. A
   * pointer that passes through an array keeps nothing there: keep the array whole by naming it.
   */
  private JsonObject kept(JsonObject user) {
    JsonObject kept = new JsonObject();
    for (String field : List.of("id", "name", "username", "email", ActiveRule.FIELD)) {
      if (user.containsKey(field)) {
        kept.put(field, user.getValue(field));
      }
    }
    for (JsonPointer pointer : keep) {
      Pointers.copyPath(user, Pointers.tokens(pointer), kept);
    }
    return kept;
  }

  private String idSource() {
    return id.toString().equals(DEFAULT_ID) ? "" : " (mapping.id " + id + ")";
  }

  /** What a value is, never what it holds: an answer may carry fields that are dropped later. */
  static String shape(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof JsonObject object) {
      return "an object of " + object.size() + " field" + (object.size() == 1 ? "" : "s");
    }
    if (value instanceof JsonArray array) {
      return "an array of " + array.size();
    }
    if (value instanceof String) {
      return "a string";
    }
    return String.valueOf(value);
  }
}
