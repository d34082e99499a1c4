package io.usergate.cache;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentDropsTest {

  @Test
  @DisplayName("a stamp taken before a drop of its user comes too late; before another user's drop, or after, it does not")
  void perUser() {
    RecentDrops drops = new RecentDrops(10);
    long before = drops.stamp();
    assertFalse(drops.droppedSince("7", before));
    drops.dropped("7");
    assertTrue(drops.droppedSince("7", before));
    assertFalse(drops.droppedSince("8", before), "another user's drop");
    long after = drops.stamp();
    assertFalse(drops.droppedSince("7", after));
    drops.dropped("8");
    assertFalse(drops.droppedSince("7", after));
    drops.dropped("7");
    assertTrue(drops.droppedSince("7", after), "dropped again");
  }

  @Test
  @DisplayName("beyond the drops it remembers, a stamp older than the oldest kept is refused for every user")
  void forgets() {
    RecentDrops drops = new RecentDrops(3);
    long old = drops.stamp();
    drops.dropped("1");
    long middle = drops.stamp();
    drops.dropped("2");
    drops.dropped("3");
    assertFalse(drops.droppedSince("9", old), "all three remembered: user 9 was not dropped");
    drops.dropped("4");
    assertTrue(drops.droppedSince("9", old), "the drop of user 1 is forgotten: a stamp before it may have missed anything");
    assertFalse(drops.droppedSince("9", middle), "a stamp after the forgotten drop is judged by what is kept");
    assertTrue(drops.droppedSince("2", middle));
  }
}
