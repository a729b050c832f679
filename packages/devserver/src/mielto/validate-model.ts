/**
 * A small imitation of the pydantic v2 checks FastAPI runs on Mielto's bodies, producing the same
 * `{loc, msg, type}` items a real 422 carries. Only the kinds the seed OpenAPI uses are supported.
 */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
}

export type FieldKind =
  | 'any'
  | 'string'
  | 'boolean'
  | 'int'
  | 'datetime'
  | 'object'
  | 'object[]'
  | 'string[]';

export interface FieldSpec {
  kind: FieldKind;
  required?: boolean;
  /** `anyOf: [T, null]` in the OpenAPI document. */
  nullable?: boolean;
}

export type ModelSpec = Record<string, FieldSpec>;

const MESSAGES: Record<FieldKind, [type: string, msg: string]> = {
  any: ['any', ''],
  string: ['string_type', 'Input should be a valid string'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  int: ['int_type', 'Input should be a valid integer'],
  datetime: ['datetime_type', 'Input should be a valid datetime'],
  object: ['dict_type', 'Input should be a valid dictionary'],
  'object[]': ['list_type', 'Input should be a valid list'],
  'string[]': ['list_type', 'Input should be a valid list'],
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// RFC 3339 / ISO 8601 date-times as pydantic accepts them (a date alone is accepted too).
const DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Checks one field. `loc` is the model's location: the field's own location (`[...loc, name]`) is only
 * built when there is an issue to report, as valid bodies are the hot path of ingest.
 */
function checkField(
  value: unknown,
  spec: FieldSpec,
  loc: readonly (string | number)[],
  name: string,
  issues: ValidationIssue[],
): void {
  if (value === null && spec.nullable) return;
  const fail = (type: string, msg: string, at: (string | number)[] = [...loc, name], input = value) =>
    issues.push({ loc: at, msg, type, input });
  switch (spec.kind) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') fail(...MESSAGES.string);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(...MESSAGES.boolean);
      return;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail(...MESSAGES.int);
      return;
    case 'datetime':
      if (typeof value !== 'string') fail(...MESSAGES.datetime);
      else if (!DATETIME.test(value) || Number.isNaN(Date.parse(value)))
        fail('datetime_from_date_parsing', 'Input should be a valid datetime or date, invalid character');
      return;
    case 'object':
      if (!isPlainObject(value)) fail(...MESSAGES.object);
      return;
    case 'object[]':
    case 'string[]': {
      if (!Array.isArray(value)) {
        fail(...MESSAGES[spec.kind]);
        return;
      }
      const objects = spec.kind === 'object[]';
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (objects && !isPlainObject(item))
          fail('dict_type', 'Input should be a valid dictionary', [...loc, name, i], item);
        if (!objects && typeof item !== 'string')
          fail('string_type', 'Input should be a valid string', [...loc, name, i], item);
      }
      return;
    }
  }
}

/** `Object.entries` of each spec, computed once instead of on every validated model. */
const specEntries = new WeakMap<ModelSpec, [string, FieldSpec][]>();
function entriesOf(spec: ModelSpec): [string, FieldSpec][] {
  let entries = specEntries.get(spec);
  if (entries === undefined) {
    entries = Object.entries(spec);
    specEntries.set(spec, entries);
  }
  return entries;
}

/**
 * Validates one model. Unknown keys are refused (`extra_forbidden`): the real service may reject them,
 * and an emulator that is stricter than the backend catches our own mistakes before users do.
 */
export function validateModel(
  input: unknown,
  spec: ModelSpec,
  loc: (string | number)[],
  issues: ValidationIssue[],
): input is Record<string, unknown> {
  if (!isPlainObject(input)) {
    issues.push({
      loc,
      msg: 'Input should be a valid dictionary or object to extract fields from',
      type: 'model_attributes_type',
      input,
    });
    return false;
  }
  const before = issues.length;
  for (const [name, field] of entriesOf(spec)) {
    if (!Object.hasOwn(input, name) || input[name] === undefined) {
      if (field.required) issues.push({ loc: [...loc, name], msg: 'Field required', type: 'missing', input });
      continue;
    }
    checkField(input[name], field, loc, name, issues);
  }
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(spec, key)) {
      issues.push({
        loc: [...loc, key],
        msg: 'Extra inputs are not permitted',
        type: 'extra_forbidden',
        input: input[key],
      });
    }
  }
  return issues.length === before;
}

/** The 422 body FastAPI sends. Inputs are echoed like FastAPI does, but cut short to keep logs small. */
export function validationErrorBody(issues: ValidationIssue[]): { detail: ValidationIssue[] } {
  return {
    detail: issues.map((issue) => {
      const out: ValidationIssue = { type: issue.type, loc: issue.loc, msg: issue.msg };
      if (issue.input !== undefined) {
        const text = JSON.stringify(issue.input);
        out.input = text !== undefined && text.length > 200 ? `${text.slice(0, 200)}…` : issue.input;
      }
      return out;
    }),
  };
}
