/**
 * A live hub that may have missed events (a cluster worker's channel to PostgreSQL was cut) closes the
 * consoles' streams, so that they reconnect and re-read the open alarms: an alarm raised during the cut
 * is never missing from an operator's screen.
 */
import { MemoryLiveHub } from '../../centre/src/domain/live';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

class GappyHub extends MemoryLiveHub {
  private readonly gaps = new Set<() => void>();
  onGap(fn: () => void): () => void {
    this.gaps.add(fn);
    return () => this.gaps.delete(fn);
  }
  gap(): void {
    for (const fn of [...this.gaps]) fn();
  }
  get listening(): number {
    return this.gaps.size;
  }
}

describe('live stream after a gap in the live feed', () => {
  let h: Harness;
  const hub = new GappyHub();
  beforeEach(async () => {
    h = await startHarness({ http: true, live: hub });
    await h.centre.auth.createUser({ username: 'op', password: 'op-password', role: 'operator' });
  });
  afterEach(() => h.stop());

  it('ends the stream, and a new one starts with the open alarms on a fresh ticket', async () => {
    const token = await login(h.base, 'op', 'op-password');
    const ticket = (await call<{ ticket: string }>(h.base, 'POST', '/api/stream/ticket', { token })).body.ticket;
    const res = await fetch(`${h.base}/api/stream?ticket=${ticket}`);
    const reader = res.body!.getReader();
    const first = Buffer.from((await reader.read()).value).toString('utf8');
    expect(first).toContain('event: hello');
    expect(hub.listening).toBe(1);
    hub.gap();
    for (;;) {
      const r = await reader.read();
      if (r.done) break; // the server ended the stream
    }
    expect(hub.listening).toBe(0);
    // The console's reconnection: a fresh ticket, a new stream, then the open alarms re-read.
    const again = (await call<{ ticket: string }>(h.base, 'POST', '/api/stream/ticket', { token })).body.ticket;
    const res2 = await fetch(`${h.base}/api/stream?ticket=${again}`);
    expect(res2.status).toBe(200);
    await res2.body!.cancel();
  });
});
