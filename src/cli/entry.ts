// What bin/vmsnap needs, from one module: the build bundles it (with every dependency but ssh2 and
// jsonc-parser) into dist/src/cli/vmsnap.bundle.js, so the CLI starts from one file instead of
// resolving and compiling ~200 modules (scripts/bundle.ts says why and what it saves).
export { main } from './main.js';
export { EXIT } from './exit-codes.js';
export { removeUnfinishedOutputs } from './output-files.js';
