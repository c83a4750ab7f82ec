/**
 * The end-to-end tests' installation: the single box (`startSingleBox`: embedded broker, gateway and
 * centre over real sockets) on a virtual air, with site A, one worker, the given console users and one
 * provisioned Puck.js whose key the gateway already holds. The pendant itself is the test's to build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../common/clock';
import type { UserRole } from '../../centre/src/store/types';
import { startSingleBox, type SingleBox } from '../../cli/singlebox';
import { VirtualAir } from '../../simulator/src/air';
import { waitForEvent } from '../../rig/wait';

export interface E2eBoxOptions {
  clock: Clock;
  /** The virtual air's random seed. */
  seed: number;
  worker: { id: string; name: string; phone: string | null };
  users: { username: string; password: string; role: UserRole }[];
}

export interface E2eBox {
  box: SingleBox;
  air: VirtualAir;
  /** http://127.0.0.1:<port> of the centre's API. */
  base: string;
  device: { id: string; key: string };
  stop(): Promise<void>;
}

export async function startE2eBox(o: E2eBoxOptions): Promise<E2eBox> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const air = new VirtualAir({ clock: o.clock, seed: o.seed });
  const box = await startSingleBox({ dataDir: dir, siteId: 'site-a', httpPort: 0, mqttPort: 0, air, clock: o.clock });
  const { centre, gateway } = box;
  await centre.store.upsertSite({ id: 'site-a', name: 'Site A' });
  await centre.store.upsertWorker({ ...o.worker, siteId: 'site-a' });
  for (const u of o.users) await centre.auth.createUser(u);
  const keyringLoaded = waitForEvent(gateway.keyring, 'applied', () => gateway.keyring.size === 1, 10_000, 'the gateway to load the keyring');
  const { device } = await centre.registry.provision({ board: 'puckjs', workerId: o.worker.id, siteId: 'site-a' });
  await keyringLoaded;
  return {
    box, air, base: `http://127.0.0.1:${centre.httpPort}`, device: { id: device.id, key: device.key },
    async stop() {
      air.stop();
      await box.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
