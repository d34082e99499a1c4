package io.usergate.fetch;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NotFoundMemoryTest {

  private final AtomicLong now = new AtomicLong(1_000);

  @Test
  @DisplayName("a 404 is remembered for notFoundForMs, forgotten by a successful fetch, and not at all with 0")
  void remembers() {
    NotFoundMemory memory = new NotFoundMemory(60_000, now::get);
    memory.remember("7");
    assertTrue(memory.isKnownMissing("7"));
    now.addAndGet(59_999);
    assertTrue(memory.isKnownMissing("7"));
    now.addAndGet(1);
    assertFalse(memory.isKnownMissing("7"), "expired");
    assertEquals(0, memory.size(), "an expired id is dropped when seen");
    memory.remember("8");
    memory.forget("8");
    assertFalse(memory.isKnownMissing("8"));
    NotFoundMemory off = new NotFoundMemory(0, now::get);
    off.remember("9");
    assertFalse(off.isKnownMissing("9"));
  }

  @Test
  @DisplayName("an id remembered as inactive is known missing and inactive, for as long; a plain 404 is not inactive")
  void remembersWhy() {
    NotFoundMemory memory = new NotFoundMemory(60_000, now::get);
    memory.remember("7", true);
    memory.remember("8");
    assertTrue(memory.isKnownMissing("7"));
    assertTrue(memory.isKnownInactive("7"));
    assertFalse(memory.isKnownInactive("8"));
    now.addAndGet(60_000);
    assertFalse(memory.isKnownInactive("7"), "expired");
  }

  @Test
  @DisplayName("invented ids cannot fill the heap: past MAX_IDS the oldest are dropped")
  void bounded() {
    NotFoundMemory memory = new NotFoundMemory(60_000, now::get);
    for (long id = 1; id <= NotFoundMemory.MAX_IDS + 10; id++) {
      memory.remember(Long.toString(id));
    }
    assertEquals(NotFoundMemory.MAX_IDS, memory.size());
    assertFalse(memory.isKnownMissing("1"));
    assertTrue(memory.isKnownMissing(Integer.toString(NotFoundMemory.MAX_IDS + 10)));
  }
}
