/**
 * What the request dialog still asks after the cluster or registry question, named in that
 * question's re-ask ("…; the reason is asked next"). A command that gave some of it (the registry
 * typed alone, `grant contosoacr.azurecr.io`) is not asked it again, so the re-ask must not
 * promise that question either.
 */

/** What the command that started the questions already gave: not asked again. */
export interface GivenAnswers {
  registry?: boolean;
  reason?: boolean;
}

/**
 * The clause naming what is asked after the question being answered (`asking`), given what the
 * command already gave; undefined when nothing more is asked.
 */
export function askedNext(asking: 'cluster' | 'registry', given: GivenAnswers = {}): string | undefined {
  const registry = asking === 'cluster' && !given.registry;
  const reason = !given.reason;
  if (registry && reason) return 'the registry and the reason are asked next';
  if (registry) return 'the registry is asked next';
  return reason ? 'the reason is asked next' : undefined;
}
