// Who may read an endpoint, asked of the API server: the bearer token goes into a TokenReview
// (authentication.k8s.io/v1), the user it names into a SubjectAccessReview (authorization.k8s.io/v1)
// for the request's non-resource path and verb. controller-runtime's metrics filter
// (filters.WithAuthenticationAndAuthorization) does the same through k8s.io/apiserver's delegating
// authenticator and authorizer; the cache times are theirs.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { realClock, type Clock } from './clock.js';
import { InvalidOptionError, errorMessage } from './errors.js';
import { ExpiringLru } from './expiring-lru.js';
import { silentLogger, type Logger } from './logger.js';
import type { RestClient } from './rest-client.js';

/** Metrics of the delegated authentication and authorization (registered when a registry is given). */
export const DelegatedAuthMetricNames = {
  /** Reviews sent to the API server; labels `review` (TokenReview, SubjectAccessReview) and `result`. */
  ReviewsTotal: 'lynq_metrics_auth_reviews_total',
  /** Requests answered; label `code` (200, 401, 403, 429, 500). */
  RequestsTotal: 'lynq_metrics_auth_requests_total',
} as const;

/** A user as the API server's TokenReview describes it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuthorizationVerdict {
  allowed: boolean;
  /** The authorizer's explanation; often empty when RBAC denies. */
  reason: string;
}

/** The two questions put to the API server; both throw when they cannot get an answer. */
export interface AccessReviews {
  /** The user the token belongs to, or undefined when the API server does not authenticate it. */
  authenticate(token: string): Promise<UserInfo | undefined>;
  /** Whether `user` may `verb` the non-resource URL `path`. */
  authorize(user: UserInfo, verb: string, path: string): Promise<AuthorizationVerdict>;
}

const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';
const SUBJECT_ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

interface SubjectAccessReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/** The body of a TokenReview for `token` (no audiences: the API server's own). */
export function tokenReview(token: string): object {
  return { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
}

/** The body of a SubjectAccessReview of a non-resource request by `user`. */
export function subjectAccessReview(user: UserInfo, verb: string, path: string): object {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      ...(user.groups?.length ? { groups: user.groups } : {}),
      ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
      nonResourceAttributes: { path, verb },
    },
  };
}

/** A TokenReview's answer: the user when authenticated with a name, else undefined. */
export function userOfTokenReview(status: TokenReviewStatus | undefined): UserInfo | undefined {
  const user = status?.user;
  if (status?.authenticated !== true || !user?.username) return undefined;
  return {
    username: user.username,
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.groups?.length ? { groups: [...user.groups] } : {}),
    ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: { ...user.extra } } : {}),
  };
}

/** A SubjectAccessReview's answer: allowed only when allowed and not denied. */
export function verdictOfSubjectAccessReview(
  status: SubjectAccessReviewStatus | undefined,
): AuthorizationVerdict {
  const reason = [status?.reason, status?.evaluationError].filter(Boolean).join('; ');
  return { allowed: status?.allowed === true && status.denied !== true, reason };
}

/** Reviews sent with the project's RestClient (the operator's identity must create both kinds). */
export function apiServerReviews(client: RestClient, timeoutMs = 10_000): AccessReviews {
  return {
    async authenticate(token) {
      const review = await client.request<{ status?: TokenReviewStatus }>({
        method: 'POST',
        path: TOKEN_REVIEWS,
        body: tokenReview(token),
        timeoutMs,
      });
      return userOfTokenReview(review.status);
    },
    async authorize(user, verb, path) {
      const review = await client.request<{ status?: SubjectAccessReviewStatus }>({
        method: 'POST',
        path: SUBJECT_ACCESS_REVIEWS,
        body: subjectAccessReview(user, verb, path),
        timeoutMs,
      });
      return verdictOfSubjectAccessReview(review.status);
    },
  };
}

/**
 * The bearer token of an Authorization header (scheme case-insensitive, as RFC 7235 says and the
 * API server accepts), or undefined when there is none.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^bearer +([^\s]+)$/i.exec(authorization?.trim() ?? '');
  return m?.[1];
}

export type AccessDecision =
  | { allowed: true; status: 200; user: UserInfo }
  | {
      allowed: false;
      status: 401 | 403 | 429 | 500;
      /** Plain text for the client: says why, never a token. */
      message: string;
      user?: UserInfo;
      retryAfterSeconds?: number;
    };

export interface DelegatedAuthOptions {
  reviews: AccessReviews;
  /** How long a token's review is trusted (authenticated or not). Default 1 min (controller-runtime). */
  tokenTtlMs?: number;
  /** How long an allowed SubjectAccessReview is trusted. Default 5 min (controller-runtime). */
  allowTtlMs?: number;
  /** How long a denied SubjectAccessReview is trusted. Default 30 s (controller-runtime). */
  denyTtlMs?: number;
  /** Entries of each cache (authenticated tokens, unauthenticated ones, decisions). Default 1024. */
  maxEntries?: number;
  /** Reviews the API server is asked for per second on cache misses. Default 5. */
  reviewsPerSecond?: number;
  /** Reviews that may be asked at once before the rate applies. Default 20. */
  reviewBurst?: number;
  clock?: Clock;
  logger?: Logger;
  /** Registers lynq_metrics_auth_* counters here. */
  registry?: Registry;
}

type TokenOutcome = { user: UserInfo } | { user: undefined };

class RateExceeded extends Error {
  override readonly name = 'RateExceeded';
}

/**
 * Decides whether an HTTP request may read a non-resource path, asking the API server who the
 * bearer token belongs to and whether that user may use the verb on the path.
 *
 * Answers are cached like k8s.io/apiserver's delegating authenticator and authorizer (which
 * controller-runtime's metrics filter and kube-rbac-proxy use): a token's review for 1 minute,
 * an allowed decision for 5 minutes, a denied one for 30 seconds; errors are never cached. The
 * caches are LRUs of bounded size (the API server's token cache holds 4,096 entries, its webhook
 * authorizer 8,192; here 1,024 each by default, plenty for the few scrapers an operator has).
 * Tokens are kept only as an HMAC under a key of this process. Unauthenticated tokens have a cache
 * of their own, so a flood of made-up tokens cannot push real scrapers out, and reviews on cache
 * misses go through a token bucket: past it the client gets 429, and the API server is not asked.
 * Tokens that were authenticated before (remembered, as HMACs, for an hour) have a bucket of their
 * own besides, so that a flood of made-up tokens cannot keep Prometheus from being reviewed again
 * when its token's entry expires. Concurrent requests with the same token share one review.
 */
export class DelegatedAuth {
  private readonly reviews: AccessReviews;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly tokenTtlMs: number;
  private readonly allowTtlMs: number;
  private readonly denyTtlMs: number;
  private readonly reviewsPerSecond: number;
  private readonly reviewBurst: number;
  private readonly hmacKey = randomBytes(32);
  private readonly authenticated: ExpiringLru<UserInfo>;
  private readonly unauthenticated: ExpiringLru<true>;
  private readonly decisions: ExpiringLru<AuthorizationVerdict>;
  /** Tokens authenticated within the last hour, and users they named: they draw on `reserve`. */
  private readonly known: ExpiringLru<true>;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly bucket: ReviewBucket;
  private readonly reserve: ReviewBucket;
  private readonly reviewCounter: Counter<'review' | 'result'> | undefined;
  private readonly requestCounter: Counter<'code'> | undefined;

  constructor(options: DelegatedAuthOptions) {
    this.reviews = options.reviews;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger;
    this.tokenTtlMs = options.tokenTtlMs ?? 60_000;
    this.allowTtlMs = options.allowTtlMs ?? 5 * 60_000;
    this.denyTtlMs = options.denyTtlMs ?? 30_000;
    this.reviewsPerSecond = options.reviewsPerSecond ?? 5;
    this.reviewBurst = options.reviewBurst ?? 20;
    if (!(this.reviewsPerSecond > 0))
      throw new InvalidOptionError('reviewsPerSecond', `must be > 0, got ${this.reviewsPerSecond}`);
    if (!(this.reviewBurst >= 1))
      throw new InvalidOptionError('reviewBurst', `must be >= 1, got ${this.reviewBurst}`);
    const max = options.maxEntries ?? 1024;
    this.authenticated = new ExpiringLru(max, this.clock);
    this.unauthenticated = new ExpiringLru(max, this.clock);
    this.decisions = new ExpiringLru(max, this.clock);
    this.known = new ExpiringLru(max, this.clock);
    this.bucket = new ReviewBucket(this.reviewsPerSecond, this.reviewBurst, this.clock);
    this.reserve = new ReviewBucket(this.reviewsPerSecond, this.reviewBurst, this.clock);
    const registers = options.registry !== undefined ? [options.registry] : undefined;
    if (registers !== undefined) {
      this.reviewCounter = new Counter({
        name: DelegatedAuthMetricNames.ReviewsTotal,
        help: 'TokenReviews and SubjectAccessReviews sent to the API server to authorize requests for metrics, by result',
        labelNames: ['review', 'result'],
        registers,
      });
      this.requestCounter = new Counter({
        name: DelegatedAuthMetricNames.RequestsTotal,
        help: 'Requests for metrics answered after authentication and authorization, by HTTP status code',
        labelNames: ['code'],
        registers,
      });
    }
  }

  /** Decides a request given its Authorization header, verb (`get`) and path (`/metrics`). */
  async check(
    authorization: string | undefined,
    verb: string,
    path: string,
  ): Promise<AccessDecision> {
    const decision = await this.decide(authorization, verb, path);
    this.requestCounter?.inc({ code: String(decision.status) });
    return decision;
  }

  private async decide(
    authorization: string | undefined,
    verb: string,
    path: string,
  ): Promise<AccessDecision> {
    const token = bearerToken(authorization);
    if (token === undefined)
      return {
        allowed: false,
        status: 401,
        message: `Unauthorized: send "Authorization: Bearer <token>" with the token of a user allowed to ${verb} ${path}`,
      };
    let user: UserInfo | undefined;
    try {
      user = (await this.authenticate(token)).user;
    } catch (err) {
      return this.failure(err, 'TokenReview', { verb, path });
    }
    if (user === undefined)
      return {
        allowed: false,
        status: 401,
        message: 'Unauthorized: the API server did not authenticate the bearer token',
      };
    let verdict: AuthorizationVerdict;
    try {
      verdict = await this.authorize(user, verb, path);
    } catch (err) {
      return this.failure(err, 'SubjectAccessReview', { verb, path, user: user.username }, user);
    }
    if (verdict.allowed) return { allowed: true, status: 200, user };
    this.logger.log('debug', 'metrics request forbidden', {
      user: user.username,
      verb,
      path,
      reason: verdict.reason,
    });
    return {
      allowed: false,
      status: 403,
      user,
      message:
        `Forbidden: user ${JSON.stringify(user.username)} cannot ${verb} path ${JSON.stringify(path)}` +
        `${verdict.reason ? `: ${verdict.reason}` : ''} (a ClusterRole rule with ` +
        `nonResourceURLs ["${path}"] and verbs ["${verb}"] bound to the user grants it)`,
    };
  }

  private failure(
    err: unknown,
    review: string,
    fields: Record<string, string>,
    user?: UserInfo,
  ): AccessDecision {
    if (err instanceof RateExceeded)
      return {
        allowed: false,
        status: 429,
        retryAfterSeconds: 1,
        ...(user !== undefined ? { user } : {}),
        message: `Too Many Requests: at most ${this.reviewsPerSecond} reviews a second are sent to the API server; retry shortly`,
      };
    this.logger.log('warn', `metrics request: the ${review} failed`, {
      ...fields,
      error: errorMessage(err),
    });
    return {
      allowed: false,
      status: 500,
      ...(user !== undefined ? { user } : {}),
      message: `Internal Server Error: the ${review} could not be completed; the operator's log says why`,
    };
  }

  private async authenticate(token: string): Promise<TokenOutcome> {
    const key = createHmac('sha256', this.hmacKey).update(token).digest('base64');
    const cached = this.authenticated.get(key);
    if (cached !== undefined) return { user: cached };
    if (this.unauthenticated.get(key) !== undefined) return { user: undefined };
    return this.shared(`token:${key}`, async () => {
      this.take(this.known.get(`token:${key}`) !== undefined);
      let user: UserInfo | undefined;
      try {
        user = await this.reviews.authenticate(token);
      } catch (err) {
        this.reviewCounter?.inc({ review: 'TokenReview', result: 'error' });
        throw err;
      }
      this.reviewCounter?.inc({
        review: 'TokenReview',
        result: user !== undefined ? 'authenticated' : 'unauthenticated',
      });
      if (user !== undefined) {
        this.authenticated.set(key, user, this.tokenTtlMs);
        this.known.set(`token:${key}`, true, KNOWN_TTL_MS);
      } else this.unauthenticated.set(key, true, this.tokenTtlMs);
      return { user };
    });
  }

  private async authorize(
    user: UserInfo,
    verb: string,
    path: string,
  ): Promise<AuthorizationVerdict> {
    const key = decisionKey(user, verb, path);
    const known = this.decisions.get(key);
    if (known !== undefined) return known;
    return this.shared(`decision:${key}`, async () => {
      // A user named by a token the API server authenticated: not a made-up one.
      this.take(true);
      let verdict: AuthorizationVerdict;
      try {
        verdict = await this.reviews.authorize(user, verb, path);
      } catch (err) {
        this.reviewCounter?.inc({ review: 'SubjectAccessReview', result: 'error' });
        throw err;
      }
      this.reviewCounter?.inc({
        review: 'SubjectAccessReview',
        result: verdict.allowed ? 'allowed' : 'denied',
      });
      this.decisions.set(key, verdict, verdict.allowed ? this.allowTtlMs : this.denyTtlMs);
      return verdict;
    });
  }

  /** One review per key at a time: later callers wait for the first one's answer. */
  private shared<T>(key: string, review: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const started = review().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  /**
   * Takes a review from the reserve (for tokens authenticated before and their users) or else the
   * shared bucket, or throws RateExceeded when neither has one.
   */
  private take(known: boolean): void {
    if (known && this.reserve.take()) return;
    if (!this.bucket.take()) throw new RateExceeded('review rate exceeded');
  }
}

/** How long a token authenticated once keeps its claim on the reserve of reviews. */
const KNOWN_TTL_MS = 3_600_000;

/** `perSecond` reviews a second, `burst` at once. */
class ReviewBucket {
  private tokens: number;
  private refilledAt: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.refilledAt = clock.now();
  }

  take(): boolean {
    const now = this.clock.now();
    if (now > this.refilledAt) {
      this.tokens = Math.min(
        this.burst,
        this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond,
      );
      this.refilledAt = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function sorted<T>(entries: [string, T][]): [string, T][] {
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A decision depends on every attribute of the user, the verb and the path. */
function decisionKey(user: UserInfo, verb: string, path: string): string {
  const identity = [
    user.username,
    user.uid ?? '',
    [...(user.groups ?? [])].sort(),
    sorted(Object.entries(user.extra ?? {}).map(([k, v]) => [k, [...v].sort()])),
    verb,
    path,
  ];
  return createHash('sha256').update(JSON.stringify(identity)).digest('base64');
}
