/**
 * A tiny HTTP proxy on 127.0.0.1 between an S3 client and a real server, injecting the
 * failures S3 clients meet: 500 InternalError, 503 SlowDown, a connection reset mid-body,
 * a stall mid-body, and 403 AccessDenied. Requests are forwarded verbatim (the Host header
 * too, so SigV4 signatures stay valid).
 *
 * A stall never ends by itself (only `releaseStalls()` or `stop()` end it): a client gets
 * past one only by its own idle timeout, so a test never races a stall's length against
 * the server's speed, and may set the timeout far above any real response time.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type FaultKind = 'error500' | 'slowdown503' | 'reset' | 'stall';

export interface FaultSettings {
  /** Share of requests (0..1) that get a fault. */
  rate: number;
  /** The faults to inject, taken in turn, so that every kind comes up once `kinds.length` faults did. */
  kinds: FaultKind[];
  /** Faults left to inject (each one counts down); then requests pass. Default: no limit. */
  budget?: number;
  /** Only requests for which this is true can get a fault (default: all). */
  only?: (method: string, url: string) => boolean;
  /** Chooses each request's fault itself (undefined: none), in place of rate, kinds and only. */
  pick?: (method: string, url: string) => FaultKind | undefined;
  /** Requests for which this is true get 403 AccessDenied. */
  deny?: (method: string, url: string) => boolean;
}

export interface FaultProxy {
  endpoint: string;
  settings: FaultSettings;
  /** Requests seen (and those with a Range header), the latest one's URL, and faults injected per kind. */
  stats: { requests: number; ranged: number; lastUrl: string; faults: Record<FaultKind, number>; denied: number };
  /** The URLs of the responses stalled right now (their first half sent, the client waiting). */
  stalledUrls(): string[];
  /** Sends the rest of every stalled response (or of those whose URL passes `which`) to clients still waiting. */
  releaseStalls(which?: (url: string) => boolean): void;
  stop(): Promise<void>;
}

/** Settings that inject nothing (every kind listed, for a test that only raises the rate). */
export function noFaults(): FaultSettings {
  return { rate: 0, kinds: ['error500', 'slowdown503', 'reset', 'stall'] };
}

/** A deterministic generator (mulberry32), so a failing run can be repeated. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(target: string, settings: Partial<FaultSettings> = {}, seed = 42): Promise<FaultProxy> {
  const upstream = new URL(target);
  const random = seeded(seed);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  /** How to send the rest of each stalled response, by its URL. */
  const stalled = new Map<() => void, string>();
  let turn = 0;
  const proxy: FaultProxy = {
    endpoint: '',
    settings: { ...noFaults(), ...settings },
    stats: { requests: 0, ranged: 0, lastUrl: '', faults: { error500: 0, slowdown503: 0, reset: 0, stall: 0 }, denied: 0 },
    stalledUrls: () => [...stalled.values()],
    releaseStalls(which = () => true) {
      for (const [release, url] of stalled) {
        if (!which(url)) continue;
        stalled.delete(release);
        release();
      }
    },
    stop: async () => undefined,
  };

  /** The fault due for this request, if any (`injected` counts it once it happened). */
  const drawFault = (method: string, url: string): FaultKind | undefined => {
    const { settings: s } = proxy;
    if (s.budget !== undefined && s.budget <= 0) return undefined;
    if (s.pick !== undefined) return s.pick(method, url);
    if (s.kinds.length === 0) return undefined;
    if (!(s.only?.(method, url) ?? true) || !(random() < s.rate)) return undefined;
    return s.kinds[turn % s.kinds.length];
  };
  const injected = (fault: FaultKind): void => {
    proxy.stats.faults[fault] += 1;
    turn += 1;
    if (proxy.settings.budget !== undefined) proxy.settings.budget -= 1;
  };

  const sendError = (res: ServerResponse, status: number, code: string, message: string): void => {
    const body = s3ErrorXml(code, message);
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    proxy.stats.requests += 1;
    if (req.headers.range !== undefined) proxy.stats.ranged += 1;
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    proxy.stats.lastUrl = url;
    const body = await readBody(req);
    const { settings: s } = proxy;
    if (s.deny?.(method, url) === true) {
      proxy.stats.denied += 1;
      sendError(res, 403, 'AccessDenied', 'Access Denied');
      return;
    }
    const fault = drawFault(method, url);
    if (fault === 'error500' || fault === 'slowdown503') {
      injected(fault);
      if (fault === 'error500') sendError(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
      else sendError(res, 503, 'SlowDown', 'Please reduce your request rate.');
      return;
    }
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method, path: url, headers: req.headers },
        (response) => readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject),
      );
      forward.on('error', reject);
      forward.end(body);
    });
    res.writeHead(answer.status, answer.headers);
    if (fault === undefined || answer.body.length < 2) {
      // A reset or stall needs a body to cut; without one the request passes.
      res.end(answer.body);
      return;
    }
    injected(fault);
    const half = Math.floor(answer.body.length / 2);
    res.write(answer.body.subarray(0, half));
    if (fault === 'reset') {
      // After the first half has left: the client sees a connection reset mid-body.
      const timer = setTimeout(() => {
        timers.delete(timer);
        req.socket.resetAndDestroy();
      }, 20);
      timers.add(timer);
      return;
    }
    const release = (): void => {
      if (!res.destroyed) res.end(answer.body.subarray(half));
    };
    stalled.set(release, url);
    res.once('close', () => stalled.delete(release));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 502, 'BadGateway', 'fault proxy could not reach the server');
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no port');
  proxy.endpoint = `http://127.0.0.1:${address.port}`;
  proxy.stop = async () => {
    for (const timer of timers) clearTimeout(timer);
    stalled.clear();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
