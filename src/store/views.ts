/** The teaching views that can be switched on (each costs a little per frame when on). */
export const VIEW_NAMES = ['grid', 'confidence', 'error', 'chart', 'memory', 'decoding', 'compare', 'blur', 'timeline'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];
export type DriftGuard = 'off' | 'warn' | 'reanchor';
