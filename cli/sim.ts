import type { Command } from './main';

export const simCommand: Command = {
  summary: 'run simulator scenarios and fleet load (not built yet: simulator issue)',
  usage: 'npx vigil sim <scenario|fleet> ...',
  async run() {
    process.stderr.write('vigil sim: scenarios and fleet load are not built yet (see the simulator issue).\n');
    return 2;
  },
};
