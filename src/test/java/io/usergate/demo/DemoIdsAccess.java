package io.usergate.demo;

/** The demo's ids, for tests outside its package. */
public final class DemoIdsAccess {

  private DemoIdsAccess() {
  }

  public static String id(String shape, long number) {
    return DemoIds.id(DemoShape.parse(shape), number);
  }
}
