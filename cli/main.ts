/**
 * `npx vigil <command>`: the composition root's entry. Each command lives in its own module and is
 * loaded only when used, so `vigil frame` does not start a broker.
 */
export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

import { createLogger } from '../common/log';
import { installProcessGuard } from '../common/process-guard';

// Commands load on first use (require, since the sources run as CommonJS).
const COMMANDS: Record<string, () => Command> = {
  demo: () => (require('./demo') as Record<string, Command>)['demoCommand']!,
  gateway: () => (require('./gateway') as Record<string, Command>)['gatewayCommand']!,
  centre: () => (require('./centre') as Record<string, Command>)['centreCommand']!,
  sim: () => (require('./sim') as Record<string, Command>)['simCommand']!,
  eval: () => (require('./eval') as Record<string, Command>)['evalCommand']!,
  frame: () => (require('./frame') as Record<string, Command>)['frameCommand']!,
  device: () => (require('./device') as Record<string, Command>)['deviceCommand']!,
  arc: () => (require('./arc') as Record<string, Command>)['arcCommand']!,
  broker: () => (require('./broker') as Record<string, Command>)['brokerCommand']!,
  'hash-password': () => (require('./hash-password') as Record<string, Command>)['hashPasswordCommand']!,
};

export async function help(): Promise<string> {
  const lines = ['Vigil — lone-worker protection', '', 'Usage: npx vigil <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(14)} ${load().summary}`);
  lines.push('', 'Run `npx vigil <command> --help` for its options.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  installProcessGuard(createLogger('vigil'));
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await help()) + '\n');
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`Unknown command '${name}'.\n\n${await help()}\n`);
    return 2;
  }
  const cmd = load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.summary}\n\nUsage: ${cmd.usage}\n`);
    return 0;
  }
  return cmd.run(rest);
}
