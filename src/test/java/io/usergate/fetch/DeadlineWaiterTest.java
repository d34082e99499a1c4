package io.usergate.fetch;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlineWaiterTest {

  @Test
  @DisplayName("a waiter's deadline is its wait from now; a negative wait is none, and a huge one does not overflow")
  void deadlineWaiter() {
    DeadlineWaiter<Void> waiter = new DeadlineWaiter<>(250, 1_000);
    assertEquals(250, waiter.maxWaitMs);
    assertEquals(1_000 + 250_000_000L, waiter.deadline);
    DeadlineWaiter<Void> none = new DeadlineWaiter<>(-5, 1_000);
    assertEquals(0, none.maxWaitMs);
    assertEquals(1_000, none.deadline);
    DeadlineWaiter<Void> huge = new DeadlineWaiter<>(Long.MAX_VALUE, 1_000);
    assertTrue(huge.deadline > 1_000, "no overflow: " + huge.deadline);
    assertFalse(huge.promise.future().isComplete());
  }
}
