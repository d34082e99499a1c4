package io.usergate;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Makes the children of main stop in the reverse order of their deployment.
 *
 * <p>Vert.x undeploys a parent's children all at once, before the parent's own {@code stop()}, so main
 * cannot order them from there. Instead each child is wrapped: when Vert.x (or anyone) undeploys a
 * wrapped verticle, it first waits for every verticle deployed after it to stop, then stops on its own
 * context. The sync can then hand its jobs back through a store that is still running.
 *
 * <p>Why the wrapper calls {@code deploy}/{@code undeploy} of the child itself (the {@link Deployable}
 * contract) instead of stopping the children from a launcher hook: the order must hold however main is
 * undeployed (the launcher's shutdown hook, {@code vertx.close()} in a test or a tool, a redeploy), and a
 * {@code beforeStoppingVertx} hook covers only the first. Each child still runs on the context Vert.x
 * gave it, so its {@code start()}/{@code stop()} chains are the ones it wrote.
 */
final class ShutdownOrder {

  private static final Logger LOG = LoggerFactory.getLogger(ShutdownOrder.class);

  private final List<Ordered> children = new ArrayList<>();
  private int positions;

  /** Wraps the next verticle to deploy; it will stop after all those wrapped later. */
  synchronized Deployable next(String name, Deployable verticle) {
    Ordered ordered = new Ordered(name, verticle, positions++);
    children.add(ordered);
    return ordered;
  }

  /**
   * The next verticle to deploy as several instances ({@code DeploymentOptions.setInstances}): each instance
   * the supplier makes stops after all those wrapped later, and at the same time as its siblings.
   */
  synchronized Supplier<Deployable> nextInstances(String name, Supplier<Deployable> verticles) {
    int position = positions++;
    return () -> {
      synchronized (this) {
        Ordered ordered = new Ordered(name, verticles.get(), position);
        children.add(ordered);
        return ordered;
      }
    };
  }

  private Future<Void> stopAfter(int position) {
    List<Ordered> all;
    synchronized (this) {
      all = List.copyOf(children);
    }
    // Outside this lock: a child's stopOnce holds its own lock and comes back here (no lock order to invert).
    List<Future<Void>> later = new ArrayList<>();
    for (Ordered child : all) {
      if (child.position > position) {
        later.add(child.stopOnce());
      }
    }
    return Future.join(later).mapEmpty();
  }

  private final class Ordered implements Deployable {

    private final String name;
    private final Deployable verticle;
    private final int position;
    private Context context;
    private Future<Void> stopped;

    private Ordered(String name, Deployable verticle, int position) {
      this.name = name;
      this.verticle = verticle;
      this.position = position;
    }

    @Override
    public Future<?> deploy(Context context) throws Exception {
      this.context = context;
      return verticle.deploy(context)
        .onSuccess(started -> LOG.info("main: {} deployed", name));
    }

    @Override
    public Future<?> undeploy(Context ignored) {
      return stopOnce();
    }

    /** Memoised: called by Vert.x for this child, and by every child deployed before it. */
    synchronized Future<Void> stopOnce() {
      if (stopped == null) {
        if (context == null) {
          stopped = Future.succeededFuture();
        } else {
          stopped = stopAfter(position).transform(laterStopped -> onOwnContext());
        }
      }
      return stopped;
    }

    private Future<Void> onOwnContext() {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        LOG.info("main: stopping {}", name);
        try {
          verticle.undeploy(context).onComplete(ar -> {
            if (ar.succeeded()) {
              LOG.info("main: {} stopped", name);
              done.complete();
            } else {
              LOG.error("main: {} failed to stop cleanly", name, ar.cause());
              done.fail(ar.cause());
            }
          });
        } catch (Exception e) {
          LOG.error("main: {} failed to stop cleanly", name, e);
          done.fail(e);
        }
      });
      return done.future();
    }
  }
}
