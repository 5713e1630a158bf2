// Quoting for a POSIX shell. `shellQuote` is for a command vmsnap runs: every word single-quoted,
// whatever it holds (what a VM or an inventory wrote never becomes shell syntax). `shellWord` is for
// a command vmsnap prints for a person to paste: quoted only where needed, so it stays readable.

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : shellQuote(word);
}
