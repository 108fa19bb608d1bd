/**
 * The drift guard in the running app: after each shown prediction, DriftWatch's rule on the
 * model's own uncertainty says whether it is lost; the store and HUD say so, and in
 * 're-anchor' mode the session is asked to anchor on the truth again.
 */
import { useApp } from '../store/store';
import { DriftWatch } from './driftWatch';
import type { SessionEvent, SessionPart } from './sessionEvents';

export class DriftGuardPart implements SessionPart {
  private watch = new DriftWatch();

  /** reanchor: asks the session for an anchor; replaying: a shared run's re-anchors come from its trace */
  constructor(
    private readonly reanchor: () => void,
    private readonly replaying: () => boolean,
  ) {}

  on(e: SessionEvent): void {
    if (e.kind === 'anchored') {
      this.watch.anchored();
      useApp.getState().setLost(false);
      return;
    }
    if (e.kind !== 'shown') return;
    const s = useApp.getState();
    if (s.driftGuard === 'off' || !Number.isFinite(e.entropy)) return;
    const lost = this.watch.push(e.entropy);
    if (lost !== s.lost) s.setLost(lost);
    if (lost && s.driftGuard === 'reanchor' && !this.replaying()) this.reanchor();
  }
}
