import type { Command } from './main';

export const deviceCommand: Command = {
  summary: 'provision pendants (not built yet: protocol issue)',
  usage: 'npx vigil device add --board <puckjs|bangle2|lora> --worker <id>',
  async run() {
    process.stderr.write('vigil device: not built yet (see the protocol issue).\n');
    return 2;
  },
};
