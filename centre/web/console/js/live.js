// The live stream: a one-time ticket, then Server-Sent Events. EventSource's own reconnection cannot
// work (a ticket is good once), so on any error the stream is closed and reopened with a fresh ticket
// after 1, 2, 5, then 10 s. A stream silent for 60 s (the centre pings every 25 s) counts as dead.
// Every (re)connection triggers `onConnect`, which re-reads the open alarms: nothing said while the
// stream was down is lost. The state is on <body data-live="live|connecting|down"> for the page to show.
import { api } from './api.js';
import { syncClock } from './fmt.js';

const BACKOFF_MS = [1000, 2000, 5000, 10000];
const DEAD_AFTER_MS = 60000;

export function connectLive({ onEvent, onConnect, onState }) {
  let source = null;
  let attempt = 0;
  let retryTimer = null;
  let watchdog = null;
  let stopped = false;
  let downSince = null;

  const setState = (s) => {
    document.body.dataset.live = s;
    if (s === 'live') downSince = null;
    else if (downSince === null) downSince = Date.now();
    onState(s, downSince);
  };

  const alive = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => fail(), DEAD_AFTER_MS);
  };

  function fail() {
    if (stopped) return;
    if (source) source.close();
    source = null;
    clearTimeout(watchdog);
    setState(attempt === 0 ? 'connecting' : 'down');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]);
    attempt++;
  }

  async function open() {
    if (stopped) return;
    let ticket;
    try {
      ticket = (await api.post('/api/stream/ticket')).ticket;
    } catch {
      return fail();
    }
    if (stopped) return;
    source = new EventSource('/api/stream?ticket=' + encodeURIComponent(ticket));
    source.addEventListener('hello', (m) => {
      const hello = JSON.parse(m.data);
      syncClock(hello.now);
      attempt = 0;
      alive();
      setState('live');
      onConnect();
    });
    for (const type of ['alarm', 'session', 'notification', 'attempt', 'device', 'position']) {
      source.addEventListener(type, (m) => {
        alive();
        onEvent(type, JSON.parse(m.data));
      });
    }
    // Pings are comments (no event), but they still arrive as bytes: EventSource has no hook for them,
    // so any message resets the watchdog and a quiet but open stream is re-checked by readyState.
    source.onerror = () => fail();
    const check = setInterval(() => {
      if (!source) return clearInterval(check);
      if (source.readyState === 2) {
        clearInterval(check);
        fail();
      } else if (source.readyState === 1) alive();
    }, 5000);
  }

  setState('connecting');
  void open();
  return {
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(watchdog);
      if (source) source.close();
      source = null;
    },
    /** Drops the stream as if the network had (tests, and a manual "reconnect now"). */
    reconnect() {
      fail();
    },
  };
}
