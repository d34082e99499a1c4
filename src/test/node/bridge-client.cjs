// A real SockJS event-bus client (@vertx/eventbus-bridge-client.js) against a running usergate.
//
//   NODE_PATH=target/node-bridge/node_modules node src/test/node/bridge-client.cjs http://127.0.0.1:PORT TOKEN
//
// Prints ONE JSON line on stdout and exits 0:
//   {"fetchOne":{...},"upsertError":"access_denied","enqueueWithoutToken":401,"enqueued":3,"progress":{...}}
// or prints what went wrong on stderr and exits 1. Every wait is bounded.
'use strict';

const path = require('path');

const STEP_MS = 15000;
const OVERALL_MS = 50000;

function loadEventBus() {
  try {
    return require('@vertx/eventbus-bridge-client.js'); // through NODE_PATH
  } catch (e) {
    // Run by hand from the repository: the folder scripts/test installs into.
    const fallback = path.resolve(__dirname, '..', '..', '..', 'target', 'node-bridge', 'node_modules');
    try {
      return require(path.join(fallback, '@vertx', 'eventbus-bridge-client.js'));
    } catch (ignored) {
      throw new Error('cannot load @vertx/eventbus-bridge-client.js (NODE_PATH or ' + fallback + '): run scripts/test');
    }
  }
}

function fail(message) {
  process.stderr.write('bridge-client: ' + message + '\n');
  process.exit(1);
}

const [base, token] = process.argv.slice(2);
if (!base || !token) {
  fail('usage: bridge-client.cjs <base url> <token>');
}
setTimeout(() => fail('did not finish within ' + OVERALL_MS + ' ms'), OVERALL_MS).unref();

/** A promise that rejects after ms with a message naming what was awaited. */
function within(ms, what, executor) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(what + ': nothing within ' + ms + ' ms')), ms);
    executor(value => { clearTimeout(timer); resolve(value); }, error => { clearTimeout(timer); reject(error); });
  });
}

// The bridge answers a refused frame with {"type":"err","body":"access_denied"|"rejected"} and no address,
// so the library hands it to onerror, not to the reply callback: one such wait at a time.
let errorWaiter = null;
// A refused write is answered once, on its reply address (401, the error contract, no user data): an err frame
// of the bridge's own after it would reach onerror with no one waiting, and fail the client.

/** Sends and resolves with {reply} (the reply frame), or {error} (an err frame without address). */
function sendAndAwait(eb, address, body, headers, what) {
  return within(STEP_MS, what, (resolve, reject) => {
    errorWaiter = frame => { errorWaiter = null; resolve({ error: frame.body }); };
    eb.send(address, body, headers, (err, reply) => {
      errorWaiter = null;
      if (err) {
        resolve({ error: err.message || JSON.stringify(err), failure: err });
      } else {
        resolve({ reply });
      }
    });
  }).finally(() => { errorWaiter = null; });
}

async function main() {
  const EventBus = loadEventBus();
  const eb = new EventBus(base.replace(/\/+$/, '') + '/eventbus', { vertxbus_ping_interval: 5000 });
  let progressWaiter = null;
  const progressEvents = [];
  eb.onerror = frame => {
    if (errorWaiter) {
      errorWaiter(frame);
    } else {
      fail('unexpected error frame: ' + JSON.stringify(frame));
    }
  };

  await within(STEP_MS, 'connect to ' + base + '/eventbus', (resolve, reject) => {
    eb.onopen = resolve;
    eb.onclose = e => reject(new Error('connection closed before it opened: ' + JSON.stringify(e && { code: e.code, reason: e.reason })));
  });
  eb.onclose = () => { if (!finished) fail('the connection closed early'); };

  const summary = {};

  // (a) a permitted read
  const one = await sendAndAwait(eb, 'usergate.fetch.one', { id: 7 }, {}, 'reply of usergate.fetch.one');
  if (one.error !== undefined) {
    throw new Error('usergate.fetch.one failed: ' + JSON.stringify(one.failure || one.error));
  }
  summary.fetchOne = one.reply.body;

  // (b) an address that is not bridged
  const upsert = await sendAndAwait(eb, 'usergate.store.upsert', { users: [] }, {}, 'answer to usergate.store.upsert');
  if (upsert.error === undefined) {
    throw new Error('usergate.store.upsert was delivered: ' + JSON.stringify(upsert.reply.body));
  }
  summary.upsertError = upsert.error;

  // (c) a write without the token: 401 on its reply address, and nothing else
  const anonymous = await within(STEP_MS, 'answer to usergate.sync.enqueue without a token', resolve => {
    eb.send('usergate.sync.enqueue', { ids: [1, 2, 3] }, {}, (err, reply) => resolve(err ? { failure: err } : { reply }));
  });
  if (anonymous.failure === undefined) {
    throw new Error('usergate.sync.enqueue without a token was delivered: ' + JSON.stringify(anonymous.reply.body));
  }
  if (anonymous.failure.failureCode !== 401 || !String(anonymous.failure.message).includes('UNAUTHORIZED')) {
    throw new Error('usergate.sync.enqueue without a token: not a 401 in the error contract: ' + JSON.stringify(anonymous.failure));
  }
  summary.enqueueWithoutToken = anonymous.failure.failureCode;

  // (d) listen to progress, then a write with the token
  const progress = within(STEP_MS, 'a usergate.sync.progress event', (resolve, reject) => {
    progressWaiter = { resolve, reject };
    if (progressEvents.length > 0) {
      resolve(progressEvents[0]);
    }
  });
  progress.catch(() => {}); // awaited below; avoid an unhandled rejection while the send is in flight
  eb.registerHandler('usergate.sync.progress', (err, message) => {
    if (err) {
      progressWaiter.reject(new Error('progress handler got an error: ' + JSON.stringify(err)));
    } else {
      progressEvents.push(message.body);
      progressWaiter.resolve(message.body);
    }
  });
  const enqueue = await sendAndAwait(eb, 'usergate.sync.enqueue', { ids: [1, 2, 3] },
    { Authorization: 'Bearer ' + token }, 'reply of usergate.sync.enqueue with the token');
  if (enqueue.error !== undefined) {
    throw new Error('usergate.sync.enqueue with the token failed: ' + JSON.stringify(enqueue.failure || enqueue.error));
  }
  summary.enqueued = enqueue.reply.body.enqueued;
  summary.progress = await progress;

  finished = true;
  eb.enableReconnect(false);
  eb.close();
  return summary;
}

let finished = false;
main().then(summary => {
  process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(0));
}, error => fail(error && error.stack ? error.stack : String(error)));
