/** Console push through the live hub: what every operator's console receives over SSE. */
import { SystemClock } from '../../common/clock';
import { type LiveEvent, MemoryLiveHub } from '../../centre/src/domain/live';
import { ConsoleNotifier } from '../../centre/src/notify/console';
import { waitForValue } from '../../rig/wait';
import { describeNotifier, type NotifierPeer } from './notifier-contract';

describeNotifier('console push (live hub)', async (): Promise<NotifierPeer> => {
  const live = new MemoryLiveHub();
  const notifier = new ConsoleNotifier({ live, clock: new SystemClock() });
  let lastId = '';
  return {
    notifier, address: 'operators',
    nextReceived: () => waitForValue<LiveEvent>((fn) => live.subscribe(fn), (e) => e.type === 'notification').then((e) => {
      if (e.type !== 'notification') throw new Error('unreachable');
      lastId = e.notification.id;
      return { text: e.notification.text };
    }),
    answer: async (kind) => notifier.answer(lastId, kind, 'op'),
    close: async () => undefined,
  };
});
