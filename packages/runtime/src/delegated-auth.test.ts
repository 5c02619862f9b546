import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import {
  DelegatedAuth,
  DelegatedAuthMetricNames,
  bearerToken,
  subjectAccessReview,
  tokenReview,
  userOfTokenReview,
  verdictOfSubjectAccessReview,
  type AccessReviews,
  type DelegatedAuthOptions,
  type UserInfo,
} from './delegated-auth.js';

const reader: UserInfo = {
  username: 'system:serviceaccount:monitoring:prometheus',
  uid: 'u-1',
  groups: ['system:serviceaccounts', 'system:authenticated'],
};
const stranger: UserInfo = {
  username: 'system:serviceaccount:apps:web',
  groups: ['system:authenticated'],
};

/**
 * The two reviews as plain functions over a table of tokens and allowed users: what the cache,
 * the rate limit and the answers do is independent of how the API server is reached.
 */
class ScriptedReviews implements AccessReviews {
  tokenReviews = 0;
  accessReviews = 0;
  failing: Error | undefined;
  /** Resolves pending reviews when set (to hold several requests in flight). */
  gate: Promise<void> | undefined;
  constructor(
    private readonly users: Record<string, UserInfo>,
    private readonly allowed: Set<string>,
  ) {}
  async authenticate(token: string): Promise<UserInfo | undefined> {
    this.tokenReviews++;
    await this.gate;
    if (this.failing) throw this.failing;
    return this.users[token];
  }
  async authorize(user: UserInfo, verb: string, path: string) {
    this.accessReviews++;
    await this.gate;
    if (this.failing) throw this.failing;
    return { allowed: this.allowed.has(`${user.username} ${verb} ${path}`), reason: '' };
  }
}

function setup(options: Partial<DelegatedAuthOptions> = {}) {
  const clock = new FakeClock();
  const reviews = new ScriptedReviews(
    { 'reader-token': reader, 'stranger-token': stranger },
    new Set([`${reader.username} get /metrics`]),
  );
  const auth = new DelegatedAuth({ reviews, clock, ...options });
  const check = (authorization?: string) => auth.check(authorization, 'get', '/metrics');
  return { clock, reviews, auth, check };
}

describe('review bodies and answers', () => {
  it('reads a bearer token the way the API server does', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });

  it('asks a TokenReview of the token and a SubjectAccessReview of the whole user', () => {
    expect(tokenReview('t')).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: 't' },
    });
    const user: UserInfo = { ...reader, extra: { 'authentication.kubernetes.io/pod-name': ['p'] } };
    expect(subjectAccessReview(user, 'get', '/metrics')).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: reader.username,
        uid: 'u-1',
        groups: reader.groups,
        extra: { 'authentication.kubernetes.io/pod-name': ['p'] },
        nonResourceAttributes: { path: '/metrics', verb: 'get' },
      },
    });
  });

  it('trusts only an authenticated review with a user name, and only allowed-not-denied', () => {
    expect(
      userOfTokenReview({ authenticated: true, user: { username: 'u', groups: ['g'] } }),
    ).toEqual({ username: 'u', groups: ['g'] });
    expect(
      userOfTokenReview({ authenticated: false, error: 'invalid bearer token' }),
    ).toBeUndefined();
    expect(userOfTokenReview({ authenticated: true, user: {} })).toBeUndefined();
    expect(userOfTokenReview(undefined)).toBeUndefined();
    expect(verdictOfSubjectAccessReview({ allowed: true, reason: 'RBAC: allowed' })).toEqual({
      allowed: true,
      reason: 'RBAC: allowed',
    });
    expect(verdictOfSubjectAccessReview({ allowed: true, denied: true }).allowed).toBe(false);
    expect(verdictOfSubjectAccessReview({ allowed: false, evaluationError: 'x' })).toEqual({
      allowed: false,
      reason: 'x',
    });
  });
});

describe('DelegatedAuth', () => {
  it('answers 401 without a token, without asking the API server', async () => {
    const { reviews, check } = setup();
    const d = await check(undefined);
    expect(d).toMatchObject({ allowed: false, status: 401 });
    expect(!d.allowed && d.message).toContain('Authorization: Bearer');
    expect(reviews.tokenReviews).toBe(0);
  });

  it('answers 401 for a token the API server does not authenticate, and remembers it for a minute', async () => {
    const { clock, reviews, check } = setup();
    const d = await check('Bearer garbage');
    expect(d).toMatchObject({ allowed: false, status: 401 });
    expect(!d.allowed && d.message).not.toContain('garbage');
    await check('Bearer garbage');
    expect(reviews.tokenReviews).toBe(1);
    clock.advance(60_000);
    await check('Bearer garbage');
    expect(reviews.tokenReviews).toBe(2);
  });

  it('answers 200 for an allowed user and asks again only after the caches expire', async () => {
    const { clock, reviews, check } = setup();
    expect(await check('Bearer reader-token')).toEqual({
      allowed: true,
      status: 200,
      user: reader,
    });
    // A scrape every 15 s for four minutes: two reviews in all.
    for (let i = 0; i < 16; i++) {
      clock.advance(15_000);
      expect((await check('Bearer reader-token')).status).toBe(200);
    }
    // The token's review (1 min) was asked again each minute; the decision (5 min) was not.
    expect(reviews.accessReviews).toBe(1);
    expect(reviews.tokenReviews).toBe(5);
    clock.advance(60_000);
    await check('Bearer reader-token');
    expect(reviews.accessReviews).toBe(2);
  });

  it('answers 403 naming the user, the verb and the path, and remembers a denial for 30 s', async () => {
    const { clock, reviews, check } = setup();
    const d = await check('Bearer stranger-token');
    expect(d.status).toBe(403);
    const message = !d.allowed ? d.message : '';
    expect(message).toContain('"system:serviceaccount:apps:web"');
    expect(message).toContain('cannot get path "/metrics"');
    expect(message).toContain('nonResourceURLs ["/metrics"]');
    expect(message).not.toContain('stranger-token');
    await check('Bearer stranger-token');
    expect(reviews.accessReviews).toBe(1);
    clock.advance(30_000);
    await check('Bearer stranger-token');
    expect(reviews.accessReviews).toBe(2);
  });

  it('answers 500 when a review fails, and does not remember the failure', async () => {
    const { reviews, check } = setup();
    reviews.failing = new Error('connection refused');
    const d = await check('Bearer reader-token');
    expect(d).toMatchObject({ allowed: false, status: 500 });
    expect(!d.allowed && d.message).not.toContain('connection refused');
    reviews.failing = undefined;
    expect((await check('Bearer reader-token')).status).toBe(200);
    expect(reviews.tokenReviews).toBe(2);
  });

  it('asks once for concurrent requests with the same token', async () => {
    const { reviews, check } = setup();
    let open = () => {};
    reviews.gate = new Promise((resolve) => (open = resolve));
    const pending = Array.from({ length: 10 }, () => check('Bearer reader-token'));
    await Promise.resolve();
    open();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(reviews.tokenReviews).toBe(1);
    expect(reviews.accessReviews).toBe(1);
  });

  it('limits reviews of unknown tokens: a flood gets 429 and the API server a bounded rate', async () => {
    const { clock, reviews, auth, check } = setup({
      reviewsPerSecond: 5,
      reviewBurst: 20,
      maxEntries: 100,
    });
    // 1 of the 20: the SubjectAccessReview of a user the API server named comes from the reserve.
    expect((await check('Bearer reader-token')).status).toBe(200);
    const codes = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const { status } = await check(`Bearer flood-${i}`);
      codes.set(status, (codes.get(status) ?? 0) + 1);
    }
    expect(codes.get(401)).toBe(19);
    expect(codes.get(429)).toBe(981);
    expect(reviews.tokenReviews).toBe(20);
    const limited = await check('Bearer flood-x');
    expect(limited).toMatchObject({ status: 429, retryAfterSeconds: 1 });
    // The scraper's entries live in caches the flood cannot fill.
    expect((await check('Bearer reader-token')).status).toBe(200);
    expect(reviews.tokenReviews).toBe(20);
    // A second later, five more reviews may go out.
    clock.advance(1000);
    for (let i = 0; i < 10; i++) await check(`Bearer later-${i}`);
    expect(reviews.tokenReviews).toBe(25);
    // However many tokens, the caches stay within their bound.
    for (let s = 0; s < 100; s++) {
      clock.advance(1000);
      for (let i = 0; i < 10; i++) await check(`Bearer wave-${s}-${i}`);
    }
    expect((auth as unknown as { unauthenticated: { size: number } }).unauthenticated.size).toBe(
      100,
    );
  });

  it('keeps answering a scraper whose token it knows while made-up tokens drain the review rate', async () => {
    const { clock, reviews, check } = setup({ reviewsPerSecond: 5, reviewBurst: 20 });
    expect((await check('Bearer reader-token')).status).toBe(200);
    // For two minutes, 50 made-up tokens a second: every review the rate allows goes to them.
    let floodReviews = 0;
    for (let s = 0; s < 120; s++) {
      clock.advance(1_000);
      const before = reviews.tokenReviews;
      for (let i = 0; i < 50; i++) await check(`Bearer flood-${s}-${i}`);
      floodReviews += reviews.tokenReviews - before;
      // Prometheus scrapes every 15 s; its token's review expires each minute and is asked again.
      if (s % 15 === 14) expect((await check('Bearer reader-token')).status).toBe(200);
    }
    // The flood still got no more than the rate; the scraper's reviews came from a reserve.
    expect(floodReviews).toBeLessThanOrEqual(20 + 120 * 5);
    // A token never seen authenticated has no reserve: it waits its turn like the flood.
    expect((await check('Bearer stranger-token')).status).toBe(429);
  });

  it('never lets one user, path or verb answer for another, even with reviews in flight together', async () => {
    const { reviews, auth } = setup();
    let open = () => {};
    reviews.gate = new Promise((resolve) => (open = resolve));
    const pending = [
      auth.check('Bearer reader-token', 'get', '/metrics'),
      auth.check('Bearer stranger-token', 'get', '/metrics'),
      auth.check('Bearer reader-token', 'get', '/metrics/extra'),
      auth.check('Bearer reader-token', 'head', '/metrics'),
      auth.check('Bearer reader-token', 'get', '/metrics'),
    ];
    await Promise.resolve();
    open();
    expect((await Promise.all(pending)).map((d) => d.status)).toEqual([200, 403, 403, 403, 200]);
    // One TokenReview per token, one SubjectAccessReview per user, verb and path.
    expect(reviews.tokenReviews).toBe(2);
    expect(reviews.accessReviews).toBe(4);
    expect((await auth.check('Bearer stranger-token', 'get', '/metrics')).status).toBe(403);
    expect((await auth.check('Bearer reader-token', 'get', '/metrics/extra')).status).toBe(403);
  });

  it('answers 500 when the SubjectAccessReview of an authenticated token fails, keeping the authentication', async () => {
    const { reviews, auth, check } = setup();
    const failingAuthorize = reviews.authorize.bind(reviews);
    let fail = true;
    reviews.authorize = async (user, verb, path) => {
      if (fail) {
        reviews.accessReviews++;
        throw new Error(
          'POST /apis/authorization.k8s.io/v1/subjectaccessreviews: 403 Forbidden: the operator may not create subjectaccessreviews',
        );
      }
      return failingAuthorize(user, verb, path);
    };
    const lines: string[] = [];
    (auth as unknown as { logger: { log: (l: string, m: string, f: unknown) => void } }).logger = {
      log: (_l, m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
    };
    const d = await check('Bearer reader-token');
    expect(d).toMatchObject({ allowed: false, status: 500, user: { username: reader.username } });
    expect(!d.allowed && d.message).toBe(
      "Internal Server Error: the SubjectAccessReview could not be completed; the operator's log says why",
    );
    fail = false;
    expect((await check('Bearer reader-token')).status).toBe(200);
    expect(reviews.tokenReviews).toBe(1);
    expect(reviews.accessReviews).toBe(2);
    expect(lines.join('\n')).toContain(reader.username);
    expect(lines.join('\n')).toContain('may not create subjectaccessreviews');
    expect(lines.join('\n')).not.toContain('reader-token');
  });

  it('counts reviews and answers in its registry', async () => {
    const registry = new Registry();
    const { check } = setup({ registry });
    await check('Bearer reader-token');
    await check('Bearer reader-token');
    await check('Bearer stranger-token');
    await check('Bearer nobody');
    await check(undefined);
    const text = await registry.metrics();
    const reviews = DelegatedAuthMetricNames.ReviewsTotal;
    const requests = DelegatedAuthMetricNames.RequestsTotal;
    expect(text).toContain(`${reviews}{review="TokenReview",result="authenticated"} 2`);
    expect(text).toContain(`${reviews}{review="TokenReview",result="unauthenticated"} 1`);
    expect(text).toContain(`${reviews}{review="SubjectAccessReview",result="allowed"} 1`);
    expect(text).toContain(`${reviews}{review="SubjectAccessReview",result="denied"} 1`);
    expect(text).toContain(`${requests}{code="200"} 2`);
    expect(text).toContain(`${requests}{code="403"} 1`);
    expect(text).toContain(`${requests}{code="401"} 2`);
  });
});
