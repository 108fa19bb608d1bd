/** The teaching views that can be switched on (each costs a little per frame when on). */
export const VIEW_NAMES = ['grid', 'confidence', 'error', 'chart', 'memory', 'decoding', 'compare', 'blur', 'timeline'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];
export type DriftGuard = 'off' | 'warn' | 'reanchor';
/** What can be enlarged: each view, with the three token maps (and the cell inspector) as one. */
export type ViewBox = Exclude<ViewName, 'grid' | 'confidence' | 'error'> | 'maps';

/** The views on screen, in the order the page shows them (presentation mode's V enlarges the first). */
export const RENDER_ORDER: readonly ViewBox[] = ['maps', 'decoding', 'compare', 'blur', 'timeline', 'memory', 'chart'];
export function shownBoxes(views: Record<ViewName, boolean>): ViewBox[] {
  return RENDER_ORDER.filter((b) => (b === 'maps' ? views.grid || views.confidence || views.error : views[b]));
}
