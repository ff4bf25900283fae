/** The exact shell command that replays a spool file (what the `metrics-mlflow` CLI accepts). */
export function replayCommand(spoolPath: string, trackingUri: string | undefined): string {
  const command = `npx metrics-mlflow replay ${shellQuote(spoolPath)} --tracking-uri ${shellQuote(trackingUri ?? 'http://127.0.0.1:5000')}`;
  return trackingUri ? command : `${command} (put your \`mlflow server\`'s URL there)`;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
