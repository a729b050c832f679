import { quietly } from '../internal/quietly';
import { formatBytes } from './format-bytes';

/** A non-text message part (AI SDK, OpenAI, LangChain, Anthropic) as `[image: image/png, 34 KB]`. */
export function contentPartPlaceholder(part: unknown): string {
  if (part === null || typeof part !== 'object') return '[unknown part]';
  const record = part as Record<string, unknown>;
  const nested = asRecord(record.file) ?? asRecord(record.source);
  const audio = asRecord(record.input_audio);
  let mediaType =
    firstString(record.mediaType, record.mimeType, record.mime_type, record.media_type) ??
    firstString(nested?.mediaType, nested?.mime_type, nested?.media_type) ??
    (typeof audio?.format === 'string' ? `audio/${audio.format}` : undefined);
  const filename = firstString(record.filename, record.name, nested?.filename, record.title);
  const source = describeSource(
    firstDefined(record.image, record.data, record.url, imageUrlOf(record.image_url), audio?.data) ??
      firstDefined(nested?.file_data, nested?.data, nested?.url, record.file_data),
  );
  mediaType ??= source.mediaType;
  const fileId =
    firstString(record.file_id, record.fileId, nested?.file_id, nested?.fileId) ?? source.reference;
  const kind = kindOf(typeof record.type === 'string' ? record.type : undefined, mediaType);
  const details: string[] = [];
  // A bare top-level type ('image', as LanguageModelV4 allows) repeats the kind.
  if (mediaType?.includes('/')) details.push(clip(mediaType, 80));
  if (filename !== undefined) details.push(clip(filename, 80));
  if (source.size !== undefined) details.push(formatBytes(source.size));
  else if (source.location !== undefined) details.push(source.location);
  else if (fileId !== undefined) details.push(`id ${clip(fileId, 80)}`);
  return details.length > 0 ? `[${kind}: ${details.join(', ')}]` : `[${kind}]`;
}

type SourceDescription = { size?: number; location?: string; mediaType?: string; reference?: string };

// The kind of each part type (none: a file); a file part's kind comes from its media type.
const KINDS = new Map(
  Object.entries({
    image: 'image image_url image-data image-url image-file-id input_image',
    audio: 'audio input_audio',
    file: 'file file-data file-url file-id media input_file document reasoning-file',
  }).flatMap(([kind, types]) => types.split(' ').map((type) => [type, kind] as const)),
);

function kindOf(type: string | undefined, mediaType: string | undefined): string {
  const kind = KINDS.get(type ?? 'file');
  if (kind !== 'file') return kind ?? clip(type!, 40);
  // Generic file parts carry images and audio too (AI SDK user images are `file` parts).
  const topLevel = mediaType?.split('/')[0]?.toLowerCase();
  return topLevel === 'image' || topLevel === 'audio' || topLevel === 'video' ? topLevel : kind;
}

function describeSource(value: unknown): SourceDescription {
  if (value === undefined || value === null) return {};
  if (typeof value === 'string') return describeString(value);
  if (value instanceof URL) return { location: describeUrl(value) };
  const shared = typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || shared) return { size: value.byteLength };
  if (typeof Blob !== 'undefined' && value instanceof Blob) {
    return { size: value.size, mediaType: value.type || undefined };
  }
  const tagged = asRecord(value);
  if (tagged === undefined) return {};
  if (tagged.type === 'data' || tagged.type === 'url') return describeSource(tagged[tagged.type]);
  if (tagged.type === 'text' && typeof tagged.text === 'string') return { size: tagged.text.length };
  const reference = asRecord(tagged.reference);
  if (tagged.type === 'reference' && reference !== undefined) {
    return { reference: Object.values(reference).find((v) => typeof v === 'string') as string | undefined };
  }
  return typeof tagged.url === 'string' ? describeString(tagged.url) : {};
}

const SCHEME = /^[a-z][a-z0-9+.-]{1,20}:/i;

function describeString(value: string): SourceDescription {
  // Only the head: data can be tens of megabytes.
  const head = value.slice(0, 256);
  if (/^data:/i.test(head)) {
    const comma = value.indexOf(',');
    if (comma === -1) return {};
    const header = value.slice(5, comma);
    const payloadLength = value.length - comma - 1;
    const size = /;base64$/i.test(header) ? base64DecodedLength(value, payloadLength) : payloadLength;
    return { size, mediaType: header.split(';')[0] || undefined };
  }
  if (SCHEME.test(head)) {
    const url = quietly(() => new URL(value));
    return { location: url === undefined ? clip(head.split(/[?#]/)[0] ?? '', 100) : describeUrl(url) };
  }
  return { size: base64DecodedLength(value, value.length) };
}

function base64DecodedLength(value: string, length: number): number {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((length * 3) / 4) - padding);
}

/** Origin and path only: query strings of signed URLs carry credentials. */
function describeUrl(url: URL): string {
  return clip(`${url.protocol}${url.host ? `//${url.host}` : ''}${url.pathname}`, 100);
}

function imageUrlOf(value: unknown): unknown {
  return typeof value === 'string' ? value : asRecord(value)?.url;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  const plain =
    value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !(value instanceof URL);
  return plain ? (value as Record<string, unknown>) : undefined;
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

function firstDefined(...values: unknown[]): unknown {
  for (const value of values) if (value !== undefined && value !== null) return value;
  return undefined;
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/[\r\n\]]+/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
