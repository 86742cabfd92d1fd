import WebSocket from 'ws';

/** An agent's browser, as far as the server can tell: a cookie jar, the CSRF token, sockets. */
export interface AgentClient {
  cookie: string;
  csrf: string;
  call(method: string, path: string, body?: unknown, opts?: { csrf?: string | null }): Promise<{ status: number; body: any; headers: Headers }>;
  socket(): Promise<LiveSocket>;
}

export interface LiveSocket {
  messages: any[];
  /** Resolves with the first message (already received or to come) that matches. */
  next(match: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  send(message: unknown): void;
  close(): void;
}

export async function openSocket(url: string, headers: Record<string, string> = {}, hello?: unknown): Promise<LiveSocket> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
  const messages: any[] = [];
  const waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString('utf8'));
    messages.push(m);
    for (const w of [...waiters]) if (w.match(m)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`socket refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  if (hello !== undefined) ws.send(JSON.stringify(hello));
  return {
    messages,
    next(match, timeoutMs = 10_000) {
      const seen = messages.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching socket message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`)), timeoutMs);
        waiters.push({ match, resolve: (m) => { clearTimeout(t); resolve(m); } });
      });
    },
    send: (message) => ws.send(JSON.stringify(message)),
    close: () => ws.close(),
  };
}

async function request(base: string, method: string, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed as any, headers: res.headers };
}

/** Logs in through /inbox/api/login and keeps what a browser would keep. */
export async function loginAgent(base: string, account: string, agent: string, password: string): Promise<AgentClient> {
  const res = await request(base, 'POST', '/inbox/api/login', { account, agent, password }, {});
  if (res.status !== 200) throw new Error(`login of ${agent}@${account} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const client: AgentClient = {
    cookie,
    csrf: res.body.csrfToken,
    call: (method, path, body, opts = {}) => {
      const csrf = opts.csrf === undefined ? client.csrf : opts.csrf;
      return request(base, method, `/inbox/api${path}`, body, { cookie: client.cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) });
    },
    socket: () => openSocket(`${base}/inbox/api/socket`, { cookie: client.cookie, origin: base }),
  };
  return client;
}

/** A web chat visitor: a token, and the channel's public API. */
export function visitor(base: string, account: string, channel: string, token: string) {
  const path = `/chat/api/${account}/${channel}`;
  let n = 0;
  return {
    say: (text: string, id = `msg-${token.slice(0, 6)}-${++n}`) => request(base, 'POST', `${path}/messages`, { id, text }, { 'x-visitor-token': token }),
    press: (payload: string, title: string) => request(base, 'POST', `${path}/messages`, { id: `press-${token.slice(0, 6)}-${++n}`, postback: { payload, title } }, { 'x-visitor-token': token }),
    history: () => request(base, 'GET', `${path}/history`, undefined, { 'x-visitor-token': token }),
    status: () => request(base, 'GET', `${path}/status`, undefined, {}),
    socket: () => openSocket(`${base}${path}/socket`, {}, { type: 'hello', token }),
  };
}
