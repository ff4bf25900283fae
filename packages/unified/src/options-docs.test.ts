import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { experimentConfigSchema } from './config.js';

/** The hover text (TSDoc) an editor shows for each property of ExperimentTrackerOptions. */
function hoverDocs(): Map<string, string> {
  const file = fileURLToPath(new URL('./experiment-tracker.ts', import.meta.url));
  const program = ts.createProgram([file], {
    strict: true,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'ExperimentTrackerOptions')!;
  const type = checker.getTypeAtLocation(decl.name);
  return new Map(checker.getPropertiesOfType(type).map((p) => [p.name, ts.displayPartsToString(p.getDocumentationComment(checker))]));
}

describe('the facade`s options carry TSDoc (hover text)', () => {
  it('every option is documented; every configuration field with its default', () => {
    const docs = hoverDocs();
    const keys = Object.keys(experimentConfigSchema.shape);
    expect(docs.size).toBeGreaterThan(keys.length);
    const undocumented = [...docs].filter(([, doc]) => doc.trim() === '').map(([name]) => name);
    expect(undocumented).toEqual([]);
    const withoutDefault = keys.filter((k) => !/Default/.test(docs.get(k) ?? ''));
    expect(withoutDefault).toEqual([]);
    expect(docs.get('tensorboardLogDir')).toMatch(/TENSORBOARD_LOGDIR/);
    expect(docs.get('mlflowTrackingUri')).toMatch(/MLFLOW_TRACKING_URI/);
  });
});
