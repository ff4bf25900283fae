/**
 * `@metrics/core/http`: the one HTTP client of the remote backends (MLflow, W&B). undici is an optional
 * peer dependency of core, loaded on the first request.
 */
export {
  HttpClient,
  retryUnless,
  CONNECT_FAILURES,
  type HttpClientOptions,
  type HttpFailure,
  type HttpRequest,
  type HttpResponse,
} from './client.js';
