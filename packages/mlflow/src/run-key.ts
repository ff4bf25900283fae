import type { MlflowClient } from './client.js';

/** The tag that carries the client-generated run key (see `runIds().runKey`). */
export const RUN_KEY_TAG = 'metrics.run_key';

/** The id of the newest active run in the experiment tagged with `key`, or undefined. */
export async function findRunByKey(api: MlflowClient, experimentId: string, key: string): Promise<string | undefined> {
  // Keys are [A-Za-z0-9_-] only, so quoting them needs no escaping.
  const found = await api.call<{ runs?: { info: { run_id: string } }[] }>('POST', '/api/2.0/mlflow/runs/search', {
    experiment_ids: [experimentId],
    filter: `tags.\`${RUN_KEY_TAG}\` = '${key}'`,
    run_view_type: 'ACTIVE_ONLY',
    order_by: ['attributes.start_time DESC'],
    max_results: 1,
  });
  return found.runs?.[0]?.info.run_id;
}
