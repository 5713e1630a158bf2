// The first line of a yaml error, in words for an inventory's or a waiver file's author.
/** yaml's message, first line, with its advice for programmers replaced by advice for the file's author. */
export function yamlErrorMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (/multiple documents/i.test(first)) return 'YAML syntax error: the file holds more than one YAML document (a "---" line between them); keep one';
  return `YAML syntax error: ${first}`;
}
