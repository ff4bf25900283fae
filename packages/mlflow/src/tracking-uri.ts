import { InvalidConfigError } from '@metrics/core';
import { withoutUrlCredentials } from '@metrics/core/backend';

/**
 * Checks a tracking URI when the exporter is created: a bad one is a wrong call, reported at once with the fix,
 * not discovered later as "no tracking URI" or a spool. `undefined`/empty means "no server" (records are spooled).
 */
export function checkTrackingUri(uri: unknown, source: 'trackingUri' | 'MLFLOW_TRACKING_URI'): void {
  if (uri === undefined || uri === '') return;
  const fail = (message: string) => {
    throw new InvalidConfigError([{ path: source, message }], 'MLflow tracking URI');
  };
  if (typeof uri !== 'string') return fail('must be a string URL such as http://127.0.0.1:5000');
  // Echoed to name the fix, but never with the credentials a URI can carry (`//user:password@host`).
  const shown = withoutUrlCredentials(uri, '***');
  if (/^https?:\/\/[^/]/i.test(uri)) return;
  // `host:port` would parse as a URL whose "scheme" is the host, so look at the shape first.
  if (/^[A-Za-z0-9.[\]-]+:\d+(\/.*)?$/.test(uri) || /^localhost(\/|$)/i.test(uri))
    return fail(`"${shown}" has no scheme; use "http://${shown}" (or https://…)`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1];
  fail(
    scheme
      ? `"${shown}" uses the "${scheme}:" scheme; @metrics/mlflow talks to a tracking server over HTTP: ` +
          `start one with \`mlflow server\` and use its http(s):// URL, e.g. http://127.0.0.1:5000`
      : `"${shown}" is not a URL; use the tracking server's http(s):// URL, e.g. http://127.0.0.1:5000`,
  );
}
