import { describe, expect, it } from 'vitest';
import { contentPartPlaceholder } from './content-part-placeholder';

const KB34 = 34 * 1024;
const base64Of = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');

describe('contentPartPlaceholder', () => {
  describe('AI SDK parts', () => {
    it('describes an image part holding bytes', () => {
      expect(
        contentPartPlaceholder({ type: 'image', image: new Uint8Array(KB34), mediaType: 'image/png' }),
      ).toBe('[image: image/png, 34 KB]');
    });

    it('describes a file part with a file name', () => {
      const part = {
        type: 'file',
        data: new Uint8Array(1.2 * 1024 * 1024),
        mediaType: 'application/pdf',
        filename: 'report.pdf',
      };
      expect(contentPartPlaceholder(part)).toBe('[file: application/pdf, report.pdf, 1.2 MB]');
    });

    it('calls a file part with an image media type an image', () => {
      expect(
        contentPartPlaceholder({ type: 'file', data: new ArrayBuffer(2048), mediaType: 'image/jpeg' }),
      ).toBe('[image: image/jpeg, 2 KB]');
    });

    it('estimates the size of base64 data from its length', () => {
      expect(contentPartPlaceholder({ type: 'file', data: base64Of(KB34), mediaType: 'image/png' })).toBe(
        '[image: image/png, 34 KB]',
      );
      expect(contentPartPlaceholder({ type: 'file', data: base64Of(1000), mediaType: 'audio/wav' })).toBe(
        '[audio: audio/wav, 1000 B]',
      );
    });

    it('reads the media type and size of a data URL without keeping it', () => {
      const dataUrl = `data:image/webp;base64,${base64Of(5000)}`;
      const placeholder = contentPartPlaceholder({ type: 'image', image: dataUrl });
      expect(placeholder).toBe('[image: image/webp, 5 KB]');
    });

    it('keeps the address of a remote file but not its query string', () => {
      const url = new URL('https://cdn.example.com/cats/1.png?X-Amz-Signature=secret#frag');
      expect(contentPartPlaceholder({ type: 'image', image: url })).toBe(
        '[image: https://cdn.example.com/cats/1.png]',
      );
      expect(contentPartPlaceholder({ type: 'file', data: url.href, mediaType: 'image/png' })).toBe(
        '[image: image/png, https://cdn.example.com/cats/1.png]',
      );
    });

    it('understands LanguageModelV4 tagged file data', () => {
      expect(
        contentPartPlaceholder({
          type: 'file',
          data: { type: 'data', data: new Uint8Array(10) },
          mediaType: 'image',
        }),
      ).toBe('[image: 10 B]');
      expect(
        contentPartPlaceholder({
          type: 'file',
          data: { type: 'url', url: new URL('https://x.test/a.pdf') },
          mediaType: 'application/pdf',
        }),
      ).toBe('[file: application/pdf, https://x.test/a.pdf]');
      expect(
        contentPartPlaceholder({
          type: 'file',
          data: { type: 'reference', reference: { openai: 'file-abc' } },
          mediaType: 'application/pdf',
        }),
      ).toBe('[file: application/pdf, id file-abc]');
    });

    it('describes tool-output media and source parts', () => {
      expect(contentPartPlaceholder({ type: 'media', data: base64Of(3000), mediaType: 'image/png' })).toBe(
        '[image: image/png, 3 KB]',
      );
      expect(
        contentPartPlaceholder({
          type: 'source',
          sourceType: 'url',
          id: 's1',
          url: 'https://a.test/x',
          title: 'A',
        }),
      ).toBe('[source: A, https://a.test/x]');
    });
  });

  describe('OpenAI and LangChain parts', () => {
    it('describes image_url parts (object and string forms)', () => {
      expect(
        contentPartPlaceholder({ type: 'image_url', image_url: { url: 'https://a.test/i.png?sig=1' } }),
      ).toBe('[image: https://a.test/i.png]');
      expect(
        contentPartPlaceholder({ type: 'image_url', image_url: `data:image/png;base64,${base64Of(KB34)}` }),
      ).toBe('[image: image/png, 34 KB]');
    });

    it('describes input_audio parts', () => {
      expect(
        contentPartPlaceholder({ type: 'input_audio', input_audio: { data: base64Of(2048), format: 'mp3' } }),
      ).toBe('[audio: audio/mp3, 2 KB]');
    });

    it('describes OpenAI file parts', () => {
      expect(
        contentPartPlaceholder({ type: 'file', file: { file_data: base64Of(4096), filename: 'notes.txt' } }),
      ).toBe('[file: notes.txt, 4 KB]');
      expect(contentPartPlaceholder({ type: 'file', file: { file_id: 'file-123' } })).toBe(
        '[file: id file-123]',
      );
    });

    it('describes LangChain content blocks', () => {
      expect(
        contentPartPlaceholder({
          type: 'image',
          source_type: 'base64',
          data: base64Of(KB34),
          mime_type: 'image/png',
        }),
      ).toBe('[image: image/png, 34 KB]');
      expect(contentPartPlaceholder({ type: 'image', source_type: 'url', url: 'https://a.test/b.gif' })).toBe(
        '[image: https://a.test/b.gif]',
      );
      expect(contentPartPlaceholder({ type: 'file', fileId: 'f_9', mimeType: 'application/pdf' })).toBe(
        '[file: application/pdf, id f_9]',
      );
    });

    it('describes Anthropic-style base64 sources', () => {
      expect(
        contentPartPlaceholder({
          type: 'document',
          source: { type: 'base64', media_type: 'application/pdf', data: base64Of(10_000) },
        }),
      ).toBe('[file: application/pdf, 10 KB]');
    });
  });

  it('never carries the bytes or base64 text into the placeholder', () => {
    const data = base64Of(100_000);
    const placeholder = contentPartPlaceholder({
      type: 'file',
      data,
      mediaType: 'image/png',
      filename: 'x.png',
    });
    expect(placeholder.length).toBeLessThan(60);
    expect(placeholder).not.toContain(data.slice(0, 16));
  });

  it('describes a 50 MB data URL without keeping it', () => {
    const huge = `data:video/mp4;base64,${'A'.repeat(50 * 1024 * 1024)}`;
    expect(contentPartPlaceholder({ type: 'file', data: huge })).toBe('[video: video/mp4, 37.5 MB]');
  });

  it('keeps file names on one line and short', () => {
    const placeholder = contentPartPlaceholder({ type: 'file', filename: `evil]\nname${'x'.repeat(200)}` });
    expect(placeholder).not.toContain('\n');
    expect(placeholder.length).toBeLessThan(100);
  });

  it('falls back to the part type or a generic marker', () => {
    expect(contentPartPlaceholder({ type: 'custom', kind: 'x.y' })).toBe('[custom]');
    expect(contentPartPlaceholder({})).toBe('[file]');
    expect(contentPartPlaceholder(null)).toBe('[unknown part]');
    expect(contentPartPlaceholder(42)).toBe('[unknown part]');
  });
});
