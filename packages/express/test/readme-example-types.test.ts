// Compile-time proof (checked by `tsc --noEmit` in `pnpm typecheck`) that the README's examples type-check
// as written on Express 5's and Express 4's own types, with no casts in the example code; they run too.
import express5, { type Request as Request5 } from 'express';
import express4Runtime from 'express-v4';
import type express4Types from 'express4-types';
import type { Request as Request4 } from 'express4-types';
import { expect, expectTypeOf, it } from 'vitest';
import { chatTrail } from '../src/index';
import { RecordingTrail } from './helpers';

// `express4-types` is @types/express@4 under an alias: the runtime module stays `express-v4`.
const express4 = express4Runtime as unknown as typeof express4Types;

it('compiles the README example on Express 5 types: req.user in an option function, chatTrail<Request>', () => {
  const trail = new RecordingTrail();
  const express = express5;
  const app = express();
  // As in the README: `user` put on the request by auth middleware, read without declaring it.
  app.post('/api/chat', express.json(), chatTrail({ trail, user: (req) => req.user?.id }), (req, res) => {
    expectTypeOf(req.body).toBeAny();
    res.json({ ok: true });
  });
  app.post(
    '/api/auth',
    chatTrail({ trail, user: (req) => req.auth?.sub, threadId: (req) => req.session?.chatId }),
    (_req, res) => {
      res.end();
    },
  );
  // Full typing: the option functions get Express's own Request (req.get, req.params…).
  const typed = chatTrail<Request5>({ trail, user: (req) => req.get('x-user-id') });
  app.post('/typed', express.json(), typed, (_req, res) => {
    res.end();
  });
  expect(typeof app).toBe('function');
});

it('compiles the README example on Express 4 types', () => {
  const trail = new RecordingTrail();
  const express = express4;
  const app = express();
  app.post('/api/chat', express.json(), chatTrail({ trail, user: (req) => req.user?.id }), (req, res) => {
    expectTypeOf(req.body).toBeAny();
    res.json({ ok: true });
  });
  express.Router().post('/chat', chatTrail({ trail, threadId: (req) => req.body?.id }), (_req, res) => {
    res.end();
  });
  const typed = chatTrail<Request4>({ trail, user: (req) => req.get('x-user-id') });
  app.post('/typed', express.json(), typed, (_req, res) => {
    res.end();
  });
  expect(typeof app).toBe('function');
});
