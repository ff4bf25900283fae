import { describe, expect, it } from 'vitest';
import { datasetInput } from './datasets.js';

describe('datasetInput', () => {
  it('is what mlflow.log_input sends: source as JSON, schema as mlflow_colspec, the context as an input tag', () => {
    const base = { kind: 'dataset', wallTime: 0, name: 'iris', digest: 'abcd1234', tags: {} } as const;
    expect(
      datasetInput({
        ...base,
        source: 'https://h/iris.csv',
        sourceType: 'http',
        schema: [{ name: 'x', type: 'double' }],
        profile: { n: 1 },
        context: 'training',
      }),
    ).toEqual({
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
      dataset: {
        name: 'iris',
        digest: 'abcd1234',
        source_type: 'http',
        source: '{"url":"https://h/iris.csv"}',
        schema: '{"mlflow_colspec":[{"type":"double","name":"x","required":true}]}',
        profile: '{"n":1}',
      },
    });
    expect(datasetInput({ ...base, source: '/d/iris.csv', sourceType: 'local', tags: { split: 'a' } })).toEqual({
      tags: [{ key: 'split', value: 'a' }],
      dataset: { name: 'iris', digest: 'abcd1234', source_type: 'local', source: '{"uri":"/d/iris.csv"}' },
    });
  });
});
