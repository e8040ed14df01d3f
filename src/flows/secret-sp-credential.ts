/**
 * A `--kind sp` secret run's credential: an Entra application acrbot alone holds, its service
 * principal, a password and a role assignment on the registry. Graph replicates a new application
 * slowly, so calls about one this run just created are asked again while Graph does not find it.
 */
import { randomUUID } from 'node:crypto';
import { foreignHolders, type ForeignHolder } from '../domain/application-holders';
import { isRefusalStatus } from '../domain/azure-answer-class';
import { UserFacingError } from '../domain/errors';
import { roleAssignmentName } from '../domain/identifiers';
import type { SecretPlan } from '../domain/plan';
import { CloudApiError, type ServicePrincipalPort } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { applicationDisplayNameFor, type CredentialRef, newApplicationUniqueName } from '../domain/secret-credential';
import { applicationProblem, recordedCredentials } from '../domain/secret-ownership';
import { assignRole, type Sleep } from './assign-role';
import type { RunContext } from './executor';
import type { Credential, EarlierPasswords } from './secret-run-credential';
import type { SecretRunnerPorts } from './secret-runner';
import { deleteRoleAssignment } from './secret-sp-earlier-attempts';

/** What a `--kind sp` credential step needs of the runner. */
export interface SpCredentialDeps {
  ports: Pick<SecretRunnerPorts, 'servicePrincipals' | 'roleAssignments'>;
  /** The runner's retry delays: Graph and ARM replicate a new application or principal slowly. */
  retry: { delaysMs: readonly number[]; sleep: Sleep };
}

/**
 * Extra looks at an application this run just created whose owners Graph does not show yet
 * (replication), at the first of the retry delays: a few seconds, not the minutes a service
 * principal may need.
 */
const APPLICATION_INSPECT_RETRIES = 3;

/**
 * Creates a `--kind sp` run's credential: an Entra application under a uniqueName recorded before
 * the call, its service principal, a password and the planned role on the registry. The
 * application is refused unless acrbot alone holds it (G15); a resumed run reuses what its
 * earlier attempt recorded, and hands on the passwords that attempt added (`earlierPasswords`).
 */
export async function createServicePrincipal(
  deps: SpCredentialDeps,
  request: AccessRequest,
  plan: SecretPlan,
  ctx: RunContext,
  refs: CredentialRef[],
  /** Set while the clean-up knows the application only by its name because Graph has not shown it yet. */
  application: { unseen: boolean },
  /** acrbot's own service principal's object id ({@link ownServicePrincipalId}). */
  ownSpId: string,
): Promise<Credential> {
  const requestIds: string[] = [];
  // Created idempotently under a uniqueName recorded before the call (never found by display
  // name, which anyone can give their own application, G15): a run resumed after a crash finds
  // its own application under the recorded key.
  const displayName = applicationDisplayNameFor(plan.credentialName, request.id);
  const recordedApp = ctx.created().find((o) => o.kind === 'application' && o.name);
  const uniqueName = recordedApp?.name ?? newApplicationUniqueName(request.id);
  if (!recordedApp) await ctx.recordCreated({ kind: 'application', id: '', name: uniqueName });
  // The application may exist from the call on, even when its answer is lost (G14). Until its
  // id is recorded, the clean-up knows it only by the uniqueName recorded above and looks it
  // up by that name (never by the id Graph answered, which acrbot's records do not vouch for
  // yet, G15); a call Graph refused leaves nothing under that name to delete.
  const byName: CredentialRef = { kind: 'sp', applicationId: '', appId: '', uniqueName };
  refs.push(byName);
  let app: Awaited<ReturnType<ServicePrincipalPort['upsertApplication']>>;
  try {
    app = await deps.ports.servicePrincipals.upsertApplication(uniqueName, displayName);
  } catch (err) {
    // A plain refusal of a name this run chose created nothing: nothing to look for. A
    // timeout, throttling, a 5xx or a lost connection may have created it, and a resumed run's
    // name may have been created by the run before it: the clean-up looks for it by name.
    if (!recordedApp && err instanceof CloudApiError && isRefusalStatus(err.statusCode))
      refs.splice(refs.indexOf(byName), 1);
    throw err;
  }
  // A name this run has just chosen is known to nobody else, so the application under it is
  // this run's new one even when Graph answered 204 "exists": the SDK resends an upsert whose
  // 201 was lost, and the resend finds what the first one made. Taken for an earlier one, it
  // would get no replication retries and, refused, be left behind instead of deleted.
  if (!recordedApp && !app.created) app = { ...app, created: true };
  await ctx.recordCreated({ kind: 'application', id: app.id, name: uniqueName });
  // A role assignment an earlier attempt of this request recorded (a resumed run): it gives the
  // service principal pull rights, so it goes with the application whenever the clean-up
  // deletes that, as the clean-up of a run failing before this step does (credentialOf, G14).
  const assignment = ctx.created().find((o) => o.kind === 'roleAssignment');
  const recordedAssignment = assignment && {
    scope: plan.registry.id,
    name: assignment.id.split('/').pop()!,
    subscriptionId: plan.registry.subscriptionId,
  };
  const ref: CredentialRef = {
    kind: 'sp',
    applicationId: app.id,
    appId: app.appId,
    // Set once the service principal is recorded below. Declared here so the reference encodes
    // with its keys in the order credentialOf gives them: the two are compared as encoded text
    // (retirePrevious), and an unset one is left out of it.
    servicePrincipalId: undefined,
    ...(recordedAssignment && { roleAssignment: recordedAssignment }),
  };
  // Until Graph has shown the application this run created (a call on it by its id answered),
  // a delete by its id could be answered 404 ("gone") while it replicates, and leave it behind:
  // its clean-up looks for it by the uniqueName recorded before the create instead, again later
  // until Graph shows it (G14). One Graph has shown is deleted by its id.
  const cleanUpBy = (by: CredentialRef): void => {
    refs.splice(
      refs.findIndex((r) => r === ref || r === byName),
      1,
      by,
    );
    application.unseen = by === byName;
  };
  cleanUpBy(app.created ? byName : ref);
  const lookUpByName = () => cleanUpBy(byName);
  if (app.requestId) requestIds.push(app.requestId);
  await ctx.audit({
    action: 'graph.write.application',
    outcome: app.created ? 'created' : 'reused',
    targetIds: [app.id, app.appId],
    correlationIds: app.requestId ? [app.requestId] : [],
  });
  const foundSp = await deps.ports.servicePrincipals.findServicePrincipal(app.appId);
  const sp: { id: string; requestId?: string } =
    foundSp ??
    (await whileReplicating(
      deps,
      app,
      'service principal create',
      ctx,
      () => deps.ports.servicePrincipals.createServicePrincipal(app.appId),
      lookUpByName,
    ));
  await ctx.recordCreated({ kind: 'servicePrincipal', id: sp.id, name: app.appId });
  // Recorded: from here the clean-up finds its role assignment by it, whatever Graph shows.
  ref.servicePrincipalId = sp.id;
  if (sp.requestId) requestIds.push(sp.requestId);
  // Before it gets a password and pull rights: nobody else may own it or its service principal
  // (an existing one found above included), or hold a credential on either: a federated
  // identity credential or a service principal's own password authenticates as well (G15).
  const recordedPasswords = ctx.created().filter((o) => o.kind === 'applicationPassword');
  let foreign: ForeignHolder[] = [];
  // The read covers the service principal too: one this run created a moment ago (for an
  // application it reused) may not be found yet either, so a 404 then is replication as well.
  // Giving up on it changes nothing of how the application, which Graph did show, is deleted.
  const spJustCreated = !app.created && !foundSp;
  const inspect = async () => {
    const holders = await whileReplicating(
      deps,
      spJustCreated ? { id: app.id, created: true } : app,
      'application read',
      ctx,
      () => deps.ports.servicePrincipals.inspectApplication(app.id, sp.id),
      spJustCreated ? () => undefined : lookUpByName,
      spJustCreated
        ? `the service principal acrbot had just created (${sp.id}) for Entra application ${app.id}`
        : undefined,
    );
    // Graph shows it by its id: from here on it is deleted by its id.
    cleanUpBy(ref);
    const own = {
      servicePrincipalId: ownSpId,
      passwordKeyIds: recordedPasswords.map((o) => o.id).filter(Boolean),
      passwordMarkers: recordedPasswords.map((o) => o.name).filter((n): n is string => !!n),
    };
    foreign = foreignHolders(holders, own);
    return applicationProblem(holders, own);
  };
  let problem = await inspect();
  // Graph replicates a new application: read right after the 201 that created it, it may show
  // no owner yet. Looked at again briefly before it is given up.
  for (const delayMs of app.created ? deps.retry.delaysMs.slice(0, APPLICATION_INSPECT_RETRIES) : []) {
    if (!problem) break;
    await deps.retry.sleep(delayMs);
    problem = await inspect();
  }
  if (problem) {
    // The holders in full for the platform team (issuers and subjects are not for the card).
    ctx.log.error(
      { applicationId: app.id, servicePrincipalId: sp.id, problem, foreign },
      'application refused: not held by acrbot alone',
    );
    // A role assignment an earlier attempt recorded gives this service principal pull rights,
    // whatever becomes of the application: it goes (with the clean-up when the application
    // does, as `ref` carries it, at once otherwise).
    if (app.created) {
      // This run created it a moment ago under a name nobody else knows (G15): the clean-up
      // deletes it rather than leave it, passwordless and unused, for nobody to find.
      throw new UserFacingError(
        'graph.applicationNotOurs',
        `acrbot will not use the Entra application it just created (${app.id}) for this secret: ${problem}. Nothing was granted.`,
      );
    }
    // Not deleted: an application someone else holds as well is for a person to look at.
    refs.splice(refs.indexOf(ref), 1);
    const assignmentLeft = recordedAssignment
      ? await deleteRoleAssignment(deps, recordedAssignment, sp.id, ctx)
      : undefined;
    // Not listed even after looking again, or its deletion failed: it may still exist and
    // grant pull, so "nothing was granted" would not be true (G14).
    const granted =
      assignmentLeft === 'unconfirmed' || assignmentLeft === 'failed'
        ? ` An earlier attempt of this request gave its service principal role assignment ${recordedAssignment!.name} on registry ${plan.registry.name}, which acrbot could not delete (${assignmentLeft === 'failed' ? 'the deletion failed' : 'Azure did not list it'}); the platform team should look at that application and at the registry's role assignments.`
        : ' Nothing was granted; the platform team should look at that application.';
    throw new UserFacingError(
      'graph.applicationNotOurs',
      `acrbot will not use Entra application ${app.id} for this secret: ${problem}.${granted}`,
    );
  }
  // The marker is recorded before the call: if the process dies while Graph adds the password,
  // the resumed run recognises that password as its own instead of refusing the application.
  // A replication 404 added nothing (Graph did not find the application), so the call is sent
  // again under the same marker, already recorded.
  const marker = `acrbot image pull ${request.id} ${randomUUID()}`;
  await ctx.recordCreated({ kind: 'applicationPassword', id: '', name: marker });
  const password = await whileReplicating(
    deps,
    app,
    'addPassword',
    ctx,
    () => deps.ports.servicePrincipals.addPassword(app.id, plan.expiresAt, marker),
    lookUpByName,
  );
  await ctx.recordCreated({ kind: 'applicationPassword', id: password.keyId, name: marker });
  if (password.requestId) requestIds.push(password.requestId);
  await ctx.audit({
    action: 'graph.write.addPassword',
    outcome: 'created',
    targetIds: [app.id],
    detail: `keyId ${password.keyId}, expires ${plan.expiresAt}`,
  });
  const role = plan.role!;
  const name = roleAssignmentName(plan.registry.id, sp.id, role.id);
  await ctx.recordCreated({
    kind: 'roleAssignment',
    id: `${plan.registry.id}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
  });
  ref.roleAssignment = { scope: plan.registry.id, name, subscriptionId: plan.registry.subscriptionId };
  const assigned = await assignRole(
    deps.ports.roleAssignments,
    {
      scope: plan.registry.id,
      name,
      roleDefinitionGuid: role.id,
      principalId: sp.id,
      subscriptionId: plan.registry.subscriptionId,
    },
    deps.retry,
    ctx,
  );
  requestIds.push(...assigned.requestIds);
  const earlierPasswords: EarlierPasswords | undefined = recordedPasswords.length
    ? {
        applicationId: app.id,
        currentKeyId: password.keyId,
        keyIds: recordedPasswords.map((o) => o.id).filter(Boolean),
        markers: recordedPasswords.map((o) => o.name).filter((n): n is string => !!n),
      }
    : undefined;
  return { username: app.appId, password: password.secret, ref, id: app.appId, requestIds, earlierPasswords };
}

/**
 * acrbot's own service principal's object id, read before anything of a `--kind sp` credential
 * step: the application check trusts no owner but it (anyone's service principal would pass
 * "one service principal owner"). Its refusal says "nothing was created" only when this
 * request's records hold nothing an earlier attempt created; otherwise the caller deletes that,
 * or records it for the clean-up job, and says so.
 */
export async function ownServicePrincipalId(
  deps: Pick<SpCredentialDeps, 'ports'>,
  request: AccessRequest,
  ctx: RunContext,
): Promise<string> {
  try {
    return await deps.ports.servicePrincipals.ownServicePrincipalId();
  } catch (err) {
    const earlier = recordedCredentials({ ...request, created: ctx.created() }).length > 0;
    throw new UserFacingError(
      'graph.ownIdentityUnknown',
      `acrbot could not tell its own service principal's object id from its Microsoft Graph token, so it cannot check who else holds an Entra application.${earlier ? '' : ' Nothing was created.'}`,
      { cause: err },
    );
  }
}

/**
 * A Graph call about the application of this run, asked again (at the runner's retry delays,
 * bounded) while Graph answers 404 `Request_ResourceNotFound` for an application this run just
 * created (`app.created`): Graph is eventually consistent, and for a few seconds after the
 * create it may not find the new application on reads, `addPassword` or service principal
 * creation (microsoftgraph/msgraph-sdk-javascript#1999; hashicorp/terraform-provider-azuread
 * #117/#118 and #1802 wait on the same 404). Such a 404 changed nothing, so asking again is
 * safe (the application read also reads the service principal: one this run just created for
 * an application it reused is passed as `created` too). A 404 about an application this run did
 * not just create is a real one (deleted):
 * thrown at once. When the application stays invisible, the run fails with the last 404 as the
 * cause and its clean-up deletes the application, as for any failure after its creation.
 */
async function whileReplicating<T>(
  deps: Pick<SpCredentialDeps, 'retry'>,
  app: { id: string; created: boolean },
  what: string,
  ctx: RunContext,
  call: () => Promise<T>,
  /** Called before giving up: what the clean-up should look the application up by. */
  onGiveUp: () => void,
  /** What Graph did not find, as the failure names it. */
  missing = `the Entra application acrbot had just created (${app.id})`,
): Promise<T> {
  const delays = app.created ? deps.retry.delaysMs : [];
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const notFound =
        err instanceof CloudApiError && err.statusCode === 404 && err.code === 'Request_ResourceNotFound';
      if (!notFound || !app.created) throw err;
      if (attempt >= delays.length) {
        onGiveUp();
        throw new UserFacingError(
          'graph.applicationNotReplicated',
          `Microsoft Graph still did not find ${missing} after ${attempt + 1} tries (${what}; directory replication). Nothing was granted; ask for it again in a few minutes (the new request needs approving again).`,
          { cause: err },
        );
      }
      // Once per call, not per try: the outcome (or the failure) tells the rest.
      if (attempt === 0)
        ctx.log.info(
          { applicationId: app.id, what, code: err.code },
          'Graph does not find the new application yet (replication); asking again',
        );
      await deps.retry.sleep(delays[attempt]);
    }
  }
}
