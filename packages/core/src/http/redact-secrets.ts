export const REDACTED = '[redacted]';

/** Replaces every form of the secrets it was built for in a text with `[redacted]`. */
export type SecretRedactor = (text: string) => string;

// Secrets shorter than this are skipped: replacing them would mangle ordinary text while protecting nothing.
const MIN_SECRET_CHARS = 4;
// A base64 run shorter than this (6 bytes of the secret) is too likely to occur by chance in other text.
const MIN_BASE64_CORE_BYTES = 6;

/** Replaces each secret however echoed: verbatim, JSON-, URL- or HTML-escaped, base64(url) after a prefix. */
export function createSecretRedactor(secrets: readonly string[]): SecretRedactor {
  const usable = [...new Set(secrets)].filter((secret) => secret.length >= MIN_SECRET_CHARS);
  if (usable.length === 0) return (text) => text;
  const flexible = new RegExp(usable.map((secret) => [...secret].map(charPattern).join('')).join('|'), 'g');
  // Longest first, so a longer run is replaced whole rather than a shorter one inside it.
  const cores = [...new Set(usable.flatMap(base64Cores))].sort((a, b) => b.length - a.length);
  const base64 = new RegExp(cores.map(escapeRegExp).join('|'), 'g');
  return (text) => redactBase64Words(text.replace(flexible, REDACTED), base64);
}

const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/** Redacts each whole base64 word holding a run, widened by hand: a class-led pattern scans quadratically. */
function redactBase64Words(text: string, runs: RegExp): string {
  runs.lastIndex = 0;
  let match = runs.exec(text);
  if (match === null) return text;
  let redacted = '';
  let copied = 0;
  while (match !== null) {
    let start = match.index;
    let end = start + match[0].length;
    while (start > copied && BASE64_CHAR.test(text[start - 1]!)) start--;
    while (end < text.length && BASE64_CHAR.test(text[end]!)) end++;
    for (let padding = 0; padding < 2 && text[end] === '='; padding++) end++;
    redacted += `${text.slice(copied, start)}${REDACTED}`;
    copied = end;
    runs.lastIndex = end;
    match = runs.exec(text);
  }
  return redacted + text.slice(copied);
}

function charPattern(char: string): string {
  const forms = [escapeRegExp(char)];
  // JSON's two-character escapes (`\"`, `\n`, ...), and `\/`, which JSON.stringify never writes.
  const short = char === '/' ? '\\/' : JSON.stringify(char).slice(1, -1);
  if (short.length === 2) forms.push(escapeRegExp(short));
  // \uXXXX per UTF-16 code unit (a character outside the BMP is a surrogate pair), %XX per UTF-8 byte.
  const utf16 = char.split('').map((unit) => `\\\\u${hexPattern(unit.charCodeAt(0), 4)}`);
  const utf8 = Array.from(new TextEncoder().encode(char), (byte) => `%${hexPattern(byte, 2)}`);
  forms.push(utf16.join(''), utf8.join(''));
  if (char === ' ') forms.push('\\+');
  const codePoint = char.codePointAt(0)!;
  forms.push(`&#0*${codePoint};`, `&#[xX]0*${hexPattern(codePoint, 1)};`);
  return `(?:${forms.join('|')})`;
}

function hexPattern(value: number, width: number): string {
  return value
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
}

/** The base64(url) runs in any text containing the secret: for each alignment, its whole 3-byte groups. */
function base64Cores(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const cores = new Set<string>([base64(bytes), base64(bytes).replace(/=+$/, '')]);
  for (let skip = 0; skip < 3; skip++) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole >= MIN_BASE64_CORE_BYTES) cores.add(base64(bytes.subarray(skip, skip + whole)));
  }
  for (const core of [...cores]) cores.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  return [...cores].filter((core) => core.length > 0);
}

function base64(bytes: Uint8Array): string {
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
