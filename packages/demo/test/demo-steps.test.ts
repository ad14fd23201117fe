// The demo's steps run as `pnpm demo` runs them, their output collected and checked.
import { existsSync, rmSync } from 'node:fs';
import { Butler } from '@butler-ts/butler';
import { afterAll, describe, expect, it } from 'vitest';
import { butlerSteps } from '../src/butler-steps.ts';
import { chainSteps } from '../src/chain-steps.ts';

interface Step {
  readonly title: string;
  readonly lines: readonly string[];
}

async function run(
  steps: (step: (title: string, ...lines: string[]) => void, keep: boolean) => Promise<void>,
  keep: boolean,
): Promise<Step[]> {
  const out: Step[] = [];
  await steps((title, ...lines) => out.push({ title, lines }), keep);
  return out;
}

// The folder a step printed as `root: <folder>`.
function rootOf(step: Step): string {
  const line = step.lines.find((l) => l.startsWith('root: '));
  if (line === undefined) throw new Error(`no root line in ${step.title}`);
  return line.slice('root: '.length).split(' ')[0]!;
}

const kept: string[] = [];
afterAll(() => {
  for (const root of kept) rmSync(root, { recursive: true, force: true });
});

describe('demo: Butler steps', () => {
  it('finds and reads datasets by type and data ID, in a run and through a chain', async () => {
    const steps = await run(butlerSteps, true);
    const root = rootOf(steps[0]!);
    kept.push(root);
    expect(steps.map((s) => s.title)).toEqual([
      'Make a repository: butler.yaml, a registry with daf_butler schema, a file datastore',
      'Put calexp datasets through a Butler: runs demo/r1 and demo/r2, chain demo/chain = [r2, r1]',
      'Close it, reopen it read-only, and get the calexp of visit 42, detector 1 in demo/r1',
      'Search the chain demo/chain: the first run holding the data ID wins',
      'A data ID with no dataset fails with a clear error',
    ]);
    expect(steps[0]!.lines).toContain('dimension universe: daf_butler version 8');
    // File templates read the detector's full name from the registry's dimension records.
    expect(steps[1]!.lines).toEqual([
      'demo/r1 detector 1: demo/r1/calexp/20260101/r/demo-r/42/calexp_DemoCam_r_demo-r_42_det01_demo_r1.yaml',
      'demo/r1 detector 2: demo/r1/calexp/20260101/r/demo-r/42/calexp_DemoCam_r_demo-r_42_det02_demo_r1.yaml',
      'demo/r2 detector 2: demo/r2/calexp/20260101/r/demo-r/42/calexp_DemoCam_r_demo-r_42_det02_demo_r2.yaml',
    ]);
    expect(steps[2]!.lines[0]).toBe('writeable: false');
    expect(steps[2]!.lines[1]).toMatch(
      /^found: calexp@\{instrument: 'DemoCam', detector: 1, visit: 42\} \[sc=StructuredDataDict\] \(run=demo\/r1 id=[0-9a-f-]{36}\)$/,
    );
    expect(steps[2]!.lines[2]).toBe('value: {"detector":1,"seeing":0.71}');
    expect(steps[3]!.lines).toEqual([
      'detector 1: in demo/r1, {"detector":1,"seeing":0.71}',
      'detector 2: in demo/r2, {"detector":2,"seeing":0.69}',
    ]);
    expect(steps[4]!.lines).toEqual([
      'DatasetNotFoundInCollectionsError: Dataset calexp with data ID {"instrument":"DemoCam","visit":42,"detector":3} could not be found in collections ["demo/chain"].',
    ]);
  }, 60_000);

  it('leaves a repository whose registry holds the datasets it put', async () => {
    const steps = await run(butlerSteps, true);
    const root = rootOf(steps[0]!);
    kept.push(root);
    const butler = await Butler.fromRepo(root);
    try {
      const type = await butler.registry.datasets.findDatasetType('calexp');
      const r1 = await butler.registry.datasets.queryDatasets(type, ['demo/r1']);
      const r2 = await butler.registry.datasets.queryDatasets(type, ['demo/r2']);
      expect(r1.map((ref) => ref.dataId.get('detector')).sort()).toEqual([1, 2]);
      expect(r2.map((ref) => ref.dataId.get('detector'))).toEqual([2]);
      expect(await butler.registry.collections.getChain('demo/chain')).toEqual([
        'demo/r2',
        'demo/r1',
      ]);
      for (const ref of [...r1, ...r2]) expect(await butler.datastore.exists(ref)).toBe(true);
    } finally {
      await butler.close();
    }
  }, 60_000);

  it('removes its folder unless asked to keep it', async () => {
    const steps = await run(butlerSteps, false);
    expect(existsSync(rootOf(steps[0]!))).toBe(false);
  }, 60_000);
});

describe('demo: chained datastore steps', () => {
  it('reads the datasets back from the files after reopening', async () => {
    const steps = await run(chainSteps, false);
    expect(existsSync(rootOf(steps[0]!))).toBe(false);
    const reopened = steps.at(-1)!;
    expect(reopened.title).toBe(
      'Close everything, reopen registry and chain from disk: the files survived',
    );
    expect(reopened.lines).toEqual([
      'visit 52: memory no, file gives {"visit":52,"seeing":1.02,"band":"r"} (as put)',
      'visit 53: memory no, file gives {"visit":53,"seeing":1.03,"band":"r"} (as put)',
      'visit 54: memory no, file gives {"visit":54,"seeing":1.04,"band":"r"} (as put)',
    ]);
  }, 60_000);
});
