package io.usergate.fetch;

import java.util.concurrent.CancellationException;

/** The work was cancelled because nobody waits for it any more; never sent to a caller. */
final class CancelledException extends CancellationException {

  CancelledException() {
    super("cancelled: nobody waits for this any more");
  }
}
