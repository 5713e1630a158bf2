// Parsers' error messages, as one line for the author of the file they read.
/** yaml's message, first line, with its advice for programmers replaced by advice for the file's author. */
export function yamlErrorMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (/multiple documents/i.test(first)) return 'YAML syntax error: the file holds more than one YAML document (a "---" line between them); keep one';
  return `YAML syntax error: ${first}`;
}

/** JSON.parse's message on one line: it quotes the text it stopped at, newlines and all. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').slice(0, 300);
}
