// Most specific first: OpenAI/Anthropic, Stripe, GitHub, Slack, AWS, Google, JWT.
const PATTERNS: readonly RegExp[] = [
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}/g,
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const LONG_HEX = /(?<![A-Za-z0-9])[a-fA-F0-9]{32,}(?![A-Za-z0-9])/g;
const LONG_TOKEN = /(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{40,}={0,2}(?![A-Za-z0-9+/_=-])/g;

/** Replaces API keys, JWTs, bearer credentials, 32+ hex digits and mixed 40+ base64 runs with `[secret]`. */
export function maskApiKeys(text: string): string {
  let result = text;
  for (const pattern of PATTERNS) result = result.replace(pattern, '[secret]');
  result = result.replace(BEARER, (_match, scheme: string) => `${scheme} [secret]`);
  result = result.replace(LONG_HEX, '[secret]');
  return result.replace(LONG_TOKEN, (match) => (isMixed(match) ? '[secret]' : match));
}

function isMixed(token: string): boolean {
  return /[0-9]/.test(token) && /[a-z]/.test(token) && /[A-Z]/.test(token);
}
