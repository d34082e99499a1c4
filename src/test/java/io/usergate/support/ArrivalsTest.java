package io.usergate.support;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ArrivalsTest {

  @Test
  @DisplayName("the busiest window holds the most arrivals within it, both ends counted, whatever their order; none: empty")
  void busiest() {
    assertEquals(List.of(1000L, 1500L, 2000L), Arrivals.busiest(List.of(2000L, 0L, 1500L, 1000L, 3500L), 1000));
    assertEquals(List.of(0L), Arrivals.busiest(List.of(0L, 2000L), 1000), "a tie: the earliest");
    assertEquals(List.of(), Arrivals.busiest(List.of(), 1000));
  }
}
