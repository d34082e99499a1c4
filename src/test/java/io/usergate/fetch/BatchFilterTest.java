package io.usergate.fetch;

import io.vertx.uritemplate.UriTemplate;
import io.vertx.uritemplate.Variables;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchFilterTest {

  @Test
  @DisplayName("SCIM and Okta: id eq \"a\" or id eq \"b\", a quote or a backslash in an id escaped so that it cannot end its string")
  void quotedTerms() {
    BatchFilter filter = new BatchFilter("id eq \"{id}\"", " or ");
    assertEquals("id eq \"a\" or id eq \"b\"", filter.expression(List.of("a", "b")));
    assertEquals("id eq \"x\\\" or id pr or id eq \\\"\" or id eq \"c\\\\d\"", filter.expression(List.of("x\" or id pr or id eq \"", "c\\d")));
  }

  @Test
  @DisplayName("Graph: 'a','b' inside id in (...), a quote in an id doubled as OData has it")
  void odataTerms() {
    BatchFilter filter = new BatchFilter("'{id}'", ",");
    assertEquals("'a','o''brien'", filter.expression(List.of("a", "o'brien")));
  }

  @Test
  @DisplayName("the template takes the expression whole as {filter}, percent-encoded, with {count} the number of ids")
  void expandedIntoTheBulkPath() {
    String filter = new BatchFilter("id eq \"{id}\"", " or ").expression(List.of("auth0|1", "a&b=c"));
    String uri = UriTemplate.of("/Users{?filter,count}").expandToString(Variables.variables().set("filter", filter).set("count", "2"));
    assertEquals("/Users?filter=id%20eq%20%22auth0%7C1%22%20or%20id%20eq%20%22a%26b%3Dc%22&count=2", uri);
    String graph = UriTemplate.of("/users?$filter=id%20in%20({filter})&$select=id")
      .expandToString(Variables.variables().set("filter", new BatchFilter("'{id}'", ",").expression(List.of("a", "b"))));
    assertEquals("/users?$filter=id%20in%20(%27a%27%2C%27b%27)&$select=id", graph);
  }
}
