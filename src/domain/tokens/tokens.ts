import { createHash, randomBytes } from 'node:crypto';
import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';

// Vendor intake tokens: each lets one vendor file through the intake API for its own queues only.
// The token is shown once; only its sha256 is kept (a 256-bit random token needs no slow hash).

export const TOKEN_PREFIX = 'tov_';
export const TOKEN_CREATE_EXAMPLE = '/trustops token create acme';
const MANAGE = 'manage intake tokens';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Whether a bearer value looks like a vendor token (so it is looked up, not compared with TRUSTOPS_INTAKE_TOKEN). */
export const isVendorToken = (value: string) => value.startsWith(TOKEN_PREFIX);

export type NewToken = { id: number; vendor: string; token: string };

export async function createIntakeToken(deps: DomainDeps, input: { actor: Actor; vendor: string }): Promise<NewToken> {
  await requireRole(deps, input.actor, 'admin', MANAGE);
  const vendor = await deps.db.vendor.findUnique({ where: { key: input.vendor } });
  if (!vendor) {
    const known = await deps.db.vendor.findMany({ select: { key: true }, orderBy: { key: 'asc' }, take: 20 });
    throw badInput(`There is no vendor \`${input.vendor}\`; known: ${known.map((v) => v.key).join(', ')}.`, TOKEN_CREATE_EXAMPLE);
  }
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.intakeToken.create({ data: { vendorId: vendor.id, tokenHash: hashToken(token), createdBy: input.actor.id } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'token.create',
      entityType: 'intake_token',
      entityId: String(created.id),
      after: { vendor: vendor.key },
      at: deps.clock.now(),
    });
    return created;
  });
  return { id: row.id, vendor: vendor.key, token };
}

export async function revokeIntakeToken(deps: DomainDeps, input: { actor: Actor; id: number }): Promise<{ id: number; vendor: string }> {
  await requireRole(deps, input.actor, 'admin', MANAGE);
  return deps.db.$transaction(async (tx) => {
    const row = await tx.intakeToken.findUnique({ where: { id: input.id }, include: { vendor: true } });
    if (!row) throw new AppError('not_found', `There is no intake token ${input.id}; \`/trustops token list\` shows them.`);
    if (row.revokedAt) throw new AppError('conflict', `Intake token ${row.id} was already revoked by ${row.revokedBy ?? 'someone'}.`);
    const now = deps.clock.now();
    await tx.intakeToken.update({ where: { id: row.id }, data: { revokedAt: now, revokedBy: input.actor.id } });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'token.revoke',
      entityType: 'intake_token',
      entityId: String(row.id),
      before: { vendor: row.vendor.key, revokedAt: null },
      after: { vendor: row.vendor.key, revokedAt: now.toISOString() },
      at: now,
    });
    return { id: row.id, vendor: row.vendor.key };
  });
}

export type TokenSummary = { id: number; vendor: string; createdBy: string; createdAt: Date; revokedAt: Date | null };

/** Every token, newest first, never its secret (which is not kept). */
export async function listIntakeTokens(deps: DomainDeps, input: { actor: Actor }): Promise<TokenSummary[]> {
  await requireRole(deps, input.actor, 'admin', MANAGE);
  const rows = await deps.db.intakeToken.findMany({ include: { vendor: true }, orderBy: { id: 'desc' }, take: 100 });
  return rows.map((r) => ({ id: r.id, vendor: r.vendor.key, createdBy: r.createdBy, createdAt: r.createdAt, revokedAt: r.revokedAt }));
}

/** Why a token was refused; the HTTP layer answers 401 for these. */
export class TokenRefused extends Error {}

/**
 * The actor a vendor token stands for, limited to its vendor's queues. A revoked token is refused
 * (and the attempt audited); an unknown one is refused without a trace, as anyone can send one.
 */
export async function authenticateVendorToken(deps: DomainDeps, token: string): Promise<Actor> {
  const row = await deps.db.intakeToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { vendor: true } });
  if (!row) throw new TokenRefused('the intake token is not known');
  const actor: Actor = { id: `api:token:${row.id}`, origin: 'api', vendor: { id: row.vendorId, key: row.vendor.key } };
  if (row.revokedAt) {
    await auditTokenRefusal(deps, actor, { reason: 'revoked' });
    throw new TokenRefused(`intake token ${row.id} was revoked; ask for a new one`);
  }
  return actor;
}

/** Records a refused use of a vendor token; outside any transaction, so it stays when the request rolls back. */
export async function auditTokenRefusal(deps: DomainDeps, actor: Actor, after: Record<string, unknown>): Promise<void> {
  await recordAudit(deps.db, {
    actor: actor.id,
    origin: 'api',
    action: 'token.refused',
    entityType: 'intake_token',
    entityId: actor.id.replace(/^api:token:/, ''),
    after: { vendor: actor.vendor?.key, ...after },
    at: deps.clock.now(),
  });
}
