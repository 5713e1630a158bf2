// What dash does with each construct was checked by running `<line>; exit 0` under Debian's sh
// (dash 0.5.12): "aborts" ones exit 2 whatever follows, the others fail as one command.
import { describe, expect, it } from 'vitest';
import { findBashisms } from '../../src/collect/scan-shell.js';

const kinds = (text: string) => findBashisms(text).map((b) => `${b.aborts ? 'aborts' : 'fails'}@${b.line}: ${b.what.split(':')[0]}`);

describe('findBashisms', () => {
  it.each([
    ['x=abc; echo ${x//a/b}', 'aborts@1: pattern substitution ${var/a/b}'],
    ['echo "${x/a/b}"', 'aborts@1: pattern substitution ${var/a/b}'],
    ['echo "${x:0:2}"', 'aborts@1: substring ${var'],
    ['echo ${x: -1}', 'aborts@1: substring ${var'],
    ['echo ${x^^} ', 'aborts@1: case conversion ${var^^} / ${var,,}'],
    ['echo ${!name}', 'aborts@1: indirect expansion ${!var}'],
    ['echo $((2**10))', 'aborts@1: exponent ** in $(( ))'],
    ['set -euo pipefail', 'aborts@1: set -o pipefail'],
    ['set -o pipefail', 'aborts@1: set -o pipefail'],
    // found by a review, each checked with dash
    ['set -o errexit -o pipefail', 'aborts@1: set -o pipefail'],
    ['set -e -o nounset -o pipefail', 'aborts@1: set -o pipefail'],
    ['export -f quiesce', 'aborts@1: export -f'],
    ['echo ${1:2}', 'aborts@1: substring ${var'],
    ['echo $(( (2) ** 3 ))', 'aborts@1: exponent ** in $(( ))'],
    ['if [[ -f /x ]]; then :; fi', 'fails@1: [[ ]] test'],
    ['[[ -d /data ]] && sync', 'fails@1: [[ ]] test'],
    ['source /etc/app.env', 'fails@1: source'],
    ['declare -a x', 'fails@1: a bash builtin dash does not have ("not found", exit 127)'],
    ['let n=n+1', 'fails@1: a bash builtin dash does not have ("not found", exit 127)'],
    ['[ "$a" == b ] && exit 1', "fails@1: == in [ ]"],
    ['sync &> /dev/null', 'fails@1: &> redirection'],
  ])('%s', (line, expected) => {
    expect(kinds(line)).toEqual([expected]);
  });

  it.each([
    ['POSIX expansions', 'echo "${x:-a} ${x:=b} ${x:?c} ${x:+d} ${#x} ${x#p} ${x##p} ${x%s} ${x%%s}"'],
    ['arithmetic without **', 'n=$((n * 2 + 1))'],
    ['single-quoted text', "echo '[[ x ]] ${x//a/b} set -o pipefail'"],
    ['double-quoted text at no command position', 'echo "[[ not a test ]]"'],
    ['a comment', 'sync # [[ later ]] set -o pipefail'],
    ['the shebang', '#!/bin/bash -o pipefail'],
    ['POSIX set options', 'set -eu\nset -o errexit -o nounset'],
    ['&& and 2>&1 and background', 'a && b >/dev/null 2>&1 &'],
    ['a quoted heredoc body', "cat <<'EOF'\n[[ data ]]\nset -o pipefail\nEOF\nsync"],
    ['a tab-stripped heredoc body', 'cat <<-EOF\n\t[[ data ]]\n\tEOF\nsync'],
    // both found by running the scanner over this machine's 322 /bin/sh scripts (Debian's init scripts, Xsession)
    ['a default value with a number: ${EXIT:-0}, ${COLUMNS:-80}', 'exit ${EXIT:-0}\nfold -w ${COLUMNS:-80}'],
    ['bash words inside double quotes', 'echo "redirect with &> is bash"\necho "usage: [ a == b ]"\ntest -n "$x" && echo "a == b"'],
    ['a single-quoted sed program over several lines', "sed -e '\ns,^.*([[ ]*x,\\1,p\n' file"],
  ])('nothing in %s', (_name, text) => {
    expect(kinds(text)).toEqual([]);
  });

  it('<< in arithmetic or in quotes, and <<<, open no heredoc: the next line is still read', () => {
    expect(kinds('x=$((a << b))\n[[ x ]]')).toEqual(['fails@2: [[ ]] test']);
    expect(kinds('echo "use << EOF"\n[[ x ]]')).toEqual(['fails@2: [[ ]] test']);
  });

  it('reports line numbers after a heredoc ends, and stops at the limit', () => {
    expect(kinds('cat <<EOF\n[[ x ]]\nEOF\n[[ y ]]')).toEqual(['fails@4: [[ ]] test']);
    expect(findBashisms('[[ a ]]\n'.repeat(100), 3).map((b) => b.line)).toEqual([1, 2, 3]);
  });

  it('keeps the line as written, trimmed to 60 characters', () => {
    const [b] = findBashisms(`   [[ -f ${'x'.repeat(100)} ]]`);
    expect(b?.text).toBe(`[[ -f ${'x'.repeat(54)}`);
  });
});
