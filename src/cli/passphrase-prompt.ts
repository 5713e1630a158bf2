// The CLI's one passphrase prompt for encrypted identity files, when vmsnap runs on a terminal and
// VMSNAP_KEY_PASSPHRASE is not set. Asked before the run starts (OpenSshConnector.prepare), so no
// host's deadline runs while someone types; the same answer is tried on every encrypted key.

interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** A prompt on the terminal (no echo), or null when stdin is not a terminal. */
export function ttyPassphrasePrompt(
  input: TtyInput = process.stdin,
  output: { write(s: string): unknown } = process.stderr,
  onCancel: () => void = () => process.kill(process.pid, 'SIGINT'),
): (() => Promise<string | null>) | null {
  if (!input.isTTY || typeof input.setRawMode !== 'function') return null;
  return () =>
    new Promise((resolve) => {
      output.write('vmsnap: passphrase for the encrypted identity files (asked once, used for each): ');
      input.setRawMode!(true);
      input.resume();
      let buf = '';
      const done = (v: string | null) => {
        input.removeListener('data', onData);
        input.setRawMode!(false);
        input.pause();
        output.write('\n');
        resolve(v);
        if (v === null) onCancel();
      };
      const onData = (chunk: Buffer | string) => {
        for (const ch of chunk.toString()) {
          if (ch === '\r' || ch === '\n') return done(buf);
          if (ch === '\u0003') return done(null); // Ctrl-C: raw mode swallows the signal, so raise it
          if (ch === '\u0004') return done(buf === '' ? null : buf);
          if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
          else buf += ch;
        }
      };
      input.on('data', onData);
    });
}
