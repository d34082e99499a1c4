package io.usergate.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The variables Kubernetes gives every container for each Service of its namespace that has a cluster IP (unless
 * the pod says {@code enableServiceLinks: false}), in the style of Docker links. A Service {@code usergate} at
 * 10.0.0.11 with TCP port 8080, named http, gives:
 * <pre>
 *   USERGATE_SERVICE_HOST=10.0.0.11
 *   USERGATE_SERVICE_PORT=8080                    its first port
 *   USERGATE_SERVICE_PORT_HTTP=8080               each named port (upper case, dashes as underscores)
 *   USERGATE_PORT=tcp://10.0.0.11:8080            its first port
 *   USERGATE_PORT_8080_TCP=tcp://10.0.0.11:8080   each port, TCP, UDP or SCTP
 *   USERGATE_PORT_8080_TCP_PROTO=tcp
 *   USERGATE_PORT_8080_TCP_PORT=8080
 *   USERGATE_PORT_8080_TCP_ADDR=10.0.0.11
 * </pre>
 * and a Service {@code usergate-metrics} the same with {@code USERGATE_METRICS_}. They name no key, and are not
 * mistakes: they pass silently. A name alone could be a mistyped key ({@code USERGATE_POSTGRES_PORT=5432} reads as
 * the link of a Service {@code usergate-postgres}), so the value must have that variable's shape too. A value is
 * read here, never shown.
 */
public final class KubernetesServiceLinks {

  /** {@code USERGATE_}, then the rest of the Service's name if it is longer than {@code usergate}. */
  private static final String SERVICE = "USERGATE_(?:[A-Z0-9_]+_)?";
  private static final Pattern HOST = Pattern.compile(SERVICE + "SERVICE_HOST");
  private static final Pattern PORT_NUMBER = Pattern.compile(SERVICE + "SERVICE_PORT(?:_[A-Z0-9_]+)?");
  private static final Pattern FIRST_PORT = Pattern.compile(SERVICE + "PORT");
  private static final Pattern PORT = Pattern.compile(SERVICE + "PORT_(\\d{1,5})_(TCP|UDP|SCTP)(?:_(PROTO|PORT|ADDR))?");

  /** An IPv4 or IPv6 address: the Service's cluster IP. */
  private static final String IP = "(?:\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)";
  /** {@code tcp://10.0.0.11:8080}, {@code udp://[fd00::1]:53}. */
  private static final Pattern URL = Pattern.compile("(?i)(tcp|udp|sctp)://(?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9a-fA-F:.]+]):(\\d{1,5})");

  private KubernetesServiceLinks() {
  }

  /** Whether {@code name=value} is a variable Kubernetes sets for a Service whose name starts with usergate. */
  public static boolean isServiceLink(String name, String value) {
    if (HOST.matcher(name).matches()) {
      return value.matches(IP);
    }
    if (PORT_NUMBER.matcher(name).matches()) {
      return value.matches("\\d{1,5}");
    }
    if (FIRST_PORT.matcher(name).matches() && URL.matcher(value).matches()) {
      return true;
    }
    Matcher port = PORT.matcher(name);
    if (!port.matches()) {
      return false;
    }
    String number = port.group(1);
    String protocol = port.group(2).toLowerCase(Locale.ROOT);
    if (port.group(3) == null) {
      Matcher url = URL.matcher(value);
      return url.matches() && url.group(1).equalsIgnoreCase(protocol) && url.group(2).equals(number);
    }
    return switch (port.group(3)) {
      case "PROTO" -> value.equalsIgnoreCase(protocol);
      case "PORT" -> value.equals(number);
      default -> value.matches(IP);
    };
  }
}
