/** Checks for the never-yield runs: 10 keys per step, value = step * 10 + key. */
/** Problems in history rows (as wandb's reader returns them): rows 0..steps-1 in order, 10 keys each. */
export function historyProblems(rows: readonly Record<string, number>[], steps: number): string[] {
  const problems: string[] = [];
  if (rows.length !== steps) problems.push(`${rows.length} history rows, expected ${steps}`);
  for (let i = 0; i < rows.length && problems.length < 5; i++) {
    const row = rows[i]!;
    for (let k = 0; k < 10; k++)
      if (row[`training/m${k}`] !== i * 10 + k) problems.push(`row ${i}: training/m${k} = ${row[`training/m${k}`]}, expected ${i * 10 + k}`);
  }
  return problems.slice(0, 5);
}
