/** Melodi answers bad bodies with a 400 listing each problem by path. */
export interface MelodiIssue {
  path: string;
  message: string;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type Kind = 'string' | 'number' | 'object' | 'array' | 'boolean';

function kindOf(v: unknown): Kind | 'null' | 'other' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'object' ? (t as Kind) : 'other';
}

type FieldSpecs = Record<string, { kind: Kind; required?: boolean; oneOf?: readonly string[] }>;

/** `Object.entries` of each field list, computed once instead of for every checked object. */
const fieldEntries = new WeakMap<FieldSpecs, [string, FieldSpecs[string]][]>();
function entriesOf(fields: FieldSpecs): [string, FieldSpecs[string]][] {
  let entries = fieldEntries.get(fields);
  if (entries === undefined) {
    entries = Object.entries(fields);
    fieldEntries.set(fields, entries);
  }
  return entries;
}

/** Checks `fields` of `value`; unknown keys are refused, because Melodi documents no others. */
export function checkObject(
  value: unknown,
  path: string,
  fields: FieldSpecs,
  issues: MelodiIssue[],
): value is Record<string, unknown> {
  if (!isObject(value)) {
    issues.push({ path: path || '(body)', message: `Expected object, received ${kindOf(value)}` });
    return false;
  }
  const before = issues.length;
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const [key, spec] of entriesOf(fields)) {
    const v = value[key];
    if (v === undefined) {
      if (spec.required) issues.push({ path: at(key), message: 'Required' });
      continue;
    }
    const kind = kindOf(v);
    if (kind !== spec.kind || (spec.kind === 'number' && !Number.isFinite(v))) {
      issues.push({ path: at(key), message: `Expected ${spec.kind}, received ${kind}` });
    } else if (spec.oneOf && !spec.oneOf.includes(v as string)) {
      issues.push({
        path: at(key),
        message: `Expected one of ${spec.oneOf.map((o) => `'${o}'`).join(', ')}`,
      });
    }
  }
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(fields, key)) issues.push({ path: at(key), message: 'Unrecognized key' });
  }
  return issues.length === before;
}

export const EXTERNAL_USER_FIELDS = {
  externalId: { kind: 'string', required: true },
  email: { kind: 'string' },
  name: { kind: 'string' },
  username: { kind: 'string' },
  segments: { kind: 'object' },
} as const;

export function checkExternalUser(value: unknown, path: string, issues: MelodiIssue[]): void {
  checkObject(value, path, EXTERNAL_USER_FIELDS, issues);
  const segments = isObject(value) ? value.segments : undefined;
  if (isObject(segments)) {
    for (const [key, v] of Object.entries(segments)) {
      if (typeof v !== 'string')
        issues.push({ path: `${path}.segments.${key}`, message: `Expected string, received ${kindOf(v)}` });
    }
  }
}

export const badRequest = (issues: MelodiIssue[]) => ({
  status: 400,
  body: { error: 'Invalid request body', issues },
});
