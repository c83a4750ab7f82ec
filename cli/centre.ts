import { parseArgs } from 'node:util';
import { ConfigError } from '../common/schema';
import { Centre } from '../centre/src/centre';
import { loadCentreConfig } from '../centre/src/config';
import type { Command } from './main';
import { untilSignal } from './signals';

export const centreCommand: Command = {
  summary: 'run the monitoring centre (rules, alarms, API and console)',
  usage: 'npx vigil centre --config <centre.yaml>',
  async run(args) {
    const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
    if (!values.config) {
      process.stderr.write(`Usage: ${this.usage}\n`);
      return 2;
    }
    let config;
    try {
      config = loadCentreConfig(values.config);
    } catch (e) {
      process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
      return 2;
    }
    const centre = new Centre(config);
    await centre.start();
    await untilSignal();
    await centre.stop();
    return 0;
  },
};
