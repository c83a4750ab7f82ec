import { parseArgs } from 'node:util';
import { ConfigError } from '../common/schema';
import { loadGatewayConfig } from '../gateway/src/config';
import { Gateway } from '../gateway/src/gateway';
import type { Command } from './main';
import { untilSignal } from './signals';

export const gatewayCommand: Command = {
  summary: 'run a site gateway (radios → MQTT, embedded broker)',
  usage: 'npx vigil gateway --config <gateway.yaml>',
  async run(args) {
    const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
    if (!values.config) {
      process.stderr.write(`Usage: ${this.usage}\n`);
      return 2;
    }
    let config;
    try {
      config = loadGatewayConfig(values.config);
    } catch (e) {
      process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
      return 2;
    }
    if (config.transports.length > 0) {
      process.stderr.write('Hardware transports (BLE, LoRa) are configured but not available in this version yet.\n');
      return 2;
    }
    const gateway = new Gateway(config);
    await gateway.start();
    await untilSignal();
    await gateway.stop();
    return 0;
  },
};
