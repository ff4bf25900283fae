import type { UserWorkspaceConfig } from 'vitest/config';
export declare const repoRoot: string;
export declare function packageTests(name: string, extra?: UserWorkspaceConfig['test']): UserWorkspaceConfig;
