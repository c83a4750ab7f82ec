import { parseArgs } from 'node:util';
import { ConfigError } from '../common/schema';
import { BrokerNode, loadBrokerNodeConfig } from '../gateway/src/broker/node';
import type { Command } from './main';
import { untilSignal } from './signals';

export const brokerCommand: Command = {
  summary: 'run an MQTT broker node on its own (several share Redis: docs/scale.md)',
  usage: 'npx vigil broker --config <broker.yaml> [--check]',
  async run(args) {
    const { values } = parseArgs({ args, options: { config: { type: 'string' }, check: { type: 'boolean', default: false } } });
    if (!values.config) {
      process.stderr.write(`Usage: ${this.usage}\n`);
      return 2;
    }
    let config;
    try {
      config = loadBrokerNodeConfig(values.config);
    } catch (e) {
      process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
      return 2;
    }
    if (values.check) {
      process.stdout.write(`Configuration OK: broker ${config.id ?? '(random id)'}, ${config.redis ? `cluster over ${config.redis}` : 'alone'}, ${config.users.length} users\n`);
      return 0;
    }
    const node = new BrokerNode(config);
    try {
      await node.start();
    } catch (e) {
      process.stderr.write(`The broker could not start: ${(e as Error).message}\n`);
      await node.stop().catch(() => undefined);
      return 1;
    }
    await untilSignal();
    await node.stop();
    return 0;
  },
};
