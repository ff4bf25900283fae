import { describe, expect, it } from 'vitest';
import { createProgress, renderBar } from './progress.js';

function capture(isTTY: boolean) {
  let text = '';
  return { sink: { isTTY, columns: 80, write: (s: string) => (text += s) }, text: () => text };
}

describe('progress', () => {
  it('renders a bar with a percentage', () => {
    expect(renderBar(5, 10, 10)).toBe('[█████░░░░░]  50%');
    expect(renderBar(12, 10, 4)).toBe('[████] 100%');
    expect(renderBar(0, 0, 4)).toBe('[░░░░]   0%');
  });

  it('prints plain lines without escape codes when not on a terminal', () => {
    const c = capture(false);
    const p = createProgress(c.sink);
    p.stage('train');
    p.update(1, 10, 'epoch 1');
    p.note('epoch 1: loss 0.5');
    p.end();
    expect(c.text()).toBe('▶ train\n  epoch 1: loss 0.5\n');
  });

  it('redraws one line on a terminal and clears it before notes', () => {
    const c = capture(true);
    const p = createProgress(c.sink);
    p.update(10, 10, 'done');
    p.note('epoch 1');
    expect(c.text()).toContain('\r\x1b[2K[');
    expect(c.text()).toContain('100% done');
    expect(c.text().endsWith('\r\x1b[2K  epoch 1\n')).toBe(true);
  });
});
