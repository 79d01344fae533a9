/**
 * Which mode changes each cause may make. Changes that are not listed are refused (override requests)
 * or cannot happen (the health reducer only produces listed ones; a unit test holds it to that).
 *
 * - health: among NORMAL, DEGRADED and EMERGENCY only, and down from EMERGENCY one step at a time.
 *   Health never enters or leaves MAINTENANCE: maintenance is planned by a person and ended by one.
 * - override: anything, except EMERGENCY → NORMAL. Forcing every feature back on while the mode says
 *   critical components are down takes two deliberate steps (via DEGRADED); to follow what health
 *   measures instead, clear the override.
 * - override-cleared / override-expired: back to whatever health says, which is never MAINTENANCE.
 */
import { HEALTH_MODES, type OperationMode } from './modes';

export const TRANSITION_CAUSES = ['health', 'override', 'override-cleared', 'override-expired', 'budget'] as const;
export type TransitionCause = (typeof TRANSITION_CAUSES)[number];

const HAND_BACK_TO_HEALTH: Readonly<Record<OperationMode, readonly OperationMode[]>> = {
  NORMAL: HEALTH_MODES,
  DEGRADED: HEALTH_MODES,
  EMERGENCY: HEALTH_MODES,
  MAINTENANCE: HEALTH_MODES,
};

export const ALLOWED_TRANSITIONS: Readonly<Record<TransitionCause, Readonly<Record<OperationMode, readonly OperationMode[]>>>> = {
  health: {
    NORMAL: ['DEGRADED', 'EMERGENCY'],
    DEGRADED: ['NORMAL', 'EMERGENCY'],
    EMERGENCY: ['DEGRADED'],
    MAINTENANCE: [],
  },
  override: {
    NORMAL: ['DEGRADED', 'EMERGENCY', 'MAINTENANCE'],
    DEGRADED: ['NORMAL', 'EMERGENCY', 'MAINTENANCE'],
    EMERGENCY: ['DEGRADED', 'MAINTENANCE'],
    MAINTENANCE: ['NORMAL', 'DEGRADED', 'EMERGENCY'],
  },
  'override-cleared': HAND_BACK_TO_HEALTH,
  'override-expired': HAND_BACK_TO_HEALTH,
  // The global budget moves between NORMAL and DEGRADED only (see budget-mode.ts).
  budget: {
    NORMAL: ['DEGRADED'],
    DEGRADED: ['NORMAL'],
    EMERGENCY: [],
    MAINTENANCE: [],
  },
};

/** Staying in the same mode is not a transition and is always allowed. */
export function isTransitionAllowed(cause: TransitionCause, from: OperationMode, to: OperationMode): boolean {
  return from === to || ALLOWED_TRANSITIONS[cause][from].includes(to);
}
