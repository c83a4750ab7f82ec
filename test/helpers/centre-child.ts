/**
 * A real centre in a child process (`node bin/vigil.js centre --config …`) at debug level: the rig's
 * `VigilChild` (its stderr read by line into a bounded tail, `waitFor` waiting on the line event,
 * `kill9` a crash with no shutdown of any kind), started and awaited the way these tests want.
 */
import { VigilChild } from '../../rig/cluster';

export type CentreChild = VigilChild;

export const CentreChild = {
  start(config: string, timeoutMs = 30_000): Promise<VigilChild> {
    return VigilChild.start('centre', ['centre', '--config', config], /info centre centre started/, { logLevel: 'debug', timeoutMs });
  },
};
