// Shell completion: `vmsnap completion` prints yargs' script, which calls
// `vmsnap --get-yargs-completions vmsnap WORD...` on every TAB. yargs answers that inside parse(),
// through the parse callback: once as it starts, once more with the candidates as its output (its
// getCompletion() API never calls back for words after a command). main() waits for that second
// call here and prints the candidates, one a line.
import type { Argv } from 'yargs';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';

export const COMPLETION_FLAG = '--get-yargs-completions';

/** `argv`: from COMPLETION_FLAG on, as the completion script passes it. */
export function printCompletions(parser: Argv, argv: readonly string[], io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    let calls = 0;
    let candidates = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (candidates !== '') io.stdout.write(`${candidates}\n`);
      resolve(EXIT.ok);
    };
    // never keep a shell's TAB waiting
    const timer = setTimeout(finish, 2000);
    void parser.parse([...argv], {}, (_err, _parsed, output) => {
      calls += 1;
      if (output) candidates = output;
      if (calls >= 2) finish();
    });
  });
}
