/**
 * Found by `make fuzz` (sms surface): when AT+CMGS ended in an error line and the modem still showed
 * its `> ` prompt (or line noise looked like one), the modem stayed in text mode and swallowed the
 * next command as message text: the next alarm SMS waited a whole send timeout (60 s) and failed.
 * A prompt nobody waits for is now left with ESC, and the next SMS goes out at once.
 */
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { GsmModem } from '../../centre/src/notify/sms/modem';
import { MemoryGsmPort } from '../fuzz/sms';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

it('an error line before the prompt does not swallow the next SMS', async () => {
  const clock = new VirtualClock();
  const port = new MemoryGsmPort();
  const modem = new GsmModem({ path: 'memory', baudRate: 115200, clock, log: createLogger('test', 'silent'), openPort: () => port });
  await modem.start();
  expect(modem.healthy).toBe(true);
  port.input = { modes: [], garbage: new Uint8Array(), urc: '+CME ERROR: 10', splits: [], text: '', sender: '' };
  port.modes = ['urc']; // "+CME ERROR: 10", then the prompt
  await expect(modem.sendSms('+33612345678', 'first')).rejects.toThrow('+CME ERROR: 10');
  let sent: number[] | undefined;
  const startedAt = clock.now();
  void modem.sendSms('+33612345678', 'second alarm').then((ref) => (sent = ref));
  for (let i = 0; i < 20 && sent === undefined; i++) {
    await tick();
    await clock.advanceAsync(100);
  }
  expect(sent).toBeDefined();
  expect(clock.now() - startedAt).toBeLessThan(5000);
  expect(port.bodies).toEqual([expect.stringMatching(/^[0-9A-F]+$/)]); // one message (a PDU), nothing swallowed
  await modem.stop();
});
