import { afterAll, beforeAll } from 'vitest';
import { startMlflowServer, type MlflowServer, type MlflowServerOptions } from './mlflow-server.js';

/** One real `mlflow server` for a test file: started before its tests, stopped after; `url` once started. */
export function useMlflowServer(options?: MlflowServerOptions): { readonly url: string } {
  let server: MlflowServer | undefined;
  beforeAll(async () => {
    server = await startMlflowServer(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get url() {
      if (!server) throw new Error('useMlflowServer: the server is not started yet (use url inside a test or hook)');
      return server.url;
    },
  };
}
