// Wire models of the Melodi external API. Unknown fields may be rejected: extras go in `metadata`.
import type { JsonObject } from '../spec/turn';

/** How a message's body is given: `markdown` text in `content`, or structured `json` in `jsonContent`. */
export type MelodiMessageType = 'markdown' | 'json';

/** A message of a thread. */
export interface MelodiMessage {
  /** Your stable id: resending it keeps one message. */
  externalId?: string;
  /** `user` and `assistant` are coloured in the UI; others are grey. */
  role: string;
  /** Default `markdown`. */
  type?: MelodiMessageType;
  content?: string;
  /** The body of `json` messages; beside `content`, a `markdown` message's tool calls. */
  jsonContent?: JsonObject;
  metadata?: JsonObject;
}

/** The user a thread belongs to. */
export interface MelodiExternalUser {
  /** Unique per organisation. */
  externalId: string;
  email?: string;
  name?: string;
  username?: string;
  /** Flat labels, e.g. `{ team: 'engineering', plan: 'pro' }`; Melodi segments users by them. */
  segments?: Record<string, string>;
}

/** Body of `PUT /threads`: "the full thread object", created or updated by `externalId`. */
export interface MelodiThreadUpsert {
  /** Unique per project. */
  externalId?: string;
  projectId: number;
  messages: MelodiMessage[];
  /** Filterable in the UI; keep values flat strings or numbers. */
  metadata?: JsonObject;
  externalUser?: MelodiExternalUser;
}

/** `projectId` may come from the client's options instead. */
export type MelodiThreadUpsertParams = Omit<MelodiThreadUpsert, 'projectId'> & { projectId?: number };

/** The fields of every record Melodi returns. */
interface MelodiRecord {
  id: number;
  organizationId: number;
  createdAt: string;
  updatedAt: string;
}

/** A thread as Melodi returns it. */
export interface MelodiThread extends MelodiRecord {
  externalId: string | null;
  project: { id: number; name: string };
  messages: MelodiMessage[];
  externalUser: MelodiThreadUser | null;
  metadata: JsonObject | null;
}

/** The user of a returned thread; segments come back as objects. */
export interface MelodiThreadUser extends MelodiRecord {
  externalId: string;
  name: string | null;
  email: string | null;
  username: string | null;
  segments: MelodiUserSegment[];
}

/** One segment value of a user, e.g. `engineering` of type `team`. */
export interface MelodiUserSegment extends MelodiRecord {
  /** The value (`engineering`). */
  name: string;
  userSegmentTypeId: number;
  /** The key (`team`). */
  type: MelodiRecord & { name: string };
}

/** Body of `POST /feedback`. */
export interface MelodiFeedbackCreate {
  feedbackType: 'POSITIVE' | 'NEGATIVE';
  externalThreadId: string;
  /** Default: the thread's last message. */
  externalMessageId?: string;
  feedbackText?: string;
  /** Default: the client's `projectId`. */
  projectId?: number;
  externalUser?: MelodiExternalUser;
  /** `{ attribute: option }` pairs defined in the Melodi project. */
  attributes?: Record<string, string>;
}

/** What `POST /feedback` returns. Its shape is not documented, so it is passed through untyped. */
export type MelodiFeedbackResult = JsonObject | undefined;
