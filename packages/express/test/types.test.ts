import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Request } from 'express';
import { expectTypeOf, it } from 'vitest';
import { chatTrail } from '../src/index';
import { RecordingTrail } from './helpers';

it('fits app.use / app.post / routers without narrowing the handlers after it', () => {
  const trail = new RecordingTrail();
  const app = express();
  app.use(chatTrail({ trail }));
  app.post('/chat', express.json(), chatTrail({ trail }), (req, res) => {
    expectTypeOf(req.body).toBeAny();
    res.json({ ok: true });
  });
  express.Router().post('/chat', chatTrail({ trail, threadId: (req) => req.body?.id }), (_req, res) => {
    res.end();
  });
  // Typed on Express's own Request when the app wants its helpers in the option functions.
  const typed = chatTrail<Request>({ trail, user: (req) => req.get('x-user-id') });
  app.post('/typed', typed, (_req, res) => {
    res.end();
  });
  // And on plain Node for non-Express servers.
  expectTypeOf(chatTrail({ trail })).toBeCallableWith(
    {} as IncomingMessage,
    {} as ServerResponse,
    (_error?: unknown) => {},
  );
});
