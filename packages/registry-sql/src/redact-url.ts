// Connection URLs in messages: the password is never shown. A URL that does not parse is
// redacted too, by the same lenient reading (everything between the user name and the last
// `@` is the password), so a malformed URL cannot leak what a well-formed one hides.

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
// Up to the next `&` only: a `#` inside a pasted password would otherwise end the match early.
const QUERY_SECRET = /([?&](?:password|sslpassword|sslkey)=)([^&]*)/gi;
/** Shorter secrets are not scrubbed out of free text (they would mangle every message). */
const MIN_SCRUBBED_LENGTH = 4;

function splitUserinfo(
  uri: string,
): { prefix: string; user: string; password: string; rest: string } | null {
  const scheme = SCHEME.exec(uri);
  if (scheme === null) return null;
  const afterScheme = uri.slice(scheme[0].length);
  // `scheme:///path`: no authority, hence no password (a SQLite path may hold `:` and `@`).
  if (afterScheme.startsWith('/')) return null;
  const at = afterScheme.lastIndexOf('@');
  if (at < 0) return null;
  const userinfo = afterScheme.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return null;
  return {
    prefix: scheme[0],
    user: userinfo.slice(0, colon),
    password: userinfo.slice(colon + 1),
    rest: afterScheme.slice(at),
  };
}

/**
 * `uri` with its password replaced by `***` (`postgresql://alice:***@host/db`), and the values
 * of `password=` (and `sslpassword=`, `sslkey=`) query parameters too. Works on URLs that do
 * not parse. A URL without a password comes back unchanged.
 *
 * @example
 * ```ts
 * redactUrl('postgresql://alice:S3cr3t@db.example.org/registry');
 * // 'postgresql://alice:***@db.example.org/registry'
 * ```
 */
export function redactUrl(uri: string): string {
  let out = uri;
  const parts = splitUserinfo(uri);
  if (parts !== null && parts.password !== '')
    out = `${parts.prefix}${parts.user}:***${parts.rest}`;
  return out.replace(QUERY_SECRET, (_m, key: string, value: string) =>
    value === '' ? key : `${key}***`,
  );
}

/** The secrets a URL holds (its password, raw and decoded, and secret query values). */
export function urlSecrets(uri: string): string[] {
  const secrets = new Set<string>();
  const add = (value: string) => {
    if (value === '') return;
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // Not percent-encoded text: the raw form is all there is.
    }
  };
  const parts = splitUserinfo(uri);
  if (parts !== null) add(parts.password);
  for (const match of uri.matchAll(QUERY_SECRET)) add(match[2]!);
  return [...secrets].filter((s) => s !== '');
}

/**
 * `text` with every URL in it redacted, and every secret of `uri` (see {@link urlSecrets})
 * replaced by `***`, so that a driver message echoing part of a connection string shows no
 * password either.
 */
export function scrubSecrets(text: string, uri: string): string {
  // The whole URL first, whatever its password's length.
  let out = text.split(uri).join(redactUrl(uri));
  // Longest first, so a decoded secret that contains the raw one is replaced whole.
  const secrets = urlSecrets(uri).sort((a, b) => b.length - a.length);
  for (const secret of secrets)
    if (secret.length >= MIN_SCRUBBED_LENGTH) out = out.split(secret).join('***');
  return out;
}

/**
 * An error safe to keep as a `cause` of an error about `uri`: `error` itself when none of the
 * URL's secrets appear in its message or stack, else a plain copy (same name, code and
 * scrubbed message and stack) that holds no reference to the original.
 */
export function scrubbedCause(error: unknown, uri: string): unknown {
  if (!(error instanceof Error)) return error;
  const secrets = urlSecrets(uri);
  let text = `${error.message}\n${error.stack ?? ''}`;
  for (const value of Object.values(error)) if (typeof value === 'string') text += `\n${value}`;
  if (secrets.every((s) => !text.includes(s))) return error;
  const copy = new Error(scrubSecrets(error.message, uri));
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  copy.stack = scrubSecrets(error.stack ?? copy.message, uri);
  return copy;
}
