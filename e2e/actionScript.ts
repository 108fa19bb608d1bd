/** The fixed script: walk, turn, look, strafe, rise; normalized actions, the same every run. */
export function actionScript(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => {
    const phase = Math.floor(i / 50) % 6;
    const s = Math.sin(i / 8);
    return [
      [0.8, 0, 0, 0.3 * s, 0],
      [0.4, 0, 0, -0.8, 0],
      [0, 0.7, 0, 0.2, 0.3 * s],
      [-0.5, 0, 0.5, 0, 0],
      [0.6, -0.4, -0.4, 0.5 * s, -0.2],
      [0, 0, 0, 0, 0],
    ][phase]!;
  });
}
