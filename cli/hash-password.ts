import { hashPassword } from '../common/passwords';
import type { Command } from './main';

export const hashPasswordCommand: Command = {
  summary: 'print an scrypt hash of a password, for broker users in gateway.yaml',
  usage: 'npx vigil hash-password <password>',
  async run(args) {
    if (args.length !== 1) {
      process.stderr.write(`Usage: ${this.usage}\n`);
      return 2;
    }
    process.stdout.write(hashPassword(args[0]!) + '\n');
    return 0;
  },
};
