import type { RoleName } from '../../domain/roles/roles';
import { type Block, context, header, section } from './blocks';

export type HomeView = { type: 'home'; blocks: Block[] };

export function homeView(input: { role: RoleName; surfaceCount: number }): HomeView {
  return {
    type: 'home',
    blocks: [
      header('TrustOps'),
      section('Enforcement operations for Trust & Safety: SLA alerts, escalations, copyright disputes and metrics, recorded in one place.'),
      section(`Your role: *${input.role}*. Surfaces tracked: *${input.surfaceCount}*.`),
      context('Type `/trustops help` in any channel to see every command.'),
    ],
  };
}
