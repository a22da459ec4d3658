import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayOpcodes } from 'discord.js';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/** Heartbeat interval Discord commonly sends in Hello; tests that want heartbeats pass a smaller one. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 41_250;

/** Gateway API version the fake accepts in `?v=`. */
export const GATEWAY_VERSION = '10';

/** Path of the fake's gateway endpoint. */
export const GATEWAY_PATH = '/gateway';

/** Dispatches kept per session for replay on Resume; older ones are dropped. */
const SESSION_REPLAY_MAX = 1_000;

/** A gateway payload as it travels over the socket. */
export interface GatewayPayload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

/** How to drop connections in `disconnectAll`. */
export interface DisconnectOptions {
  /**
   * Close code to send. Without one the TCP connection is cut with no close frame, which
   * discord.js treats as resumable. A code of 1000 makes discord.js start a new session.
   */
  code?: number;
  /** Forget all sessions, so a Resume gets Invalid Session (op 9) and the client identifies again. */
  invalidateSessions?: boolean;
}

export interface FakeGatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** Builds the READY payload for a new session. */
  readyPayload: (sessionId: string, shard: unknown) => Record<string, unknown>;
  /**
   * Dispatches a new session receives right after READY, given its intents; GUILD_CREATE for
   * each guild in READY goes here.
   */
  afterReady?: (intents: number) => Array<{ event: string; data: unknown }>;
  /** Called after anything observable changed (a session, a dispatch), for `waitFor`. */
  onChange: () => void;
  /** Called for every `dispatch` with the number of sessions that received or queued it. */
  onDispatch?: (event: string, sessionCount: number) => void;
}

interface Session {
  id: string;
  intents: number;
  sequence: number;
  replay: GatewayPayload[];
  connection: Connection | null;
}

type Compression = 'none' | 'zlib-stream' | 'per-payload';

interface Connection {
  socket: WebSocket;
  session: Session | null;
  compression: Compression;
  deflate: zlib.Deflate | null;
  /** Serializes sends, so zlib-stream frames leave in the order they were deflated. */
  sendChain: Promise<void>;
}

/**
 * The fake's gateway WebSocket endpoint: Hello, Heartbeat/ACK, Identify → READY, Resume with
 * replay of missed dispatches, and dispatch of events to sessions whose intents allow them.
 * JSON encoding only; `compress=zlib-stream` and Identify's per-payload `compress` are supported.
 */
export class FakeGateway {
  readonly #options: FakeGatewayOptions;
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, Session>();
  readonly #connections = new Set<Connection>();
  #identifyCount = 0;
  #resumeCount = 0;
  #heartbeatCount = 0;
  readonly #identifyPayloads: Array<Record<string, unknown>> = [];

  constructor(options: FakeGatewayOptions) {
    this.#options = options;
  }

  /** Number of successful Identify payloads (new sessions) so far. */
  get identifyCount(): number {
    return this.#identifyCount;
  }

  /** Number of successful Resumes so far. */
  get resumeCount(): number {
    return this.#resumeCount;
  }

  /** Number of heartbeats received and acknowledged so far. */
  get heartbeatCount(): number {
    return this.#heartbeatCount;
  }

  /** Identify payloads received, without the token. */
  get identifyPayloads(): ReadonlyArray<Record<string, unknown>> {
    return this.#identifyPayloads;
  }

  /** Number of sessions with an open, identified connection. */
  get readyConnectionCount(): number {
    return [...this.#connections].filter((connection) => connection.session !== null).length;
  }

  /** Accepts an HTTP upgrade on the gateway path; any other path gets a 404 and is closed. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== GATEWAY_PATH && url.pathname !== `${GATEWAY_PATH}/`) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }

    this.#server.handleUpgrade(request, socket, head, (webSocket) => this.#accept(webSocket, url.searchParams));
  }

  /**
   * Sends a dispatch to every session whose intents include `requiredIntent` (0 for none), or
   * stores it for replay when the session's connection is down.
   */
  dispatch(event: string, data: unknown, requiredIntent = 0): void {
    this.dispatchPerSession(event, () => data, requiredIntent);
  }

  /**
   * Like `dispatch`, but builds the payload from each session's intents, for fields that depend
   * on them, such as message content without the MESSAGE_CONTENT intent.
   */
  dispatchPerSession(event: string, build: (intents: number) => unknown, requiredIntent = 0): void {
    let sessionCount = 0;
    for (const session of this.#sessions.values()) {
      if ((session.intents & requiredIntent) !== requiredIntent) {
        continue;
      }
      this.#sendDispatch(session, event, build(session.intents));
      sessionCount += 1;
    }
    this.#options.onDispatch?.(event, sessionCount);
    this.#options.onChange();
  }

  /** Drops every open connection; returns how many were dropped. */
  disconnectAll(options: DisconnectOptions = {}): number {
    const connections = [...this.#connections];
    if (options.invalidateSessions) {
      this.#sessions.clear();
    }

    for (const connection of connections) {
      if (options.code === undefined) {
        connection.socket.terminate();
      } else {
        connection.socket.close(options.code, 'Disconnected by the fake');
      }
    }
    return connections.length;
  }

  /** Cuts every connection and stops accepting new ones. */
  async close(): Promise<void> {
    for (const connection of this.#connections) {
      connection.socket.terminate();
      connection.deflate?.close();
    }
    this.#connections.clear();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: WebSocket, query: URLSearchParams): void {
    const connection: Connection = {
      socket,
      session: null,
      compression: 'none',
      deflate: null,
      sendChain: Promise.resolve(),
    };
    this.#connections.add(connection);

    socket.on('error', () => socket.terminate());
    socket.on('close', (code) => this.#onClose(connection, code));

    if (query.get('v') !== GATEWAY_VERSION) {
      socket.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
      return;
    }
    if ((query.get('encoding') ?? 'json') !== 'json') {
      socket.close(GatewayCloseCodes.DecodeError, 'The fake gateway supports encoding=json only');
      return;
    }

    const compress = query.get('compress');
    if (compress === 'zlib-stream') {
      connection.compression = 'zlib-stream';
      connection.deflate = zlib.createDeflate();
    } else if (compress !== null) {
      socket.close(GatewayCloseCodes.DecodeError, `The fake gateway does not support compress=${compress}`);
      return;
    }

    socket.on('message', (data, isBinary) => this.#onMessage(connection, data, isBinary));
    this.#send(connection, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.#options.heartbeatIntervalMs }, s: null, t: null });
  }

  #onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: any };
    try {
      if (isBinary) {
        throw new Error('binary frames are not JSON');
      }
      payload = JSON.parse(data.toString());
    } catch {
      connection.socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload');
      return;
    }

    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.#heartbeatCount += 1;
        this.#send(connection, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        this.#options.onChange();
        return;
      case GatewayOpcodes.Identify:
        this.#identify(connection, payload.d ?? {});
        return;
      case GatewayOpcodes.Resume:
        this.#resume(connection, payload.d ?? {});
        return;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
        if (!connection.session) {
          connection.socket.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated');
        }
        return;
      default:
        connection.socket.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode');
    }
  }

  #identify(connection: Connection, data: Record<string, unknown>): void {
    if (connection.session) {
      connection.socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated');
      return;
    }
    if (data.token !== this.#options.token) {
      connection.socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed');
      return;
    }
    if (typeof data.intents !== 'number') {
      connection.socket.close(GatewayCloseCodes.DecodeError, 'Identify is missing intents');
      return;
    }

    if (data.compress === true && connection.compression === 'none') {
      connection.compression = 'per-payload';
    }

    const { token: _token, ...withoutToken } = data;
    this.#identifyPayloads.push(withoutToken);
    this.#identifyCount += 1;

    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents: data.intents,
      sequence: 0,
      replay: [],
      connection,
    };
    this.#sessions.set(session.id, session);
    connection.session = session;

    this.#sendDispatch(session, GatewayDispatchEvents.Ready, this.#options.readyPayload(session.id, data.shard));
    for (const dispatch of this.#options.afterReady?.(session.intents) ?? []) {
      this.#sendDispatch(session, dispatch.event, dispatch.data);
    }
    this.#options.onChange();
  }

  #resume(connection: Connection, data: Record<string, unknown>): void {
    const session = typeof data.session_id === 'string' ? this.#sessions.get(data.session_id) : undefined;
    const lastSequence = typeof data.seq === 'number' ? data.seq : 0;

    if (!session || data.token !== this.#options.token || lastSequence > session.sequence) {
      this.#send(connection, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }

    if (session.connection && session.connection !== connection) {
      session.connection.socket.terminate();
    }
    session.connection = connection;
    connection.session = session;
    this.#resumeCount += 1;

    for (const payload of session.replay) {
      if ((payload.s ?? 0) > lastSequence) {
        this.#send(connection, payload);
      }
    }
    this.#sendDispatch(session, GatewayDispatchEvents.Resumed, null);
    this.#options.onChange();
  }

  #sendDispatch(session: Session, event: string, data: unknown): void {
    session.sequence += 1;
    const payload: GatewayPayload = { op: GatewayOpcodes.Dispatch, d: data, s: session.sequence, t: event };

    session.replay.push(payload);
    if (session.replay.length > SESSION_REPLAY_MAX) {
      session.replay.shift();
    }
    if (session.connection) {
      this.#send(session.connection, payload);
    }
  }

  #send(connection: Connection, payload: GatewayPayload): void {
    const json = JSON.stringify(payload);
    const { socket } = connection;

    connection.sendChain = connection.sendChain.then(async () => {
      if (socket.readyState !== socket.OPEN) {
        return;
      }
      if (connection.compression === 'none') {
        socket.send(json);
      } else if (connection.compression === 'per-payload') {
        socket.send(zlib.deflateSync(json));
      } else if (connection.deflate) {
        socket.send(await deflateStreamFrame(connection.deflate, json));
      }
    });
  }

  #onClose(connection: Connection, code: number): void {
    this.#connections.delete(connection);
    connection.deflate?.close();

    const session = connection.session;
    if (!session || session.connection !== connection) {
      this.#options.onChange();
      return;
    }
    session.connection = null;

    // A client closing with 1000 or 1001 ends its session; other closes leave it resumable.
    if (code === 1000 || code === 1001) {
      this.#sessions.delete(session.id);
    }
    this.#options.onChange();
  }
}

/**
 * Deflates one payload on the connection's shared zlib context and flushes with Z_SYNC_FLUSH, so
 * the frame ends in 00 00 FF FF, the suffix zlib-stream clients wait for before inflating.
 */
function deflateStreamFrame(deflate: zlib.Deflate, json: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
    };
    deflate.on('data', onData);
    deflate.once('error', reject);
    deflate.write(json);
    deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      deflate.off('data', onData);
      deflate.off('error', reject);
      resolve(Buffer.concat(chunks));
    });
  });
}
