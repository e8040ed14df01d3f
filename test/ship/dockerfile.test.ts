/**
 * The container recipe, checked as text (no Docker engine here): multi-stage, production
 * dependencies only (the build's node_modules pruned, no install script run a second time),
 * non-root, a health check on /healthz without curl, and no secrets baked into the image.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');

/** Instructions with line continuations joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\r?\n/g, ' ')
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** The instructions of each stage, keyed by stage name. */
const stages = new Map<string, string[]>();
let current = '';
for (const line of instructions) {
  const from = line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
  if (from) {
    current = from[2] ?? `stage${stages.size}`;
    stages.set(current, []);
    continue;
  }
  stages.get(current)?.push(line);
}
const finalStage = [...stages.keys()].at(-1)!;
const runtime = stages.get(finalStage)!;

describe('Dockerfile', () => {
  it('is multi-stage on node:22-bookworm-slim (a supported LTS)', () => {
    expect(stages.size).toBeGreaterThanOrEqual(2);
    const arg = dockerfile.match(/ARG NODE_IMAGE=(\S+)/);
    const froms = instructions.filter((l) => /^FROM /i.test(l)).map((l) => l.split(/\s+/)[1]);
    // Each stage starts from the image or from an earlier stage (which did).
    froms.forEach((from, i) => {
      if ([...stages.keys()].slice(0, i).includes(from)) return;
      expect(from.replace('${NODE_IMAGE}', arg?.[1] ?? '')).toBe('node:22-bookworm-slim');
    });
  });

  it('builds with npm ci + npm run build and ships only production dependencies, pruned from the build', () => {
    const build = [...stages.values()].find((s) => s.some((l) => /npm run build/.test(l)))!;
    expect(build.some((l) => /^RUN npm ci(\s|$)/.test(l))).toBe(true);
    // The deps stage starts from the build's node_modules (dev dependencies, install scripts run,
    // better-sqlite3 built on the same image) and prunes them offline: nothing is installed again,
    // so botbuilder-dialogs' postinstall never runs `npx rimraf` without rimraf, which fetched an
    // unpinned rimraf from the registry.
    const [depsStage, deps] = [...stages.entries()].find(([, s]) => s.some((l) => /npm prune --omit=dev/.test(l)))!;
    expect(instructions).toContain(`FROM build AS ${depsStage}`);
    const prune = deps.find((l) => /npm prune --omit=dev/.test(l))!;
    expect(prune).toMatch(/--ignore-scripts/);
    expect(prune).toMatch(/--offline/);
    expect(instructions.join('\n')).not.toMatch(/npm ci --omit=dev/);
    for (const stage of [deps, runtime])
      expect(stage.some((l) => /\bnpm (ci|install|i)\b|\bnpx\b/.test(l))).toBe(false);
    expect(deps.some((l) => /apt-get/.test(l))).toBe(false);
    expect(runtime).toContainEqual(expect.stringMatching(new RegExp(`^COPY --from=${depsStage}\\b.*node_modules`)));
    expect(runtime).toContainEqual(expect.stringMatching(/^COPY --from=build\b.*\/app\/dist/));
    expect(runtime).toContainEqual(expect.stringMatching(/^COPY .*cards/));
  });

  it("removes after the prune what botbuilder-dialogs' postinstall removed and the prune restored", () => {
    // The postinstall (run by the build's npm ci) deletes nested copies of recognizers-text-number
    // that the lockfile lists; prune puts them back. The Dockerfile and the zip step of
    // docs/deploy.md delete them again: the same directories, read from the postinstall itself.
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'botbuilder-dialogs', 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const removed = Object.values(scripts)
      .map(
        (script) =>
          /^npx rimraf \.\.\/@microsoft\/recognizers-text-([a-z-]+)\/node_modules\/@microsoft\/recognizers-text-number$/.exec(
            script,
          )?.[1],
      )
      .filter((name): name is string => name !== undefined)
      .sort();
    expect(removed).toEqual(['date-time', 'number-with-unit', 'suite']);
    const loop =
      /for p in ([a-z -]+); do rm -rf "node_modules\/@microsoft\/recognizers-text-\$p\/node_modules\/@microsoft\/recognizers-text-number"; done/;
    const inDockerfile = loop.exec(instructions.join('\n').replace(/\s+/g, ' '));
    expect(inDockerfile?.[1].split(' ').sort()).toEqual(removed);
    const deploy = fs.readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const inDeploy = loop.exec(deploy.replace(/\\\n/g, ' ').replace(/\s+/g, ' '));
    expect(inDeploy?.[1].split(' ').sort()).toEqual(removed);
    expect(deploy).not.toMatch(/npm ci --omit=dev/);
  });

  it('builds the Teams tab front end and ships only its bundle', () => {
    const build = [...stages.values()].find((s) => s.some((l) => /npm run build/.test(l)))!;
    expect(build).toContainEqual(expect.stringMatching(/^COPY web /));
    expect(build).toContainEqual(expect.stringMatching(/^COPY scripts\/run-ts\.js scripts\/build-web\.ts /));
    expect(runtime).toContainEqual(expect.stringMatching(/^COPY --from=build\b.*\/app\/build\/web \.\/build\/web$/));
    expect(dockerignore).toMatch(/^!scripts\/build-web\.ts$/m);
  });

  it('runs as the non-root node user', () => {
    const users = runtime.filter((l) => /^USER /i.test(l));
    expect(users.at(-1)).toBe('USER node');
    expect(runtime.findIndex((l) => l === 'USER node')).toBeLessThan(runtime.findIndex((l) => /^CMD /.test(l)));
  });

  it("lets the node user write data/ (SQLite) and .data/ (the sandbox demo's audit key) in its working directory", () => {
    // The sandbox keeps .data/audit.key in the working directory (stores.ts, auditKeyFor): the
    // documented demo (ACRBOT_MODE=sandbox in the image) stopped on EACCES mkdir '/app/.data'.
    const workdir = runtime.filter((l) => /^WORKDIR /.test(l)).at(-1);
    expect(workdir).toBe('WORKDIR /app');
    const run = runtime.find((l) => /\bchown node:node\b/.test(l));
    expect(run).toBeDefined();
    for (const dir of ['/app/data', '/app/.data']) {
      expect(run).toMatch(new RegExp(`mkdir -p [^&]*${dir.replace('.', '\\.')}(\\s|$)`));
      expect(run).toMatch(new RegExp(`chown node:node [^&]*${dir.replace('.', '\\.')}(\\s|$)`));
    }
    expect(runtime.findIndex((l) => l === run)).toBeLessThan(runtime.findIndex((l) => l === 'USER node'));
  });

  it('sets production mode, exposes 3978 and starts dist/index.js', () => {
    expect(runtime.join('\n')).toMatch(/ENV[^\n]*NODE_ENV=production/);
    expect(runtime.join('\n')).toMatch(/ENV[^\n]*ACRBOT_MODE=azure/);
    expect(runtime).toContain('EXPOSE 3978');
    expect(runtime.filter((l) => /^CMD /.test(l)).at(-1)).toBe('CMD ["node", "dist/index.js"]');
  });

  it('checks health on /healthz with node (no curl in the slim image)', () => {
    const hc = runtime.find((l) => /^HEALTHCHECK /.test(l))!;
    expect(hc).toBeDefined();
    expect(hc).toMatch(/CMD \["node", "-e", ".*fetch\(.*127\.0\.0\.1.*\/healthz/);
    expect(hc).not.toMatch(/curl|wget/);
  });

  it('bakes no secrets into the image', () => {
    for (const line of instructions.filter((l) => /^(ENV|ARG|LABEL)\s/i.test(l))) {
      expect(line).not.toMatch(/password|secret|token|apikey|api_key|AccountKey|MicrosoftAppPassword|CLIENT_SECRET/i);
    }
    expect(instructions.some((l) => /^COPY\s.*\.env\b/.test(l))).toBe(false);
  });
});

describe('.dockerignore', () => {
  const entries = dockerignore
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  it('keeps local state, tests and secrets out of the build context', () => {
    for (const e of ['node_modules', 'data', '.data', 'build', '.git', 'test', 'coverage', '.env'])
      expect(entries).toContain(e);
  });
  it('keeps what the build needs', () => {
    for (const e of [
      'src',
      'cards',
      'package.json',
      'package-lock.json',
      '.npmrc',
      'tsconfig.json',
      'tsconfig.build.json',
    ]) {
      expect(entries).not.toContain(e);
    }
  });
});
