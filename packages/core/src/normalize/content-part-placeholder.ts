import { formatBytes } from './format-bytes';

/**
 * Replaces a non-text message part (image, audio, file, document, ...) with a short text placeholder
 * such as `[image: image/png, 34 KB]` or `[file: application/pdf, report.pdf, 1.2 MB]`.
 *
 * Logging backends store text, and a base64 image in a log is both useless and a privacy hazard, so the
 * bytes never leave this function: only the kind, media type, file name and an estimated size (or, for a
 * remote file, its address without query string) are kept. The size of base64 data is estimated from its
 * length, so even a 50 MB data URL is described without being decoded or scanned.
 *
 * It understands the part shapes of the frameworks chattrail adapts:
 * - AI SDK prompt and result parts: `{ type: 'image', image }`, `{ type: 'file', data, mediaType, filename }`
 *   where `data` is a `Uint8Array`, `ArrayBuffer`, base64 string, data URL, `URL`, or (LanguageModelV4) a
 *   tagged `{ type: 'data' | 'url' | 'reference', ... }`; tool-output `media` / `image-data` / `file-url` parts.
 * - OpenAI chat parts: `image_url`, `input_audio`, `file` (`{ file: { file_data, file_id, filename } }`).
 * - LangChain content blocks: `{ type: 'image', source_type, data | url, mime_type }` and the v1 blocks
 *   with `mimeType` / `fileId`; Anthropic-style `source: { type: 'base64', media_type, data }`.
 * Anything else becomes `[<type>]`, or `[unknown part]` when it has no type.
 */
export function contentPartPlaceholder(part: unknown): string {
  if (part === null || typeof part !== 'object') return '[unknown part]';
  const record = part as Record<string, unknown>;
  const type = typeof record.type === 'string' ? record.type : undefined;

  const nested = asRecord(record.file) ?? asRecord(record.source);
  const audio = asRecord(record.input_audio);
  let mediaType =
    firstString(record.mediaType, record.mimeType, record.mime_type, record.media_type) ??
    firstString(nested?.mediaType, nested?.mime_type, nested?.media_type) ??
    (typeof audio?.format === 'string' ? `audio/${audio.format}` : undefined);
  const filename = firstString(record.filename, record.name, nested?.filename, record.title);

  const source = describeSource(
    firstDefined(
      record.image,
      record.data,
      record.url,
      imageUrlOf(record.image_url),
      audio?.data,
      nested?.file_data,
      nested?.data,
      nested?.url,
      record.file_data,
    ),
  );
  mediaType ??= source.mediaType;
  const fileId =
    firstString(record.file_id, record.fileId, nested?.file_id, nested?.fileId) ?? source.reference;

  const kind = kindOf(type, mediaType);
  const details: string[] = [];
  // A bare top-level type ('image', as LanguageModelV4 allows) repeats the kind and says nothing more.
  if (mediaType?.includes('/')) details.push(clip(mediaType, 80));
  if (filename !== undefined) details.push(clip(filename, 80));
  if (source.size !== undefined) details.push(formatBytes(source.size));
  else if (source.location !== undefined) details.push(source.location);
  else if (fileId !== undefined) details.push(`id ${clip(fileId, 80)}`);
  return details.length > 0 ? `[${kind}: ${details.join(', ')}]` : `[${kind}]`;
}

interface SourceDescription {
  size?: number;
  location?: string;
  mediaType?: string;
  reference?: string;
}

const IMAGE_TYPES = new Set([
  'image',
  'image_url',
  'image-data',
  'image-url',
  'image-file-id',
  'input_image',
]);
const AUDIO_TYPES = new Set(['audio', 'input_audio']);
const FILE_TYPES = new Set([
  'file',
  'file-data',
  'file-url',
  'file-id',
  'media',
  'input_file',
  'document',
  'reasoning-file',
]);

function kindOf(type: string | undefined, mediaType: string | undefined): string {
  if (type !== undefined && IMAGE_TYPES.has(type)) return 'image';
  if (type !== undefined && AUDIO_TYPES.has(type)) return 'audio';
  if (type === undefined || FILE_TYPES.has(type)) {
    // Generic file parts carry images and audio too (AI SDK user images are `file` parts).
    const topLevel = mediaType?.split('/')[0]?.toLowerCase();
    if (topLevel === 'image' || topLevel === 'audio' || topLevel === 'video') return topLevel;
    return 'file';
  }
  return clip(type, 40);
}

function describeSource(value: unknown): SourceDescription {
  if (value === undefined || value === null) return {};
  if (typeof value === 'string') return describeString(value);
  if (value instanceof URL) return { location: describeUrl(value) };
  if (ArrayBuffer.isView(value)) return { size: value.byteLength };
  if (value instanceof ArrayBuffer) return { size: value.byteLength };
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer) {
    return { size: value.byteLength };
  }
  if (typeof Blob !== 'undefined' && value instanceof Blob) {
    return { size: value.size, mediaType: value.type || undefined };
  }
  const tagged = asRecord(value);
  if (tagged !== undefined) {
    // LanguageModelV4 file data: { type: 'data' | 'url' | 'reference' | 'text', ... }.
    if (tagged.type === 'data') return describeSource(tagged.data);
    if (tagged.type === 'url') return describeSource(tagged.url);
    if (tagged.type === 'text' && typeof tagged.text === 'string') return { size: tagged.text.length };
    if (tagged.type === 'reference' && tagged.reference !== null && typeof tagged.reference === 'object') {
      const first = Object.values(tagged.reference as Record<string, unknown>).find(
        (v) => typeof v === 'string',
      );
      return { reference: first as string | undefined };
    }
    if (typeof tagged.url === 'string') return describeString(tagged.url);
  }
  return {};
}

const SCHEME = /^[a-z][a-z0-9+.-]{1,20}:/i;

function describeString(value: string): SourceDescription {
  // Only the head of the string is inspected: data can be tens of megabytes.
  const head = value.slice(0, 256);
  if (/^data:/i.test(head)) {
    const comma = value.indexOf(',');
    if (comma === -1) return {};
    const header = value.slice(5, comma);
    const [mediaType] = header.split(';');
    const payloadLength = value.length - comma - 1;
    const size = /;base64$/i.test(header) ? base64DecodedLength(value, payloadLength) : payloadLength;
    return { size, mediaType: mediaType || undefined };
  }
  if (SCHEME.test(head)) {
    try {
      return { location: describeUrl(new URL(value)) };
    } catch {
      return { location: clip(head.split(/[?#]/)[0] ?? '', 100) };
    }
  }
  return { size: base64DecodedLength(value, value.length) };
}

/** Decoded size of base64 text of `length` characters ending `value`, from its length and padding. */
function base64DecodedLength(value: string, length: number): number {
  let padding = 0;
  if (value.endsWith('==')) padding = 2;
  else if (value.endsWith('=')) padding = 1;
  return Math.max(0, Math.floor((length * 3) / 4) - padding);
}

/** Origin and path only: query strings of signed URLs carry credentials. */
function describeUrl(url: URL): string {
  if (url.protocol === 'http:' || url.protocol === 'https:') return clip(`${url.origin}${url.pathname}`, 100);
  return clip(`${url.protocol}${url.host ? `//${url.host}` : ''}${url.pathname}`, 100);
}

function imageUrlOf(value: unknown): unknown {
  if (typeof value === 'string') return value;
  return asRecord(value)?.url;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof URL) {
    return undefined;
  }
  return value as Record<string, unknown>;
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
