import type { Command } from './main';

export const frameCommand: Command = {
  summary: 'encode and decode radio frames (not built yet: protocol issue)',
  usage: 'npx vigil frame <encode|decode> ...',
  async run() {
    process.stderr.write('vigil frame: not built yet (see the protocol issue).\n');
    return 2;
  },
};
