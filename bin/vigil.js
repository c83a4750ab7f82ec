#!/usr/bin/env node
// Entry point of `npx vigil`: runs the TypeScript sources directly (tsx), no build step.
'use strict';
require('tsx/cjs/api').register();
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`vigil: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
