import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeContext } from './context.js';
import { DiscordHttpError, discordErrors } from './errors.js';
import type { UploadedFile } from './messages.js';
import { rateLimitHeaders, tooManyRequests, type BucketLimit } from './rate-limit.js';

/** API version prefix the fake serves; discord.js 14 appends `/v10` to its `rest.api` option. */
export const API_PREFIX = '/api/v10';

/** A parsed request as route handlers see it. */
export interface RestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  files: UploadedFile[];
}

/** What a route handler returns: a status and an optional JSON body. */
export interface RestResult {
  status: number;
  body?: unknown;
}

export type RouteHandler = (context: FakeContext, request: RestRequest) => RestResult;

/** One REST route: method, path template with `:name` parameters, and how it is authorized. */
export interface RouteDefinition {
  method: string;
  template: string;
  handler: RouteHandler;
  /** Whether the route needs `Authorization: Bot <token>`; interaction and webhook routes do not. */
  auth: boolean;
  /** Parameters that form the top-level resource for rate limits (channel, webhook id + token). */
  majorParameters?: string[];
  /** Bucket for this route instead of the default route bucket. */
  bucket?: (context: FakeContext) => BucketLimit;
}

/** Decides whether a request should get an injected failure. */
export type RouteMatcher = { method?: string; path: string | RegExp } | ((method: string, path: string) => boolean);

/** A one-shot failure queued by `failNext`. */
export interface InjectedFailure {
  matcher: RouteMatcher;
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface CompiledRoute extends RouteDefinition {
  pattern: RegExp;
  parameterNames: string[];
}

function compile(route: RouteDefinition): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.template
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        parameterNames.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), parameterNames };
}

function matches(matcher: RouteMatcher, method: string, path: string): boolean {
  if (typeof matcher === 'function') {
    return matcher(method, path);
  }
  if (matcher.method && matcher.method.toUpperCase() !== method) {
    return false;
  }
  return typeof matcher.path === 'string' ? matcher.path === path : matcher.path.test(path);
}

async function readBody(request: IncomingMessage): Promise<{ body: unknown; files: UploadedFile[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  const contentType = request.headers['content-type'] ?? '';

  if (raw.length === 0) {
    return { body: undefined, files: [] };
  }
  if (contentType.startsWith('multipart/form-data')) {
    // The WHATWG Request parser in Node 20 reads multipart bodies, so no extra package is needed.
    const form = await new Request('http://127.0.0.1/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData();
    const files: UploadedFile[] = [];
    let body: unknown;
    for (const [name, value] of form.entries()) {
      if (name === 'payload_json' && typeof value === 'string') {
        body = JSON.parse(value);
      } else if (typeof value !== 'string') {
        files.push({ filename: value.name });
      }
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')), files: [] };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  response.writeHead(status, { ...headers, 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/**
 * Builds the HTTP listener for the REST API: routing, bot-token check, per-route rate-limit
 * buckets with X-RateLimit-* headers, injected failures and the request log.
 */
export function createRestListener(
  context: FakeContext,
  routes: readonly RouteDefinition[],
  failures: InjectedFailure[],
): (request: IncomingMessage, response: ServerResponse) => void {
  const compiled = routes.map(compile);

  return (request, response) => {
    void handle(request, response).catch((error: unknown) => {
      send(response, 500, { message: `Fake Discord failed: ${String(error)}`, code: 0 }, {});
    });
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : null;
    const record = {
      method,
      path: path ?? url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined as unknown,
      status: 0,
      at: Date.now(),
    };
    context.state.requests.push(record);

    const finish = (status: number, body: unknown, headers: Record<string, string>): void => {
      record.status = status;
      send(response, status, body, headers);
      context.state.changed();
    };

    let parsed: { body: unknown; files: UploadedFile[] };
    try {
      parsed = await readBody(request);
    } catch {
      const error = discordErrors.malformedBody();
      finish(error.status, error.body, {});
      return;
    }
    record.body = parsed.body;

    if (path === null) {
      const error = discordErrors.notFound();
      finish(error.status, error.body, {});
      return;
    }

    const injectedIndex = failures.findIndex((failure) => matches(failure.matcher, method, path));
    if (injectedIndex >= 0) {
      const [failure] = failures.splice(injectedIndex, 1);
      finish(failure!.status, failure!.body, failure!.headers);
      return;
    }

    let route: CompiledRoute | undefined;
    let match: RegExpExecArray | null = null;
    let pathExists = false;
    for (const candidate of compiled) {
      const candidateMatch = candidate.pattern.exec(path);
      if (!candidateMatch) {
        continue;
      }
      pathExists = true;
      if (candidate.method === method) {
        route = candidate;
        match = candidateMatch;
        break;
      }
    }
    if (!route || !match) {
      const error = pathExists ? discordErrors.methodNotAllowed() : discordErrors.notFound();
      finish(error.status, error.body, {});
      return;
    }

    const params: Record<string, string> = {};
    route.parameterNames.forEach((name, index) => {
      params[name] = decodeURIComponent(match![index + 1]!);
    });

    if (route.auth && request.headers.authorization !== `Bot ${context.token}`) {
      const error = discordErrors.unauthorized();
      finish(error.status, error.body, {});
      return;
    }

    const resource = (route.majorParameters ?? []).map((name) => params[name]).join(':') || 'global';
    const bucket = route.bucket?.(context) ?? context.rateLimits.route;
    const bucketState = context.rateLimiter.take(`${route.method} ${route.template}`, resource, bucket);
    const headers = rateLimitHeaders(bucketState);
    if (!bucketState.allowed) {
      const limited = tooManyRequests(bucketState, 'user');
      finish(429, limited.body, { ...headers, ...limited.headers });
      return;
    }

    try {
      const result = route.handler(context, { method, path, params, query: url.searchParams, body: parsed.body, files: parsed.files });
      finish(result.status, result.body, headers);
    } catch (error) {
      if (error instanceof DiscordHttpError) {
        finish(error.status, error.body, { ...headers, ...error.headers });
        return;
      }
      throw error;
    }
  }
}
